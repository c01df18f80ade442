import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCorsOrigins } from '../../../local/host/cors';
import { loadFixtureApp, startTestHost, type TestHost } from '../durable/harness';

const PORTAL = 'http://127.0.0.1:5173';
const OTHER = 'http://127.0.0.1:6666';

let host: TestHost;
let noCors: TestHost;
beforeAll(async () => {
  const { registry } = await loadFixtureApp();
  host = await startTestHost(registry, undefined, { cors: { allowedOrigins: [PORTAL] } });
  noCors = await startTestHost(registry);
});
afterAll(async () => {
  await host.close();
  await noCors.close();
});

function preflight(base: string, origin: string): Promise<Response> {
  return fetch(`${base}/api/ITEMS/42/extra`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization, content-type',
    },
  });
}

describe('the local host answers CORS like the platform (siteConfig.cors)', () => {
  it('answers a preflight from the allowed origin itself, with exactly that origin, the method and headers', async () => {
    const res = await preflight(host.url, PORTAL);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(res.headers.get('access-control-allow-methods')).toBe('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    // The function never ran for the preflight.
    expect(host.logs.some((l) => l.functionName === 'echo')).toBe(false);
  });

  it('refuses a preflight from another origin: no CORS headers at all', async () => {
    const res = await preflight(host.url, OTHER);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-methods')).toBeNull();
    expect(res.headers.get('access-control-allow-headers')).toBeNull();
  });

  it("adds the allowed origin to the function's response, and nothing for another origin", async () => {
    const allowed = await fetch(`${host.url}/api/ITEMS/42/extra`, {
      method: 'POST',
      body: 'x',
      headers: { Origin: PORTAL, 'content-type': 'text/plain' },
    });
    expect(allowed.status).toBe(201);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(allowed.headers.get('x-echo')).toBe('yes');
    const other = await fetch(`${host.url}/api/ITEMS/42/extra`, {
      method: 'POST',
      body: 'x',
      headers: { Origin: OTHER, 'content-type': 'text/plain' },
    });
    expect(other.status).toBe(201);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('without CORS configured, passes OPTIONS to the app (no route: 405) and adds no header', async () => {
    const res = await preflight(noCors.url, PORTAL);
    expect(res.status).toBe(405);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('reads Host.CORS-style settings and refuses "*" or a URL that is not an origin', () => {
    expect(parseCorsOrigins(` ${PORTAL} , https://portal.example `, 'S')).toEqual({
      allowedOrigins: [PORTAL, 'https://portal.example'],
    });
    expect(parseCorsOrigins('', 'S')).toBeUndefined();
    expect(() => parseCorsOrigins('*', 'JIT_LOCAL_CORS_ORIGINS')).toThrow(
      /JIT_LOCAL_CORS_ORIGINS: '\*' is not an origin/,
    );
    expect(() => parseCorsOrigins(`${PORTAL}/`, 'S')).toThrow(/not an origin/);
  });
});
