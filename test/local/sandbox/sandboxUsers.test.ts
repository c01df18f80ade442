import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_GROUPS, HOME_TENANT_ID } from '../../../local/sandbox/seed';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { call, claimsOf, graphClientFor, sandboxState, startTestSandbox } from './helpers';

/** The sandbox API the benchmark needs: extra users, a cheap user listing and the call counters. */
let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await call(sandbox, 'POST', '/_sandbox/reset');
});

interface UserRow {
  id: string;
  userPrincipalName: string;
  accountEnabled: boolean;
}

async function users(tenant: string): Promise<UserRow[]> {
  const res = await call(sandbox, 'GET', `/_sandbox/tenants/${tenant}/users`);
  expect(res.status).toBe(200);
  return (res.body as { users: UserRow[] }).users;
}

describe('POST /_sandbox/tenants/{tenant}/users', () => {
  it('adds a technician to a group by name; its token carries the group and no Graph call is counted', async () => {
    const res = await call(sandbox, 'POST', '/_sandbox/tenants/msp.example/users', {
      body: { userPrincipalName: 'bench-1@msp.example', groups: ['All technicians'] },
    });
    expect(res.status).toBe(201);
    const created = res.body as { id: string; userPrincipalName: string; groups: string[] };
    expect(created).toMatchObject({
      userPrincipalName: 'bench-1@msp.example',
      groups: [HOME_GROUPS.allTechnicians.id],
    });

    const token = await call(sandbox, 'POST', '/_sandbox/tokens', { body: { user: 'bench-1@msp.example' } });
    expect(token.status).toBe(200);
    const claims = claimsOf((token.body as { access_token: string }).access_token);
    expect(claims).toMatchObject({
      oid: created.id,
      tid: HOME_TENANT_ID,
      upn: 'bench-1@msp.example',
      groups: [HOME_GROUPS.allTechnicians.id],
    });

    const state = await sandboxState(sandbox);
    expect(state.calls).toEqual({ total: 0, writes: 0 });
    expect((await users(HOME_TENANT_ID)).find((u) => u.id === created.id)).toEqual({
      id: created.id,
      userPrincipalName: 'bench-1@msp.example',
      accountEnabled: true,
    });
  });

  it('is visible through Graph at once (no replication lag)', async () => {
    await call(sandbox, 'PUT', '/_sandbox/faults', { body: { replicationLagMs: 60_000 } });
    const res = await call(sandbox, 'POST', `/_sandbox/tenants/${CONTOSO.id}/users`, {
      body: { userPrincipalName: 'helper@contoso.example', displayName: 'Helper' },
    });
    expect(res.status).toBe(201);
    const id = (res.body as { id: string }).id;
    const user = (await graphClientFor(sandbox, CONTOSO).api(`/users/${id}`).get()) as { displayName: string };
    expect(user.displayName).toBe('Helper');
  });

  it('refuses a duplicate, a foreign domain, an unknown group, an unknown tenant and unknown fields, changing nothing', async () => {
    const before = (await users('msp.example')).length;
    const post = (tenant: string, body: unknown) =>
      call(sandbox, 'POST', `/_sandbox/tenants/${tenant}/users`, { body });
    const duplicate = await post('msp.example', { userPrincipalName: 'ALICE@msp.example' });
    expect(duplicate.status).toBe(409);
    expect((duplicate.body as { error: string }).error).toMatch(/already exists/);
    const foreign = await post('msp.example', { userPrincipalName: 'x@contoso.example' });
    expect(foreign.status).toBe(400);
    expect((foreign.body as { error: string }).error).toMatch(/userPrincipalName: 'contoso.example' is not a domain/);
    const group = await post('msp.example', { userPrincipalName: 'y@msp.example', groups: ['No such group'] });
    expect(group.status).toBe(400);
    expect((group.body as { error: string }).error).toMatch(/groups: no group 'No such group'/);
    expect((await post('nowhere.example', { userPrincipalName: 'z@nowhere.example' })).status).toBe(404);
    const extra = await post('msp.example', { userPrincipalName: 'w@msp.example', password: 'x' });
    expect(extra.status).toBe(400);
    expect((await post('msp.example', { userPrincipalName: 'no-at-sign' })).status).toBe(400);
    expect((await users('msp.example')).length).toBe(before);
    const allTechnicians = (await sandboxState(sandbox)).tenants
      .find((t) => t.id === HOME_TENANT_ID)
      ?.groups.find((g) => g.id === HOME_GROUPS.allTechnicians.id);
    expect(allTechnicians?.memberIds).toHaveLength(2);
  });
});

describe('GET /_sandbox/calls and /_sandbox/tenants/{tenant}/users', () => {
  it('follow Graph calls and account changes', async () => {
    const graph = graphClientFor(sandbox, CONTOSO);
    const staff = (await users(CONTOSO.id)).find((u) => u.userPrincipalName === 'staff@contoso.example');
    expect(staff?.accountEnabled).toBe(true);
    await graph.api(`/users/${staff?.id ?? ''}`).patch({ accountEnabled: false });
    await graph.api(`/users/${staff?.id ?? ''}`).get();
    expect((await users('contoso.example')).find((u) => u.id === staff?.id)?.accountEnabled).toBe(false);

    const res = await call(sandbox, 'GET', '/_sandbox/calls');
    expect(res.status).toBe(200);
    const counters = res.body as {
      tenants: { id: string; calls: { total: number; writes: number; roundTrips: number } }[];
      keyVault: { total: number; writes: number };
      total: number;
      writes: number;
    };
    expect(counters.tenants.find((t) => t.id === CONTOSO.id)?.calls).toEqual({ total: 2, writes: 1, roundTrips: 2 });
    expect(counters).toMatchObject({ total: 2, writes: 1, keyVault: { total: 0, writes: 0 } });
    expect((await call(sandbox, 'GET', '/_sandbox/tenants/nowhere.example/users')).status).toBe(404);
  });
});
