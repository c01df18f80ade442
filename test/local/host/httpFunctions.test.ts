import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtureApp, startTestHost, type TestHost } from '../durable/harness';

let host: TestHost;
beforeAll(async () => {
  const { registry } = await loadFixtureApp();
  host = await startTestHost(registry);
});
afterAll(async () => {
  await host.close();
});

describe('HTTP functions on the local host', () => {
  it('passes route params, query and raw body; returns status, headers, cookies and jsonBody', async () => {
    const response = await fetch(`${host.url}/api/ITEMS/42/extra?q=search`, {
      method: 'POST',
      body: 'raw body',
      headers: { 'content-type': 'text/plain' },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('set-cookie')).toBe('session=abc; HttpOnly');
    expect(await response.json()).toEqual({ method: 'POST', id: '42', sub: 'extra', q: 'search', body: 'raw body' });
    expect(
      host.logs.some(
        (l) =>
          l.functionName === 'echo' &&
          l.category === 'Function.echo.User' &&
          l.message === 'echo called 42' &&
          l.invocationId !== undefined,
      ),
    ).toBe(true);
  });

  it('optional parameters, literal routes before parameters, default route = function name', async () => {
    expect(await (await fetch(`${host.url}/api/items/7`)).json()).toMatchObject({ id: '7', sub: null });
    expect(await (await fetch(`${host.url}/api/items/special`)).json()).toEqual({ literal: true });
    const text = await fetch(`${host.url}/api/plainText`);
    expect(await text.text()).toBe('just text');
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('404 without a route, 405 for another method, 500 with an empty body when the handler throws', async () => {
    expect((await fetch(`${host.url}/api/nothing/here`)).status).toBe(404);
    expect((await fetch(`${host.url}/elsewhere`)).status).toBe(404);
    const wrongMethod = await fetch(`${host.url}/api/items/1`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    const failed = await fetch(`${host.url}/api/boom`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('');
    expect(host.logs.some((l) => l.level === 'error' && l.functionName === 'boom' && l.message.includes('boom'))).toBe(
      true,
    );
  });
});
