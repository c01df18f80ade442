import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The platform's CORS in front of the app, as Azure Functions answers it when the Function App's
 * `siteConfig.cors.allowedOrigins` is set (locally: local.settings.json `Host.CORS`): the host's CORS
 * middleware (ASP.NET Core's, `WithOrigins(...).AllowAnyMethod().AllowAnyHeader()`,
 * https://learn.microsoft.com/azure/azure-functions/functions-how-to-use-azure-function-app-settings#cors)
 * answers preflights itself, before any function runs, with 204; an allowed origin gets
 * `Access-Control-Allow-Origin` naming it, the requested method and headers; any other origin gets
 * the 204 without CORS headers, so the browser refuses. Actual responses to an allowed origin carry
 * `Access-Control-Allow-Origin`; no response header is exposed beyond the CORS-safelisted ones.
 */
export interface CorsSettings {
  /** Exact origins (`https://portal.example`), never `*`. */
  readonly allowedOrigins: readonly string[];
  /** `Access-Control-Allow-Credentials: true` (siteConfig.cors.supportCredentials). Default false. */
  readonly supportCredentials?: boolean;
}

/** Refuses what the platform would not serve as intended: `*`, paths, or anything not an origin. */
export function assertCorsSettings(settings: CorsSettings, settingName: string): void {
  for (const origin of settings.allowedOrigins) {
    let parsed: string | undefined;
    try {
      parsed = new URL(origin).origin;
    } catch {
      parsed = undefined;
    }
    if (parsed !== origin)
      throw new Error(
        `${settingName}: '${origin}' is not an origin (scheme://host[:port], no path, no trailing slash, not '*')`,
      );
  }
}

/** Comma-separated origins, as `Host.CORS` in local.settings.json; undefined when empty. */
export function parseCorsOrigins(value: string | undefined, settingName: string): CorsSettings | undefined {
  const allowedOrigins = (value ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  if (allowedOrigins.length === 0) return undefined;
  const settings = { allowedOrigins };
  assertCorsSettings(settings, settingName);
  return settings;
}

function allowedOrigin(req: IncomingMessage, settings: CorsSettings): string | undefined {
  const origin = req.headers.origin;
  return origin !== undefined && settings.allowedOrigins.includes(origin) ? origin : undefined;
}

/**
 * Answers a preflight (OPTIONS with Origin and Access-Control-Request-Method) and returns true;
 * for any other request sets the CORS headers the response will carry and returns false.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, settings: CorsSettings): boolean {
  const origin = allowedOrigin(req, settings);
  const requestedMethod = req.headers['access-control-request-method'];
  const isPreflight = req.method === 'OPTIONS' && req.headers.origin !== undefined && requestedMethod !== undefined;
  const headers: Record<string, string> = {};
  if (origin !== undefined) {
    headers['access-control-allow-origin'] = origin;
    if (settings.supportCredentials === true) headers['access-control-allow-credentials'] = 'true';
  }
  headers.vary = 'Origin';
  if (isPreflight) {
    if (origin !== undefined) {
      headers['access-control-allow-methods'] = requestedMethod;
      const requestedHeaders = req.headers['access-control-request-headers'];
      if (requestedHeaders !== undefined) headers['access-control-allow-headers'] = requestedHeaders;
    }
    res.writeHead(204, headers).end();
    return true;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  return false;
}
