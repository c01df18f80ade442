import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_GROUPS, HOME_TENANT, HOME_USERS, seedAppOf } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { tenantState, userState } from '../support/client';
import { connectQuickTargets, QUICK_TARGET_ID } from '../support/quickTargets';
import { startTestStack, type TestStack } from '../support/stack';
import { connectHomeTenant, newTechnician } from './workflowSupport';

/**
 * Entitlement is checked again right before provisioning, against the home tenant as it is then
 * (the approval may have taken an hour): a technician removed from the entitling group, or disabled,
 * meanwhile gets nothing — the request fails and no account is created or enabled.
 */
const APPROVAL_TARGET = 'approval-quick';
let t: TestStack;

beforeAll(async () => {
  process.env.JIT_ACTIVITY_RETRY_FIRST_INTERVAL_MS = '50';
  t = await startTestStack();
  const deps = getServices().deps;
  await connectHomeTenant(deps);
  await connectQuickTargets(deps, [CONTOSO]);
  const quick = await deps.config.getTarget(CONTOSO.id, QUICK_TARGET_ID);
  if (quick === null) throw new Error('quick target missing');
  const now = new Date().toISOString();
  await deps.config.createTarget({
    ...quick.value,
    targetId: APPROVAL_TARGET,
    approval: { mode: 'required', approvers: [], deadline: 'PT1H' },
    createdAt: now,
    updatedAt: now,
  });
  await deps.config.createRule({
    ruleId: 'technicians-approval',
    principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
    scope: { targets: [{ tenantId: CONTOSO.id, targetId: APPROVAL_TARGET }] },
    createdAt: now,
    updatedAt: now,
  });
}, 60_000);

afterAll(async () => {
  delete process.env.JIT_ACTIVITY_RETRY_FIRST_INTERVAL_MS;
  await t?.stack.close();
});

async function pending(upn: string): Promise<{ id: string; token: string }> {
  const token = await t.client.token(upn);
  const submit = await t.client.api('POST', '/requests', {
    token,
    body: { tenantId: CONTOSO.id, targetId: APPROVAL_TARGET, duration: 'PT1H' },
  });
  expect(submit.status, submit.text).toBe(202);
  expect(submit.body.status).toBe('pending_approval');
  return { id: String(submit.body.id), token };
}

async function approveAndExpectNothing(id: string, token: string, reason: RegExp): Promise<void> {
  const bob = await t.client.token(HOME_USERS.bob.userPrincipalName);
  const approve = await t.client.api('POST', `/requests/${id}/approve`, { token: bob, body: {} });
  expect(approve.status, approve.text).toBe(202);
  const failed = await t.client.waitForRequest(
    id,
    token,
    (r) => r.status === 'failed' || r.status === 'active' || r.status === 'ended',
    60_000,
  );
  expect(failed.status).toBe('failed');
  expect(String(failed.failure)).toMatch(reason);
  expect(failed.account).toBeNull();
}

describe('entitlement re-checked before provisioning', () => {
  it('a technician removed from the entitling group while waiting for approval gets nothing', async () => {
    const tech = await newTechnician(t.client, 'mallory');
    const { id, token } = await pending(tech.upn);
    const home = seedAppOf(HOME_TENANT);
    await t.client.removeCustomerGroupMember(
      { id: HOME_TENANT.id, clientId: home.clientId, clientSecret: home.clientSecret },
      HOME_GROUPS.allTechnicians.id,
      tech.id,
    );
    const jitBefore = tenantState(await t.client.state(), CONTOSO.id).users.filter((u) =>
      u.userPrincipalName.startsWith('jit-'),
    ).length;
    await approveAndExpectNothing(id, token, /no longer entitled/);
    expect(
      tenantState(await t.client.state(), CONTOSO.id).users.filter((u) => u.userPrincipalName.startsWith('jit-'))
        .length,
    ).toBe(jitBefore);
  });

  it('a technician disabled in the home tenant while waiting for approval gets nothing', async () => {
    const tech = await newTechnician(t.client, 'oscar');
    const { id, token } = await pending(tech.upn);
    const disabled = await t.client.sandbox('PATCH', `/_sandbox/tenants/${HOME_TENANT.id}/users/${tech.id}`, {
      accountEnabled: false,
    });
    expect(disabled.status, disabled.text).toBe(204);
    await approveAndExpectNothing(id, token, /disabled in the home tenant/);
  });

  it('a technician still entitled is provisioned as usual', async () => {
    const tech = await newTechnician(t.client, 'trent');
    const { id, token } = await pending(tech.upn);
    const bob = await t.client.token(HOME_USERS.bob.userPrincipalName);
    expect((await t.client.api('POST', `/requests/${id}/approve`, { token: bob, body: {} })).status).toBe(202);
    await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    expect((await t.client.api('POST', `/requests/${id}/revoke`, { token, body: {} })).status).toBe(202);
    await t.client.waitForRequest(id, token, (r) => r.status === 'ended');
  });
});

/**
 * A lease does not outlive the technician's offboarding: the reconciler (home tenant connected)
 * revokes an active lease whose requester was disabled or deleted at home, or lost the entitling
 * group; and an extension is checked against the groups the requester holds now.
 */
async function activeQuickLease(
  upn: string,
  duration = 'PT1H',
): Promise<{ id: string; token: string; account: { userPrincipalName: string } }> {
  const token = await t.client.token(upn);
  const submit = await t.client.api('POST', '/requests', {
    token,
    body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration },
  });
  expect(submit.status, submit.text).toBe(202);
  const id = String(submit.body.id);
  const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active');
  return { id, token, account: active.account as { userPrincipalName: string } };
}

async function reconcileRevokes(id: string): Promise<void> {
  const admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
  const report = await t.client.api<{ leasesRevoked: string[]; errors: string[] }>('POST', '/ops/reconcile', {
    token: admin,
  });
  expect(report.status, report.text).toBe(200);
  expect(report.body.leasesRevoked).toContain(id);
}

describe("leases end with the technician's offboarding", () => {
  it('the reconciler revokes the lease of a technician disabled in the home tenant: requester_offboarded', async () => {
    const tech = await newTechnician(t.client, 'leaver');
    const lease = await activeQuickLease(tech.upn);
    const disabled = await t.client.sandbox('PATCH', `/_sandbox/tenants/${HOME_TENANT.id}/users/${tech.id}`, {
      accountEnabled: false,
    });
    expect(disabled.status, disabled.text).toBe(204);
    await reconcileRevokes(lease.id);
    const ended = await t.client.waitForRequest(lease.id, lease.token, (r) => r.status === 'ended');
    expect(ended).toMatchObject({ endReason: 'requester_offboarded', revokedBy: null });
    expect(Date.parse(String(ended.expiresAt))).toBeLessThanOrEqual(Date.parse(String(ended.endedAt)));
    expect(userState(await t.client.state(), CONTOSO.id, lease.account.userPrincipalName)?.accountEnabled).toBe(false);
    const audit = await getServices().deps.audit.list(
      { action: 'reconciler.requester_offboarded', tenantId: CONTOSO.id },
      { limit: 50 },
    );
    expect(audit.items.some((r) => r.details.requestId === lease.id)).toBe(true);
  });

  it('the reconciler revokes the lease of a technician deleted in the home tenant: requester_offboarded', async () => {
    const tech = await newTechnician(t.client, 'deleted');
    const lease = await activeQuickLease(tech.upn);
    const home = seedAppOf(HOME_TENANT);
    await t.client.deleteCustomerUser(
      { id: HOME_TENANT.id, clientId: home.clientId, clientSecret: home.clientSecret },
      tech.id,
    );
    await reconcileRevokes(lease.id);
    expect(await t.client.waitForRequest(lease.id, lease.token, (r) => r.status === 'ended')).toMatchObject({
      endReason: 'requester_offboarded',
    });
  });

  it('the reconciler revokes the lease of a technician removed from the entitling group: entitlement_lost', async () => {
    const tech = await newTechnician(t.client, 'moved');
    const lease = await activeQuickLease(tech.upn);
    const other = await newTechnician(t.client, 'stays');
    const stays = await activeQuickLease(other.upn);
    const home = seedAppOf(HOME_TENANT);
    await t.client.removeCustomerGroupMember(
      { id: HOME_TENANT.id, clientId: home.clientId, clientSecret: home.clientSecret },
      HOME_GROUPS.allTechnicians.id,
      tech.id,
    );
    await reconcileRevokes(lease.id);
    expect(await t.client.waitForRequest(lease.id, lease.token, (r) => r.status === 'ended')).toMatchObject({
      endReason: 'entitlement_lost',
    });
    // A technician still entitled keeps their lease.
    expect((await t.client.api('GET', `/requests/${stays.id}`, { token: stays.token })).body.status).toBe('active');
    expect((await t.client.api('POST', `/requests/${stays.id}/revoke`, { token: stays.token, body: {} })).status).toBe(
      202,
    );
    await t.client.waitForRequest(stays.id, stays.token, (r) => r.status === 'ended');
  });

  it('extend re-checks the groups the requester holds now, not the ones saved at submission', async () => {
    const tech = await newTechnician(t.client, 'extender');
    // Well under the target's PT1H cap: only the entitlement can refuse the extension.
    const lease = await activeQuickLease(tech.upn, 'PT20M');
    const home = seedAppOf(HOME_TENANT);
    await t.client.removeCustomerGroupMember(
      { id: HOME_TENANT.id, clientId: home.clientId, clientSecret: home.clientSecret },
      HOME_GROUPS.allTechnicians.id,
      tech.id,
    );
    const before = (await t.client.api('GET', `/requests/${lease.id}`, { token: lease.token })).body.expiresAt;
    const extend = await t.client.api<{ detail: string }>('POST', `/requests/${lease.id}/extend`, {
      token: lease.token,
      body: { duration: 'PT10M' },
    });
    expect(extend.status, extend.text).toBe(403);
    expect(extend.body.detail).toMatch(/no longer entitled/);
    expect((await t.client.api('GET', `/requests/${lease.id}`, { token: lease.token })).body.expiresAt).toBe(before);
    expect((await t.client.api('POST', `/requests/${lease.id}/revoke`, { token: lease.token, body: {} })).status).toBe(
      202,
    );
    await t.client.waitForRequest(lease.id, lease.token, (r) => r.status === 'ended');
  });
});
