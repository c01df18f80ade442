import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_USERS, seedAppOf } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { tenantState, userState } from '../support/client';
import { connectQuickTargets, QUICK_TARGET_ID } from '../support/quickTargets';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Protected accounts (the break-glass Global Administrators, and any UPN an admin lists on the
 * tenant) are never created, changed or deleted: a technician whose JIT name is protected gets
 * another name, and the reconciler leaves a protected account alone even when it looks like drift.
 */
let t: TestStack;

beforeAll(async () => {
  t = await startTestStack();
  await connectQuickTargets(getServices().deps, [CONTOSO]);
  const config = getServices().deps.config;
  const tenant = await config.getTenant(CONTOSO.id);
  if (tenant === null) throw new Error('contoso is not connected');
  await config.replaceTenant({ ...tenant.value, protectedAccounts: [...tenant.value.protectedAccounts, 'jit-dave@contoso.example'] }, tenant.etag);
}, 60_000);

afterAll(async () => {
  await t?.stack.close();
});

describe('protected accounts', () => {
  it('a protected JIT name is never used: the technician gets another account', async () => {
    const token = await t.client.token(HOME_USERS.dave.userPrincipalName);
    const submit = await t.client.api('POST', '/requests', { token, body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration: 'PT1S' } });
    expect(submit.status, submit.text).toBe(202);
    const ended = await t.client.waitForRequest(String(submit.body.id), token, (r) => r.status === 'ended');
    const account = ended.account as { userPrincipalName: string };
    expect(account.userPrincipalName).toMatch(/^jit-dave-[0-9a-f]{8}@contoso\.example$/);
    expect(userState(await t.client.state(), CONTOSO.id, 'jit-dave@contoso.example')).toBeUndefined();
  });

  it('the reconciler leaves a protected account alone, and nothing ever wrote to the break-glass account', async () => {
    // Someone makes jit-dave@ by hand and enables it: it is protected, so it is neither drift nor touched.
    const app = seedAppOf(CONTOSO);
    await t.client.createCustomerUser({ id: CONTOSO.id, clientId: app.clientId, clientSecret: app.clientSecret }, { userPrincipalName: 'jit-dave@contoso.example', accountEnabled: true });
    const state = await t.client.state();
    const handMade = userState(state, CONTOSO.id, 'jit-dave@contoso.example');
    const breakGlass = userState(state, CONTOSO.id, 'breakglass@contoso.example');
    expect(breakGlass?.accountEnabled).toBe(true);
    const admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const report = await t.client.api<{ driftDisabled: string[]; errors: string[] }>('POST', '/ops/reconcile', { token: admin });
    expect(report.status, report.text).toBe(200);
    expect(report.body.errors).toEqual([]);
    expect(report.body.driftDisabled).toEqual([]);
    const after = await t.client.state();
    expect(userState(after, CONTOSO.id, 'jit-dave@contoso.example')).toEqual(handMade);
    expect(userState(after, CONTOSO.id, 'breakglass@contoso.example')).toEqual(breakGlass);
    expect(tenantState(after, CONTOSO.id).protectedWriteAttempts).toBe(0);
  });
});
