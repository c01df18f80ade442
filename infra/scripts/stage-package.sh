#!/usr/bin/env bash
# Stages what the Function App runs into dist/package (azure.yaml `dist`), for `azd deploy`/`azd up`
# or `func azure functionapp publish <app>` run from that folder:
#   host.json (with the Durable backend of the deployment), package.json (without scripts),
#   package-lock.json, dist/functions, dist/src and node_modules with production dependencies only.
# The repository's own node_modules (with dev dependencies) is left as it is.
#
# The Durable backend comes from JIT_DURABLE_BACKEND (azd passes the environment's values to its
# hooks; main.bicep outputs it): azureStorage (default) or durableTaskScheduler. With the scheduler,
# the staged host.json itself names the azureManaged storage provider, because the platform's scale
# controller reads host.json and not AzureFunctionsJobHost__* app-setting overrides
# (Azure/azure-functions-durable-extension#2622); the repository's host.json stays Azure Storage,
# which is what the local stack runs.
#
# Usage: infra/scripts/stage-package.sh [--out DIR] [--host-json-only]
#   --host-json-only  writes only DIR/host.json (for a backend change, and for test/infra).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/dist/package"
host_json_only=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --host-json-only) host_json_only=1; shift ;;
    *) echo "stage-package: unknown argument: $1" >&2; exit 2 ;;
  esac
done
backend="${JIT_DURABLE_BACKEND:-azureStorage}"
case "$backend" in
  azureStorage | durableTaskScheduler) ;;
  *) echo "stage-package: JIT_DURABLE_BACKEND must be azureStorage or durableTaskScheduler, not \"$backend\"" >&2; exit 2 ;;
esac
cd "$root"

# host.json as deployed: the repository's, plus the scheduler as storage provider when chosen.
# The connection string setting is made by infra/modules/functionApp.bicep with the scheduler.
stage_host_json() {
  node -e '
    const fs = require("node:fs");
    const [source, target, backend] = process.argv.slice(1);
    const host = JSON.parse(fs.readFileSync(source, "utf8"));
    if (backend === "durableTaskScheduler") {
      host.extensions.durableTask.storageProvider = {
        type: "azureManaged",
        connectionStringName: "DURABLE_TASK_SCHEDULER_CONNECTION_STRING",
      };
    }
    fs.writeFileSync(target, JSON.stringify(host, null, 2) + "\n");
  ' host.json "$out/host.json" "$backend"
}

if [[ "$host_json_only" == 1 ]]; then
  mkdir -p "$out"
  stage_host_json
  echo "stage-package: host.json for $backend in $out" >&2
  exit 0
fi

npm run build --silent

rm -rf "$out"
mkdir -p "$out/dist"
cp -R dist/functions dist/src "$out/dist/"
find "$out/dist" -name '*.map' -delete
cp package-lock.json .funcignore "$out/"
stage_host_json
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
echo "stage-package: $(du -sh "$out" | cut -f1) in $out (Durable backend $backend)" >&2
