import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpResponse, type HttpResponseInit } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody, toWireResponse, type WireResponse } from '../../../local/host/httpAdapter';
import { problemResponse } from '../../../src/http/problem';
import { json } from '../../../src/http/respond';
import { NotFoundError } from '../../../src/domain/errors';

/** What the worker's HttpResponse makes of `init`: the reference the host's shortcut must match. */
async function viaHttpResponse(init: HttpResponseInit): Promise<WireResponse> {
  return toWireResponse(new HttpResponse(init));
}

const comparable = (wire: WireResponse) => ({
  status: wire.status,
  headers: wire.headers,
  body: Buffer.from(wire.body).toString('utf8'),
});

describe('the local host writes a handler result as HttpResponse would', () => {
  const cases: Record<string, HttpResponseInit> = {
    "the app's JSON answer": json(200, { id: 'x', status: 'active', note: 'ünïcödé ✓' }),
    "the app's 202 with a Location": json(202, { id: 'x' }, { Location: 'http://127.0.0.1/api/requests/x' }),
    "the app's problem answer": problemResponse(new NotFoundError('request x does not exist'), '/api/requests/x'),
    'a string without content-type': { body: 'just text' },
    'no body at all': { status: 201 },
    'an empty string body': { status: 200, body: '' },
    'a null body': { status: 200, body: null },
    'mixed-case header names': { body: '{}', headers: { 'X-Echo': 'yes', 'CONTENT-TYPE': 'application/json' } },
    'a header value with inner spaces': { body: 'x', headers: { 'x-list': 'a, b ,c' } },
    // The shortcut does not take these: HttpResponse decides (merging, trimming, dropping, cookies).
    'two names that differ in case only': { body: 'x', headers: { 'x-a': '1', 'X-A': '2' } },
    'a padded header value': { body: 'x', headers: { 'x-padded': '  v  ' } },
    'a 204 with a body': { status: 204, body: 'dropped' },
    jsonBody: { jsonBody: { a: 1 } },
    cookies: { body: 'x', cookies: [{ name: 'session', value: 'abc', httpOnly: true }] },
    'a Set-Cookie header': { body: 'x', headers: { 'Set-Cookie': 'a=b' } },
    'a Buffer body': { body: Buffer.from('bytes') },
    'a Headers object': { body: 'x', headers: new Headers({ 'x-h': '1' }) },
  };
  for (const [name, init] of Object.entries(cases))
    it(`${name}: same status, headers and body`, async () => {
      expect(comparable(await toWireResponse(init))).toEqual(comparable(await viaHttpResponse(init)));
    });

  it('refuses what is not an object, as the worker does', async () => {
    await expect(toWireResponse('text')).rejects.toThrow(/must be an object/);
  });
});

describe('the local host reads a request body', () => {
  let server: Server;
  let port: number;
  const bodies: Buffer[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      void readBody(req).then((body) => {
        bodies.push(body);
        res.end(String(body.length));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function send(method: string, chunks: string[], headers: Record<string, string> = {}): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path: '/', headers }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  }

  it('reads a chunked body (Transfer-Encoding) and a Content-Length one; a request with neither has none', async () => {
    expect(await send('POST', ['abc', 'def'], { 'transfer-encoding': 'chunked' })).toBe('6');
    expect(await send('POST', ['hello'], { 'content-length': '5' })).toBe('5');
    expect(await send('GET', [])).toBe('0');
    expect(bodies.map((b) => b.toString())).toEqual(['abcdef', 'hello', '']);
  });
});
