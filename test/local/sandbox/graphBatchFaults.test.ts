import type { Client } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { CONTOSO, FABRIKAM, ROLE_TEMPLATES } from '../../../local/sandbox/seed';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { call, graphClientFor, graphFailure, graphToken, sandboxState, tenantState, useResetSandbox } from './helpers';

let sandbox: RunningSandbox;
let graph: Client;
const staff = CONTOSO.users.find((u) => u.userPrincipalName.startsWith('staff@'));
const staffId = staff?.id ?? '';
const plainGroup = CONTOSO.groups.find((g) => !g.isAssignableToRole);

interface BatchResponse {
  responses: { id: string; status: number; headers: Record<string, string>; body?: Record<string, unknown> }[];
}

useResetSandbox((started) => {
  sandbox = started;
  graph = graphClientFor(started, CONTOSO);
});

describe('Graph $batch', () => {
  it('answers each item on its own and counts each item as a call', async () => {
    const res = (await graph.api('/$batch').post({
      requests: [
        // Items run in any order: item 1 reads what item 2 does not change.
        { id: '1', method: 'GET', url: `/users/${staffId}?$select=userPrincipalName` },
        {
          id: '2',
          method: 'PATCH',
          url: `/users/${staffId}`,
          headers: { 'Content-Type': 'application/json' },
          body: { accountEnabled: false },
        },
        { id: '3', method: 'GET', url: '/users/nobody@contoso.example' },
        { id: '4', method: 'GET', url: '/v1.0/domains' },
        { id: '5', method: 'GET', url: '/users/nobody@contoso.example/memberOf', dependsOn: ['3'] },
      ],
    })) as BatchResponse;
    const byId = new Map(res.responses.map((r) => [r.id, r]));
    expect(byId.get('1')).toMatchObject({ status: 200, body: { userPrincipalName: 'staff@contoso.example' } });
    expect(byId.get('2')?.status).toBe(204);
    expect(byId.get('3')).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
    expect(byId.get('4')?.status).toBe(200);
    expect(byId.get('5')?.status).toBe(424);
    const t = tenantState(await sandboxState(sandbox), CONTOSO.id);
    expect(t.users.find((u) => u.id === staffId)?.accountEnabled).toBe(false);
    // Four calls as Graph counts them (the item after a failed dependency never runs), one round trip.
    expect(t.calls).toEqual({ total: 4, writes: 1, roundTrips: 1 });
  });

  it('refuses more than 20 requests and malformed payloads', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/domains' }));
    expect((await graphFailure(graph.api('/$batch').post({ requests }))).statusCode).toBe(400);
    expect((await graphFailure(graph.api('/$batch').post({ nope: true }))).statusCode).toBe(400);
  });

  it('throttles items inside an outer 200 with Retry-After', async () => {
    await call(sandbox, 'PUT', '/_sandbox/faults', { body: { tenantId: CONTOSO.id, throttleRate: 1 } });
    const token = await graphToken(sandbox, CONTOSO);
    const res = await call(sandbox, 'POST', '/v1.0/$batch', {
      token,
      body: { requests: [{ id: 'a', method: 'GET', url: '/domains' }] },
    });
    expect(res.status).toBe(200);
    const item = (res.body as BatchResponse).responses[0];
    expect(item).toMatchObject({
      status: 429,
      headers: { 'Retry-After': '1' },
      body: { error: { code: 'TooManyRequests' } },
    });
  });
});

describe('injected faults', () => {
  it('throttles with 429 + Retry-After, and the Graph client retries after it', async () => {
    await call(sandbox, 'PUT', '/_sandbox/faults', { body: { throttleRate: 1 } });
    const token = await graphToken(sandbox, FABRIKAM);
    const raw = await call(sandbox, 'GET', '/v1.0/domains', { token });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('1');
    expect(raw.body).toMatchObject({
      error: { code: 'TooManyRequests', message: expect.stringMatching(/^Too many requests/) as string },
    });
    const started = Date.now();
    setTimeout(() => void call(sandbox, 'DELETE', '/_sandbox/faults'), 300);
    const domains = (await graph.api('/domains').get()) as { value: unknown[] };
    expect(domains.value.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('fails with real-looking 5xx bodies, and limits faults to the named tenant', async () => {
    expect(
      (await call(sandbox, 'PUT', '/_sandbox/faults', { body: { tenantId: 'fabrikam.example', errorRate: 1 } })).status,
    ).toBe(200);
    const fabrikamToken = await graphToken(sandbox, FABRIKAM);
    const statuses = new Set<number>();
    for (let i = 0; i < 30; i += 1) {
      const res = await call(sandbox, 'GET', '/v1.0/domains', { token: fabrikamToken });
      statuses.add(res.status);
      expect(res.body).toMatchObject({
        error: { code: expect.any(String) as string, innerError: { 'request-id': expect.any(String) as string } },
      });
      if (res.status === 503) expect(res.headers.get('retry-after')).toBe('1');
    }
    expect([...statuses].every((s) => [500, 502, 503, 504].includes(s))).toBe(true);
    expect(statuses.size).toBeGreaterThan(1);
    const contosoToken = await graphToken(sandbox, CONTOSO);
    expect((await call(sandbox, 'GET', '/v1.0/domains', { token: contosoToken })).status).toBe(200);
  });

  it('adds latency and validates fault settings', async () => {
    expect((await call(sandbox, 'PUT', '/_sandbox/faults', { body: { throttleRate: 2 } })).status).toBe(400);
    expect((await call(sandbox, 'PUT', '/_sandbox/faults', { body: { latencyMs: -1 } })).status).toBe(400);
    expect((await call(sandbox, 'PUT', '/_sandbox/faults', { body: { bogus: 1 } })).status).toBe(400);
    expect(
      (await call(sandbox, 'PUT', '/_sandbox/faults', { body: { tenantId: 'nowhere.example', errorRate: 1 } })).status,
    ).toBe(404);
    await call(sandbox, 'PUT', '/_sandbox/faults', { body: { latencyMs: 250 } });
    const token = await graphToken(sandbox, CONTOSO);
    const started = Date.now();
    expect((await call(sandbox, 'GET', '/v1.0/domains', { token })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('hides a new user during replication lag, for reads, writes, role assignments and group adds', async () => {
    await call(sandbox, 'PUT', '/_sandbox/faults', { body: { tenantId: CONTOSO.id, replicationLagMs: 1500 } });
    const created = (await graph.api('/users').post({
      accountEnabled: false,
      displayName: 'JIT lag',
      mailNickname: 'jit-lag',
      userPrincipalName: 'jit-lag@contoso.example',
      passwordProfile: { password: 'Lagg1ng!Passw0rd' },
    })) as { id: string };
    expect((await graphFailure(graph.api(`/users/${created.id}`).get())).statusCode).toBe(404);
    expect((await graphFailure(graph.api(`/users/${created.id}`).patch({ accountEnabled: true }))).code).toBe(
      'Request_ResourceNotFound',
    );
    const assign = await graphFailure(
      graph.api('/roleManagement/directory/roleAssignments').post({
        principalId: created.id,
        roleDefinitionId: ROLE_TEMPLATES.helpdeskAdministrator,
        directoryScopeId: '/',
      }),
    );
    expect(assign).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
    const add = await graphFailure(
      graph
        .api(`/groups/${plainGroup?.id ?? ''}/members/$ref`)
        .post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${created.id}` }),
    );
    expect(add.statusCode).toBe(404);
    // A second create with the same UPN still conflicts: the object exists, it is just not replicated yet.
    expect(
      (
        await graphFailure(
          graph.api('/users').post({
            accountEnabled: false,
            displayName: 'x',
            mailNickname: 'jit-lag',
            userPrincipalName: 'jit-lag@contoso.example',
            passwordProfile: { password: 'Lagg1ng!Passw0rd' },
          }),
        )
      ).statusCode,
    ).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(((await graph.api(`/users/${created.id}`).get()) as { id: string }).id).toBe(created.id);
  });
});
