#!/usr/bin/env bash
# Stages what the Function App runs into dist/package (azure.yaml `dist`), for `azd deploy`/`azd up`
# or `func azure functionapp publish <app>` run from that folder:
#   host.json, package.json (without scripts), package-lock.json, dist/functions, dist/src and
#   node_modules with production dependencies only.
# The repository's own node_modules (with dev dependencies) is left as it is.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/dist/package"
cd "$root"

npm run build --silent

rm -rf "$out"
mkdir -p "$out/dist"
cp -R dist/functions dist/src "$out/dist/"
find "$out/dist" -name '*.map' -delete
cp host.json package-lock.json .funcignore "$out/"
# Scripts stay behind: the platform must not try to build the already-built app.
node -e '
  const fs = require("node:fs");
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  delete pkg.scripts;
  fs.writeFileSync(process.argv[1], JSON.stringify(pkg, null, 2) + "\n");
' "$out/package.json"
# npm ci installs exactly the locked versions; if the lock file is out of step with package.json
# (npm versions differ in what they record), fall back to npm install, which still follows the lock.
if ! (cd "$out" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
  echo "stage-package: npm ci refused the lock file; using npm install --omit=dev (run npm install at the root to refresh package-lock.json)" >&2
  (cd "$out" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
echo "stage-package: $(du -sh "$out" | cut -f1) in $out" >&2
