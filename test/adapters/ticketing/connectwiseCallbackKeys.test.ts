import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateHost } from '../../../src/domain/networkAddress';
import { HttpCallbackKeySource } from '../../../src/adapters/ticketing/connectwiseCallbackKeys';
import { TransientDependencyError } from '../../../src/domain/errors';

/** ConnectWise callback signing keys: fetched from a local stand-in for the PSA's key_url, cached, bounded. */
const LOCAL = { allowPrivateAddresses: true };
let server: Server;
let base: string;
const hits = new Map<string, number>();
let key = 'key-1';

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path.startsWith('/callbackkey/ok'))
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ signing_key: key }));
    else if (path.startsWith('/callbackkey/missing')) res.writeHead(404).end('{}');
    else if (path.startsWith('/callbackkey/down')) res.writeHead(503).end();
    else if (path.startsWith('/callbackkey/redirect')) res.writeHead(302, { Location: '/callbackkey/ok' }).end();
    else if (path.startsWith('/callbackkey/huge'))
      res.writeHead(200).end(JSON.stringify({ signing_key: 'x'.repeat(20_000) }));
    else if (path.startsWith('/callbackkey/notakey')) res.writeHead(200).end('{"key":"k"}');
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('HttpCallbackKeySource', () => {
  it('fetches a key once and serves it from the cache; a refresh refetches at most once a minute', async () => {
    let now = 1_000_000;
    const keys = new HttpCallbackKeySource(() => now, LOCAL);
    const url = new URL(`${base}/callbackkey/ok?id=1`);
    expect(await keys.getSigningKey(url, { refresh: false })).toBe('key-1');
    expect(await keys.getSigningKey(url, { refresh: false })).toBe('key-1');
    expect(await keys.getSigningKey(url, { refresh: true })).toBe('key-1');
    expect(hits.get('/callbackkey/ok?id=1')).toBe(1);
    key = 'key-2';
    now += 61_000;
    expect(await keys.getSigningKey(url, { refresh: false })).toBe('key-1');
    expect(await keys.getSigningKey(url, { refresh: true })).toBe('key-2');
    now += 11 * 60_000;
    key = 'key-3';
    expect(await keys.getSigningKey(url, { refresh: false })).toBe('key-3');
    expect(hits.get('/callbackkey/ok?id=1')).toBe(3);
  });

  it('answers null for a refusal, a redirect, an oversized answer or no signing_key, and a 5xx or no answer is transient', async () => {
    const keys = new HttpCallbackKeySource(Date.now, LOCAL);
    for (const path of ['missing', 'redirect', 'huge', 'notakey'])
      expect(await keys.getSigningKey(new URL(`${base}/callbackkey/${path}`), { refresh: false }), path).toBeNull();
    expect(hits.get('/callbackkey/ok')).toBeUndefined();
    await expect(keys.getSigningKey(new URL(`${base}/callbackkey/down`), { refresh: false })).rejects.toBeInstanceOf(
      TransientDependencyError,
    );
    await expect(
      keys.getSigningKey(new URL('http://127.0.0.1:1/callbackkey/x'), { refresh: false }),
    ).rejects.toBeInstanceOf(TransientDependencyError);
  });

  it('fetches at most 20 keys a minute whatever the URLs: forged callbacks cannot flood the PSA', async () => {
    let now = 5_000_000;
    const keys = new HttpCallbackKeySource(() => now, LOCAL);
    for (let i = 0; i < 20; i++)
      expect(await keys.getSigningKey(new URL(`${base}/callbackkey/ok?flood=${i}`), { refresh: false })).toBe(key);
    await expect(
      keys.getSigningKey(new URL(`${base}/callbackkey/ok?flood=20`), { refresh: false }),
    ).rejects.toBeInstanceOf(TransientDependencyError);
    expect(hits.get('/callbackkey/ok?flood=20')).toBeUndefined();
    // Cached keys are still served, and a minute later fetching resumes.
    expect(await keys.getSigningKey(new URL(`${base}/callbackkey/ok?flood=3`), { refresh: false })).toBe(key);
    now += 60_001;
    expect(await keys.getSigningKey(new URL(`${base}/callbackkey/ok?flood=20`), { refresh: false })).toBe(key);
  });

  it('keys fetched for callbacks that never verified cannot push out a key that did', async () => {
    let now = 9_000_000;
    const keys = new HttpCallbackKeySource(() => now, LOCAL);
    const genuine = new URL(`${base}/callbackkey/ok?genuine=1`);
    expect(await keys.getSigningKey(genuine, { refresh: false })).toBe(key);
    keys.markVerified(genuine);
    // 150 forged callbacks, each naming another key address on the site, over eight minutes (within the fetch budget).
    for (let i = 0; i < 150; i++) {
      if (i % 20 === 0) now += 60_001;
      await keys.getSigningKey(new URL(`${base}/callbackkey/missing?forged=${i}`), { refresh: false });
    }
    // The genuine key is still cached: no fetch for it.
    expect(await keys.getSigningKey(genuine, { refresh: false })).toBe(key);
    expect(hits.get('/callbackkey/ok?genuine=1')).toBe(1);
  });

  it('outside local development, never connects to a loopback or private address, whether written as one or resolved from a name', async () => {
    const keys = new HttpCallbackKeySource(Date.now, { allowPrivateAddresses: false });
    const port = new URL(base).port;
    // This machine's own name resolves to a loopback or private address (checked first, so the test means something).
    const resolved = await lookup(hostname(), { all: true });
    expect(resolved.length).toBeGreaterThan(0);
    expect(resolved.every((a) => isPrivateHost(a.address))).toBe(true);
    const before = hits.get('/callbackkey/ok?private=1') ?? 0;
    for (const url of [
      `${base}/callbackkey/ok?private=1`,
      `https://127.0.0.1:${port}/callbackkey/ok?private=1`,
      `https://${hostname()}:${port}/callbackkey/ok?private=1`,
      `http://${hostname()}:${port}/callbackkey/ok?private=1`,
    ]) {
      expect(await keys.getSigningKey(new URL(url), { refresh: false }), url).toBeNull();
    }
    expect(hits.get('/callbackkey/ok?private=1') ?? 0).toBe(before);
    // The same name is fetched in local development.
    const local = new HttpCallbackKeySource(Date.now, LOCAL);
    expect(
      await local.getSigningKey(new URL(`http://${hostname()}:${port}/callbackkey/ok?private=1`), { refresh: false }),
    ).toBe(key);
  });
});
