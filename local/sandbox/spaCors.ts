import type { Tenant } from './directory';
import { noContent, type SandboxRequest, type SandboxResponse } from './http';

/**
 * CORS on the login endpoints a browser app calls (discovery, keys, token). Entra lets a browser
 * redeem codes and refresh tokens cross-origin only for redirect URIs registered on the
 * "Single-page application" platform (AADSTS9002326 "Cross-origin token redemption is permitted
 * only for the 'Single-Page Application' client-type",
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#redirect-uris-for-single-page-apps-spas):
 * the sandbox answers CORS for exactly the origins of the tenant's SPA redirect URIs, so a portal
 * served from anywhere else fails in the browser as it would against Entra.
 */

/** Headers MSAL.js may send on its token requests (telemetry, correlation). */
const ALLOWED_REQUEST_HEADERS = [
  'content-type',
  'client-request-id',
  'return-client-request-id',
  'x-client-sku',
  'x-client-ver',
  'x-client-os',
  'x-client-cpu',
  'x-ms-lib-capability',
  'x-client-current-telemetry',
  'x-client-last-telemetry',
  'x-anchormailbox',
];

function originOf(uri: string): string | undefined {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
}

export function spaOrigins(tenant: Tenant): Set<string> {
  const origins = new Set<string>();
  for (const app of tenant.apps)
    for (const uri of app.spaRedirectUris) {
      const origin = originOf(uri);
      if (origin !== undefined) origins.add(origin);
    }
  return origins;
}

/** The request's Origin when it is one of the tenant's SPA origins. */
export function allowedSpaOrigin(tenant: Tenant | undefined, req: SandboxRequest): string | undefined {
  const origin = req.headers.origin;
  if (tenant === undefined || origin === undefined) return undefined;
  return spaOrigins(tenant).has(origin) ? origin : undefined;
}

/** Adds the CORS answer to a response when the request came from an allowed origin; else unchanged. */
export function withSpaCors(tenant: Tenant | undefined, req: SandboxRequest, res: SandboxResponse): SandboxResponse {
  const origin = allowedSpaOrigin(tenant, req);
  if (origin === undefined) return res;
  return {
    ...res,
    headers: { ...res.headers, 'Access-Control-Allow-Origin': origin, Vary: 'Origin' },
  };
}

/** A preflight: allowed origin → the methods and headers; any other → no CORS headers (the browser refuses). */
export function spaPreflight(tenant: Tenant | undefined, req: SandboxRequest): SandboxResponse {
  const origin = allowedSpaOrigin(tenant, req);
  if (origin === undefined) return noContent({ Vary: 'Origin' });
  return noContent({
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers': ALLOWED_REQUEST_HEADERS.join(', '),
    'Access-Control-Max-Age': '86400',
    Vary: 'Origin',
  });
}
