import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_USERS, seedAppOf } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { tenantState, userState } from '../support/client';
import { connectQuickTargets, QUICK_TARGET_ID } from '../support/quickTargets';
import { startTestStack, type TestStack } from '../support/stack';
import { newTechnician } from './workflowSupport';

/**
 * Protected accounts (the break-glass Global Administrators, and any UPN an admin lists on the
 * tenant) are never created, changed or deleted: a technician whose JIT name is protected gets
 * another name, and the reconciler leaves a protected account alone even when it looks like drift.
 */
let t: TestStack;

beforeAll(async () => {
  process.env.JIT_ACTIVITY_RETRY_FIRST_INTERVAL_MS = '50';
  process.env.JIT_REVOCATION_RETRY_INTERVAL = 'PT2S';
  t = await startTestStack();
  await connectQuickTargets(getServices().deps, [CONTOSO]);
  const config = getServices().deps.config;
  const tenant = await config.getTenant(CONTOSO.id);
  if (tenant === null) throw new Error('contoso is not connected');
  await config.replaceTenant(
    { ...tenant.value, protectedAccounts: [...tenant.value.protectedAccounts, 'jit-dave@contoso.example'] },
    tenant.etag,
  );
}, 60_000);

afterAll(async () => {
  delete process.env.JIT_ACTIVITY_RETRY_FIRST_INTERVAL_MS;
  delete process.env.JIT_REVOCATION_RETRY_INTERVAL;
  await t?.stack.close();
});

async function setProtected(upns: readonly string[]): Promise<void> {
  const config = getServices().deps.config;
  const tenant = await config.getTenant(CONTOSO.id);
  if (tenant === null) throw new Error('contoso is not connected');
  await config.replaceTenant({ ...tenant.value, protectedAccounts: [...upns] }, tenant.etag);
}

async function protectedNow(): Promise<string[]> {
  return [...((await getServices().deps.config.getTenant(CONTOSO.id))?.value.protectedAccounts ?? [])];
}

async function submit(token: string, duration: string): Promise<string> {
  const response = await t.client.api('POST', '/requests', {
    token,
    body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration },
  });
  expect(response.status, response.text).toBe(202);
  return String(response.body.id);
}

describe('protected accounts', () => {
  it('a protected JIT name is never used: the technician gets another account', async () => {
    const token = await t.client.token(HOME_USERS.dave.userPrincipalName);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration: 'PT1S' },
    });
    expect(submit.status, submit.text).toBe(202);
    const ended = await t.client.waitForRequest(String(submit.body.id), token, (r) => r.status === 'ended');
    const account = ended.account as { userPrincipalName: string };
    expect(account.userPrincipalName).toMatch(/^jit-dave-[0-9a-f]{8}@contoso\.example$/);
    expect(userState(await t.client.state(), CONTOSO.id, 'jit-dave@contoso.example')).toBeUndefined();
  });

  it('the reconciler leaves a protected account alone, and nothing ever wrote to the break-glass account', async () => {
    // Someone makes jit-dave@ by hand and enables it: it is protected, so it is neither drift nor touched.
    const app = seedAppOf(CONTOSO);
    await t.client.createCustomerUser(
      { id: CONTOSO.id, clientId: app.clientId, clientSecret: app.clientSecret },
      { userPrincipalName: 'jit-dave@contoso.example', accountEnabled: true },
    );
    const state = await t.client.state();
    const handMade = userState(state, CONTOSO.id, 'jit-dave@contoso.example');
    const breakGlass = userState(state, CONTOSO.id, 'breakglass@contoso.example');
    expect(breakGlass?.accountEnabled).toBe(true);
    const admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const report = await t.client.api<{ driftDisabled: string[]; errors: string[] }>('POST', '/ops/reconcile', {
      token: admin,
    });
    expect(report.status, report.text).toBe(200);
    expect(report.body.errors).toEqual([]);
    expect(report.body.driftDisabled).toEqual([]);
    const after = await t.client.state();
    expect(userState(after, CONTOSO.id, 'jit-dave@contoso.example')).toEqual(handMade);
    expect(userState(after, CONTOSO.id, 'breakglass@contoso.example')).toEqual(breakGlass);
    expect(tenantState(after, CONTOSO.id).protectedWriteAttempts).toBe(0);
  });

  it('an existing JIT account that has become protected is never provisioned again', async () => {
    const tech = await newTechnician(t.client, 'reuse');
    const token = await t.client.token(tech.upn);
    const first = await t.client.waitForRequest(await submit(token, 'PT1S'), token, (r) => r.status === 'ended');
    const account = first.account as { userPrincipalName: string; objectId: string };
    const listed = await protectedNow();
    const admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
    // No live lease uses it now, so the admin may protect it.
    const patch = await t.client.api('PATCH', `/tenants/${CONTOSO.id}`, {
      token: admin,
      body: { protectedAccounts: [...listed, account.userPrincipalName] },
    });
    expect(patch.status, patch.text).toBe(200);
    const before = userState(await t.client.state(), CONTOSO.id, account.userPrincipalName);
    try {
      const second = await t.client.waitForRequest(
        await submit(token, 'PT1H'),
        token,
        (r) => r.status === 'failed' || r.status === 'active' || r.status === 'ended',
        60_000,
      );
      expect(second.status).toBe('failed');
      expect(String(second.failure)).toContain(`${account.userPrincipalName} of ${tech.upn} is a protected account`);
      const state = await t.client.state();
      expect(userState(state, CONTOSO.id, account.userPrincipalName)).toEqual(before);
      expect(tenantState(state, CONTOSO.id).roleAssignments.filter((a) => a.principalId === account.objectId)).toEqual(
        [],
      );
    } finally {
      await setProtected(listed);
    }
  });

  it('a UPN a live lease uses cannot be made protected: 409 naming the lease, nothing changed', async () => {
    const tech = await newTechnician(t.client, 'leased');
    const token = await t.client.token(tech.upn);
    const id = await submit(token, 'PT1H');
    const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    const upn = (active.account as { userPrincipalName: string }).userPrincipalName;
    const listed = await protectedNow();
    const admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const patch = await t.client.api<{ detail: string }>('PATCH', `/tenants/${CONTOSO.id}`, {
      token: admin,
      body: { protectedAccounts: [...listed, upn.toUpperCase()] },
    });
    expect(patch.status, patch.text).toBe(409);
    expect(patch.body.detail).toContain(id);
    expect(patch.body.detail).toContain(upn);
    expect(await protectedNow()).toEqual(listed);
    expect((await t.client.api('POST', `/requests/${id}/revoke`, { token, body: {} })).status).toBe(202);
    await t.client.waitForRequest(id, token, (r) => r.status === 'ended');
  });

  it('a protected account met at revocation is a failed revocation (alerted, audited), never a clean end', async () => {
    const tech = await newTechnician(t.client, 'revoked');
    const token = await t.client.token(tech.upn);
    const id = await submit(token, 'PT1H');
    const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    const account = active.account as { userPrincipalName: string; objectId: string };
    const listed = await protectedNow();
    // Listed behind the API's back (an edited row, an older version): the lease still holds access.
    await setProtected([...listed, account.userPrincipalName]);
    try {
      expect((await t.client.api('POST', `/requests/${id}/revoke`, { token, body: {} })).status).toBe(202);
      const failed = await t.client.waitForRequest(
        id,
        token,
        (r) => r.status === 'revocation_failed' || r.status === 'ended',
        60_000,
      );
      expect(failed.status).toBe('revocation_failed');
      expect(String(failed.failure)).toContain(`${account.userPrincipalName} refused: it is a protected account`);
      // Untouched: still enabled, still holding the target's role.
      const state = await t.client.state();
      expect(userState(state, CONTOSO.id, account.userPrincipalName)?.accountEnabled).toBe(true);
      expect(tenantState(state, CONTOSO.id).roleAssignments.some((a) => a.principalId === account.objectId)).toBe(true);
      const audit = await getServices().deps.audit.list(
        { action: 'lease.revocation_failed', requestId: id },
        { limit: 10 },
      );
      expect(audit.items.length).toBeGreaterThan(0);
      expect(audit.items.some((r) => r.outcome === 'success' && r.action === 'lease.ended')).toBe(false);
      // The alert rule's input: logged through the invocation, as the Functions host records it.
      expect(t.logs.some((l) => l.message.includes('"event":"revocation_failed"') && l.message.includes(id))).toBe(
        true,
      );
    } finally {
      await setProtected(listed);
    }
    // Once it is no longer protected, the next round revokes it.
    await t.client.waitForRequest(id, token, (r) => r.status === 'ended', 60_000);
    expect(userState(await t.client.state(), CONTOSO.id, account.userPrincipalName)?.accountEnabled).toBe(false);
  });

  it('the reconciler never deletes a protected JIT account, however long unused', async () => {
    const tech = await newTechnician(t.client, 'unused');
    const token = await t.client.token(tech.upn);
    const ended = await t.client.waitForRequest(await submit(token, 'PT1S'), token, (r) => r.status === 'ended');
    const account = ended.account as { userPrincipalName: string; objectId: string };
    const deps = getServices().deps;
    const row = await deps.accounts.get(CONTOSO.id, tech.id);
    if (row === null) throw new Error('no account row');
    await deps.accounts.upsert({ ...row, lastUsedAt: new Date(Date.now() - 40 * 86_400_000).toISOString() });
    const listed = await protectedNow();
    await setProtected([...listed, account.userPrincipalName]);
    const targets = await deps.config.listTargets(CONTOSO.id);
    for (const target of targets) {
      const stored = await deps.config.getTarget(CONTOSO.id, target.targetId);
      await deps.config.replaceTarget(
        target.kind === 'adminAccount' ? { ...target, cleanupAfterDaysUnused: 30 } : target,
        stored?.etag ?? '',
      );
    }
    try {
      const admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
      const report = await t.client.api<{ accountsDeleted: string[]; errors: string[] }>('POST', '/ops/reconcile', {
        token: admin,
      });
      expect(report.status, report.text).toBe(200);
      expect(report.body.accountsDeleted).not.toContain(account.userPrincipalName);
      expect(userState(await t.client.state(), CONTOSO.id, account.userPrincipalName)).toBeDefined();
      expect(await deps.accounts.get(CONTOSO.id, tech.id)).not.toBeNull();
    } finally {
      await setProtected(listed);
      for (const target of targets) {
        const stored = await deps.config.getTarget(CONTOSO.id, target.targetId);
        await deps.config.replaceTarget(target, stored?.etag ?? '');
      }
    }
  });
});
