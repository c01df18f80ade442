import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';

/**
 * Serves the built portal (portal/dist) on loopback for the local stack, as Static Web Apps serves
 * it in Azure: the files, index.html for any page path (the portal routes in the browser), the
 * settings as /config.json, and a strict Content-Security-Policy (no inline or foreign script).
 */
export interface PortalSettings {
  readonly clientId: string;
  readonly authority: string;
  readonly apiBaseUrl: string;
  readonly scope: string;
}

/** The repository root from this file, compiled (dist/local/) or run from source (local/) by vitest. */
export function repoRoot(): string {
  return basename(resolve(__dirname, '..')) === 'dist' ? resolve(__dirname, '..', '..') : resolve(__dirname, '..');
}

/** Where `npm run portal:build` (vite build portal) puts the bundle. */
export function portalDistDir(): string {
  return join(repoRoot(), 'portal', 'dist');
}

export interface PortalServerOptions {
  readonly port: number;
  readonly distDir: string;
  readonly settings: PortalSettings;
}

export interface RunningPortal {
  /** http://127.0.0.1:<port>: loopback is a secure context, so MSAL's PKCE crypto works over http. */
  readonly url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * Script only from the portal itself; the API and the sign-in endpoints are the only places it
 * talks to. Fluent UI (Griffel) writes its styles at run time, hence style-src 'unsafe-inline'
 * (styles only: no inline script is allowed).
 */
export function contentSecurityPolicy(settings: PortalSettings): string {
  const connect = new Set([new URL(settings.apiBaseUrl).origin, new URL(settings.authority).origin]);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${[...connect].join(' ')}`,
    `frame-src ${new URL(settings.authority).origin}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export async function startPortalServer(options: PortalServerOptions): Promise<RunningPortal> {
  const root = resolve(options.distDir);
  const index = join(root, 'index.html');
  if (!(await stat(index).catch(() => undefined))?.isFile())
    throw new Error(`the portal is not built: ${index} is missing (npm run portal:build)`);
  const headers = {
    'Content-Security-Policy': contentSecurityPolicy(options.settings),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  const config = JSON.stringify(options.settings);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://portal').pathname);
    } catch {
      res.writeHead(400, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Malformed path');
      return;
    }
    if (path === '/config.json') {
      res.writeHead(200, { ...headers, 'Content-Type': TYPES['.json'], 'Cache-Control': 'no-store' }).end(config);
      return;
    }
    const file = normalize(join(root, path));
    const inside = file === root || file.startsWith(root + sep);
    const found = inside && extname(file) !== '' ? await readFile(file).catch(() => undefined) : undefined;
    if (found !== undefined) {
      // Vite names assets by content hash: they can be kept; index.html must not be.
      const cache = path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      res
        .writeHead(200, { ...headers, 'Content-Type': type, 'Cache-Control': cache })
        .end(req.method === 'HEAD' ? undefined : found);
      return;
    }
    if (extname(path) !== '') {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    // A page path (/requests, /approvals): the portal routes it in the browser.
    res
      .writeHead(200, { ...headers, 'Content-Type': TYPES['.html'], 'Cache-Control': 'no-cache' })
      .end(req.method === 'HEAD' ? undefined : await readFile(index));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('The portal server failed');
      console.error(`portal server: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, '127.0.0.1', () => ok());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
