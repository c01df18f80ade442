import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/ports';
import { startPortalServer, type RunningPortal } from '../../local/portalServer';

/** The local stand-in for Static Web Apps that `npm start` serves the portal with. */
const settings = {
  clientId: '0f1e2d3c-4b5a-4697-8877-66554433a001',
  authority: 'https://127.0.0.1:7443/4a1d2b3c-0d5e-4f60-8a71-b2c3d4e5f601',
  apiBaseUrl: 'http://127.0.0.1:7071/api',
  scope: 'api://0f1e2d3c-4b5a-4697-8877-66554433a001/access_as_user',
};
let portal: RunningPortal;
let outside: string;

/** A raw GET, so a path like /../x reaches the server as sent (fetch would normalise it away). */
function get(path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const url = new URL(portal.url);
  return new Promise((ok, fail) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail).end();
  });
}

beforeAll(async () => {
  const root = await mkdtemp(join(tmpdir(), 'portal-'));
  const dist = join(root, 'dist');
  await mkdir(join(dist, 'assets'), { recursive: true });
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>portal</title>');
  await writeFile(join(dist, 'assets', 'app-1a2b.js'), 'console.log(1)');
  outside = 'secret-next-to-dist';
  await writeFile(join(root, 'outside.txt'), outside);
  portal = await startPortalServer({ port: await freePort(), distDir: dist, settings });
});

afterAll(async () => {
  await portal?.close();
});

describe('the local portal server', () => {
  it('serves the settings as /config.json, never cached', async () => {
    const response = await get('/config.json');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual(settings);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('sends a CSP that allows script from the portal only and talks only to the API and the sign-in authority', async () => {
    const csp = String((await get('/')).headers['content-security-policy']);
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:7071 https://127.0.0.1:7443;");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('answers index.html for a page path and keeps hashed assets', async () => {
    const page = await get('/requests');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>portal</title>');
    const asset = await get('/assets/app-1a2b.js');
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await get('/assets/missing.js')).status).toBe(404);
  });

  it('never serves a file outside the bundle, however the path is written', async () => {
    for (const path of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt']) {
      const response = await get(path);
      expect(response.body, path).not.toContain(outside);
      expect(response.status, path).toBe(404);
    }
  });

  it('answers 400 to a malformed path, not a 500', async () => {
    expect((await get('/%E0%A4%A')).status).toBe(400);
  });

  it('refuses anything but GET and HEAD', async () => {
    const url = new URL(portal.url);
    const status = await new Promise<number>((ok, fail) => {
      request({ host: url.hostname, port: url.port, path: '/config.json', method: 'POST' }, (res) => {
        res.resume();
        ok(res.statusCode ?? 0);
      })
        .on('error', fail)
        .end();
    });
    expect(status).toBe(405);
  });
});
