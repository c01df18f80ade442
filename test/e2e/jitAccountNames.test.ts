import { afterEach, describe, expect, it } from 'vitest';
import { CONTOSO, seedAppOf } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { jitLocalPartCandidates, jitUserPrincipalName, newCreationMarker } from '../../src/domain/jitAccount';
import { tenantState, userState } from '../support/client';
import { QUICK_TARGET_ID } from '../support/quickTargets';
import { useQuickStack } from '../support/stack';
import { newTechnician } from './workflowSupport';

/**
 * Which user a lease's JIT account is. The service adopts a user at its JIT name only when the user
 * carries the creation marker (employeeId) recorded in the account row before the creation: a lost
 * answer to its own POST /users is recognised, a user someone else made at that name never is —
 * whatever the row says — and a name in use in another way (mailNickname/proxyAddresses) is skipped.
 */
const t = useQuickStack();
const customerAdmin = {
  id: CONTOSO.id,
  clientId: seedAppOf(CONTOSO).clientId,
  clientSecret: seedAppOf(CONTOSO).clientSecret,
};

afterEach(async () => {
  await t.client.sandbox('DELETE', '/_sandbox/faults');
});

async function namesOf(tech: { upn: string; id: string }): Promise<{ plain: string; hashed: string }> {
  const [plain, hashed] = jitLocalPartCandidates(tech.upn, tech.id).map((l) =>
    jitUserPrincipalName(l, 'contoso.example'),
  );
  return { plain: plain ?? '', hashed: hashed ?? '' };
}

async function activeLease(tech: {
  upn: string;
}): Promise<{ id: string; account: { userPrincipalName: string; objectId: string } }> {
  const token = await t.client.token(tech.upn);
  const submit = await t.client.api('POST', '/requests', {
    token,
    body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration: 'PT1H' },
  });
  expect(submit.status, submit.text).toBe(202);
  const id = String(submit.body.id);
  const active = await t.client.waitForRequest(
    id,
    token,
    (r) => r.status !== 'provisioning' && r.status !== 'pending_approval',
    60_000,
  );
  expect(active.status, JSON.stringify(active)).toBe('active');
  const revoke = await t.client.api('POST', `/requests/${id}/revoke`, { token, body: {} });
  expect(revoke.status, revoke.text).toBe(202);
  await t.client.waitForRequest(id, token, (r) => r.status === 'ended');
  return { id, account: active.account as { userPrincipalName: string; objectId: string } };
}

async function employeeIdOf(objectId: string): Promise<string | null | undefined> {
  const deps = getServices().deps;
  const tenant = await deps.config.getTenant(CONTOSO.id);
  if (tenant === null) throw new Error('contoso is not connected');
  return (await (await deps.directories.forTenant(tenant.value)).getUser(objectId))?.employeeId;
}

describe('the JIT account a lease gets', () => {
  it('after the answer to its own creation was lost, the retry adopts the user it made (marked), and nothing is left behind', async () => {
    const tech = await newTechnician(t.client, 'lostanswer');
    const names = await namesOf(tech);
    const faults = await t.client.sandbox('PUT', '/_sandbox/faults', {
      tenantId: CONTOSO.id,
      lostResponseRate: 1,
      lostResponseLimit: 1,
    });
    expect(faults.status, faults.text).toBe(200);
    const before = tenantState(await t.client.state(), CONTOSO.id).calls.total;

    const lease = await activeLease(tech);
    expect(lease.account.userPrincipalName).toBe(names.plain);
    const state = await t.client.state();
    // The creation really went out twice (the first answer lost), and only one account exists.
    expect(tenantState(state, CONTOSO.id).calls.total).toBeGreaterThan(before);
    expect(userState(state, CONTOSO.id, names.hashed)).toBeUndefined();
    expect(
      tenantState(state, CONTOSO.id)
        .users.filter((u) => u.userPrincipalName === names.plain)
        .map((u) => u.id),
    ).toEqual([lease.account.objectId]);
    const row = await getServices().deps.accounts.get(CONTOSO.id, tech.id);
    expect(row).toMatchObject({ objectId: lease.account.objectId, userPrincipalName: names.plain });
    expect(row?.creationMarker).toMatch(/^[0-9a-f]{16}$/);
    expect(await employeeIdOf(lease.account.objectId)).toBe(row?.creationMarker);
  });

  it('after a lost answer, a holder hidden by replication lag is not taken for someone else: the retry waits for it and adopts it, no second account', async () => {
    const tech = await newTechnician(t.client, 'lostlag');
    const names = await namesOf(tech);
    // The creation takes effect, its answer is lost, and reads miss the new user for 10 s (longer
    // than the SDK's own retry of the lost POST waits): that retry is told the UPN is taken while a
    // read of the UPN still finds nobody.
    const faults = await t.client.sandbox('PUT', '/_sandbox/faults', {
      tenantId: CONTOSO.id,
      lostResponseRate: 1,
      lostResponseLimit: 1,
      replicationLagMs: 10_000,
    });
    expect(faults.status, faults.text).toBe(200);

    const lease = await activeLease(tech);
    expect(lease.account.userPrincipalName).toBe(names.plain);
    const state = await t.client.state();
    expect(userState(state, CONTOSO.id, names.hashed)).toBeUndefined();
    expect(
      tenantState(state, CONTOSO.id)
        .users.filter((u) => u.userPrincipalName.startsWith(names.plain.split('@')[0] ?? '-'))
        .map((u) => u.id),
    ).toEqual([lease.account.objectId]);
    const audit = await getServices().deps.audit.list({ action: 'account.foreign_jit_name' }, { limit: 50 });
    expect(audit.items.filter((r) => JSON.stringify(r).includes(names.plain))).toEqual([]);
  });

  it('an account that only seemed gone (its read hidden, as by replication lag) is found again by its marker: no second account', async () => {
    const tech = await newTechnician(t.client, 'seemedgone');
    const names = await namesOf(tech);
    const first = await activeLease(tech);
    const accounts = getServices().deps.accounts;
    const row = await accounts.get(CONTOSO.id, tech.id);
    if (row === null) throw new Error('no account row after a lease');
    // The row's object id now reads as missing (a read of the real one would, during replication lag).
    await accounts.upsert({ ...row, objectId: '0f0f0f0f-0000-4000-8000-000000000000' });

    const second = await activeLease(tech);
    expect(second.account).toEqual(first.account);
    const state = await t.client.state();
    expect(userState(state, CONTOSO.id, names.hashed)).toBeUndefined();
    const audit = await getServices().deps.audit.list({ action: 'account.foreign_jit_name' }, { limit: 50 });
    expect(audit.items.filter((r) => JSON.stringify(r).includes(names.plain))).toEqual([]);
  });

  it('a user someone made at the JIT name while a creation was pending is never adopted: the next name is used and the finding audited', async () => {
    const tech = await newTechnician(t.client, 'precreated');
    const names = await namesOf(tech);
    const deps = getServices().deps;
    // A creation that failed without an answer (or a worker that died after it): the row is pending.
    const now = new Date().toISOString();
    await deps.accounts.upsert({
      tenantId: CONTOSO.id,
      requesterObjectId: tech.id,
      userPrincipalName: names.plain,
      objectId: null,
      creationMarker: newCreationMarker(),
      createdAt: now,
      lastUsedAt: now,
    });
    // Meanwhile someone in the customer tenant makes a user at that name, with a password they know.
    const foreignId = await t.client.createCustomerUser(customerAdmin, {
      userPrincipalName: names.plain,
      accountEnabled: true,
    });
    const foreignBefore = userState(await t.client.state(), CONTOSO.id, names.plain);

    const lease = await activeLease(tech);
    expect(lease.account.userPrincipalName).toBe(names.hashed);
    expect(lease.account.objectId).not.toBe(foreignId);
    const state = await t.client.state();
    expect(userState(state, CONTOSO.id, names.plain)).toEqual(foreignBefore);
    expect(tenantState(state, CONTOSO.id).roleAssignments.filter((a) => a.principalId === foreignId)).toEqual([]);
    expect(tenantState(state, CONTOSO.id).groups.filter((g) => g.memberIds.includes(foreignId))).toEqual([]);
    const audit = await deps.audit.list({ action: 'account.foreign_jit_name', requestId: lease.id }, { limit: 10 });
    expect(audit.items.map((r) => r.details)).toEqual([
      { userPrincipalName: names.plain, objectId: foreignId, requestId: lease.id },
    ]);
  });

  it('a name whose mailNickname is already in use (a proxyAddresses conflict) moves to the next name, as a taken UPN does', async () => {
    const tech = await newTechnician(t.client, 'nickname');
    const names = await namesOf(tech);
    const nickname = names.plain.split('@')[0] ?? '';
    // Another user (a different UPN) already holds that mailNickname.
    await t.client.createCustomerUser(customerAdmin, {
      userPrincipalName: `shared-mailbox-${Date.now().toString(36)}@contoso.example`,
      accountEnabled: false,
      mailNickname: nickname,
    });

    const lease = await activeLease(tech);
    expect(lease.account.userPrincipalName).toBe(names.hashed);
    expect(userState(await t.client.state(), CONTOSO.id, names.plain)).toBeUndefined();
  });
});
