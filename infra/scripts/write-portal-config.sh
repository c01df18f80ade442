#!/usr/bin/env bash
# Makes the built portal (portal/dist) this environment's, after `vite build` and before azd uploads
# it to the Static Web App (azure.yaml, the portal service's prepackage hook), so one build serves
# every environment:
#   - writes DIST/config.json, the settings the portal reads at start: { clientId, authority,
#     apiBaseUrl, scope } from the azd environment (main.bicep outputs: JIT_API_CLIENT_ID,
#     JIT_AUTHORITY_HOST, JIT_HOME_TENANT_ID, JIT_API_URL);
#   - pins the Content-Security-Policy of DIST/staticwebapp.config.json to exactly this API and this
#     authority (connect-src, frame-src), so the browser talks to nothing else.
# No secret is involved: these values are public (the client id and tenant are in every token).
#
# Usage: infra/scripts/write-portal-config.sh DIST
set -euo pipefail

dist="${1:?usage: write-portal-config.sh DIST (the built portal, e.g. portal/dist)}"
for name in JIT_API_CLIENT_ID JIT_HOME_TENANT_ID JIT_API_URL; do
  if [[ -z "${!name:-}" ]]; then
    echo "write-portal-config: $name is not set: run through azd (azure.yaml) after 'azd provision', or export it" >&2
    exit 1
  fi
done
if [[ ! -f "$dist/staticwebapp.config.json" ]]; then
  echo "write-portal-config: $dist/staticwebapp.config.json is missing: build the portal first (npm run portal:build)" >&2
  exit 1
fi

DIST="$dist" node -e '
const fs = require("node:fs");
const path = require("node:path");
const env = process.env;
const fail = (message) => { console.error(`write-portal-config: ${message}`); process.exit(1); };
const httpsOrigin = (name, value) => {
  let url;
  try { url = new URL(value); } catch { fail(`${name} is not a URL: ${value}`); }
  if (url.protocol !== "https:") fail(`${name} must be https: ${value}`);
  return url;
};
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
if (!uuid.test(env.JIT_API_CLIENT_ID)) fail(`JIT_API_CLIENT_ID is not a GUID: ${env.JIT_API_CLIENT_ID}`);
if (!uuid.test(env.JIT_HOME_TENANT_ID)) fail(`JIT_HOME_TENANT_ID is not a GUID: ${env.JIT_HOME_TENANT_ID}`);
const authorityHost = httpsOrigin("JIT_AUTHORITY_HOST", env.JIT_AUTHORITY_HOST || "https://login.microsoftonline.com");
const api = httpsOrigin("JIT_API_URL", env.JIT_API_URL);
const config = {
  clientId: env.JIT_API_CLIENT_ID,
  authority: `${authorityHost.origin}/${env.JIT_HOME_TENANT_ID}`,
  apiBaseUrl: api.href.replace(/\/+$/, ""),
  scope: `api://${env.JIT_API_CLIENT_ID}/access_as_user`,
};
fs.writeFileSync(path.join(env.DIST, "config.json"), JSON.stringify(config, null, 2) + "\n");

const swaPath = path.join(env.DIST, "staticwebapp.config.json");
const swa = JSON.parse(fs.readFileSync(swaPath, "utf8"));
const headers = swa.globalHeaders ?? fail("staticwebapp.config.json has no globalHeaders");
const cspName = Object.keys(headers).find((h) => h.toLowerCase() === "content-security-policy")
  ?? fail("staticwebapp.config.json sets no Content-Security-Policy");
const directives = headers[cspName].split(";").map((d) => d.trim()).filter((d) => d !== "");
const set = (name, value) => {
  const i = directives.findIndex((d) => d.split(/\s+/)[0] === name);
  if (i === -1) directives.push(`${name} ${value}`); else directives[i] = `${name} ${value}`;
};
set("connect-src", `'"'"'self'"'"' ${api.origin} ${authorityHost.origin}`);
set("frame-src", authorityHost.origin);
headers[cspName] = directives.join("; ");
fs.writeFileSync(swaPath, JSON.stringify(swa, null, 2) + "\n");
console.log(`write-portal-config: ${env.DIST}/config.json for API ${config.apiBaseUrl}, authority ${config.authority}`);
'
