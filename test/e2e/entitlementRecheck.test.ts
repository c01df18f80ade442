import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_GROUPS, HOME_TENANT, HOME_USERS, seedAppOf } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { tenantState } from '../support/client';
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
  await deps.config.createTarget({ ...quick.value, targetId: APPROVAL_TARGET, approval: { mode: 'required', approvers: [], deadline: 'PT1H' }, createdAt: now, updatedAt: now });
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
  const submit = await t.client.api('POST', '/requests', { token, body: { tenantId: CONTOSO.id, targetId: APPROVAL_TARGET, duration: 'PT1H' } });
  expect(submit.status, submit.text).toBe(202);
  expect(submit.body.status).toBe('pending_approval');
  return { id: String(submit.body.id), token };
}

async function approveAndExpectNothing(id: string, token: string, reason: RegExp): Promise<void> {
  const bob = await t.client.token(HOME_USERS.bob.userPrincipalName);
  const approve = await t.client.api('POST', `/requests/${id}/approve`, { token: bob, body: {} });
  expect(approve.status, approve.text).toBe(202);
  const failed = await t.client.waitForRequest(id, token, (r) => r.status === 'failed' || r.status === 'active' || r.status === 'ended', 60_000);
  expect(failed.status).toBe('failed');
  expect(String(failed.failure)).toMatch(reason);
  expect(failed.account).toBeNull();
}

describe('entitlement re-checked before provisioning', () => {
  it('a technician removed from the entitling group while waiting for approval gets nothing', async () => {
    const tech = await newTechnician(t.client, 'mallory');
    const { id, token } = await pending(tech.upn);
    const home = seedAppOf(HOME_TENANT);
    await t.client.removeCustomerGroupMember({ id: HOME_TENANT.id, clientId: home.clientId, clientSecret: home.clientSecret }, HOME_GROUPS.allTechnicians.id, tech.id);
    const jitBefore = tenantState(await t.client.state(), CONTOSO.id).users.filter((u) => u.userPrincipalName.startsWith('jit-')).length;
    await approveAndExpectNothing(id, token, /no longer entitled/);
    expect(tenantState(await t.client.state(), CONTOSO.id).users.filter((u) => u.userPrincipalName.startsWith('jit-')).length).toBe(jitBefore);
  });

  it('a technician disabled in the home tenant while waiting for approval gets nothing', async () => {
    const tech = await newTechnician(t.client, 'oscar');
    const { id, token } = await pending(tech.upn);
    const disabled = await t.client.sandbox('PATCH', `/_sandbox/tenants/${HOME_TENANT.id}/users/${tech.id}`, { accountEnabled: false });
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
