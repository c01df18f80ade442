import { describe, expect, it } from 'vitest';
import { CONTOSO, HOME_USERS, ROLE_TEMPLATES } from '../../local/sandbox/seed';
import { DEMO_TARGET_ID } from '../../local/seedDemo';
import { tenantState, userState } from '../support/client';
import { QUICK_TARGET_ID } from '../support/quickTargets';
import { useQuickStack } from '../support/stack';

/**
 * The walkthrough, end to end through the HTTP API on the local stack: request, provision, reveal,
 * expiry or early revocation, and the directory's state read back from the sandbox.
 */
const t = useQuickStack();

describe('a lease through the API', () => {
  it('health answers ok with every dependency reachable', async () => {
    const health = await t.client.api('GET', '/health');
    expect(health.status, health.text).toBe(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      checks: { storage: { ok: true }, keyVault: { ok: true }, directory: { ok: true }, taskHub: { ok: true } },
    });
  });

  it('provisions, reveals a working credential, and on expiry disables, revokes sessions, removes roles and groups and rotates the password', async () => {
    const token = await t.client.token(HOME_USERS.dave.userPrincipalName);
    const submittedAt = Date.now();
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration: 'PT4S', justification: 'ticket 4711' },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);
    expect(submit.headers.get('location')).toBe(`${t.stack.apiBaseUrl}/requests/${id}`);
    expect(submit.body).toMatchObject({
      status: 'provisioning',
      tenantId: CONTOSO.id,
      targetId: QUICK_TARGET_ID,
      duration: 'PT4S',
      justification: 'ticket 4711',
    });

    const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    const activeAfterMs = Date.now() - submittedAt;
    const account = active.account as { userPrincipalName: string; objectId: string };
    expect(account.userPrincipalName).toBe('jit-dave@contoso.example');
    console.log(`request → active: ${activeAfterMs} ms`);

    const during = await t.client.state();
    const contosoDuring = tenantState(during, CONTOSO.id);
    expect(userState(during, CONTOSO.id, account.userPrincipalName)?.accountEnabled).toBe(true);
    expect(
      contosoDuring.roleAssignments.filter((a) => a.principalId === account.objectId).map((a) => a.roleDefinitionId),
    ).toEqual([ROLE_TEMPLATES.helpdeskAdministrator]);
    expect(contosoDuring.groups.find((g) => g.id === CONTOSO.groups[0]?.id)?.memberIds).toContain(account.objectId);

    const reveal = await t.client.api<{ userPrincipalName: string; password: string; expiresAt: string }>(
      'POST',
      `/requests/${id}/credential`,
      { token },
    );
    expect(reveal.status, reveal.text).toBe(200);
    expect(reveal.headers.get('cache-control')).toBe('no-store');
    expect(reveal.body.userPrincipalName).toBe(account.userPrincipalName);
    expect(reveal.body.expiresAt).toBe(active.expiresAt);
    const signIn = await t.client.sandbox('POST', '/_sandbox/signin', {
      userPrincipalName: account.userPrincipalName,
      password: reveal.body.password,
    });
    expect(signIn.status, signIn.text).toBe(200);
    const passwordVersionDuring = userState(during, CONTOSO.id, account.userPrincipalName)?.passwordVersion ?? -1;

    const ended = await t.client.waitForRequest(id, token, (r) => r.status === 'ended', 30_000);
    const endedLateMs = Date.parse(String(ended.endedAt)) - Date.parse(String(active.expiresAt));
    console.log(`expiry → ended: ${endedLateMs} ms`);
    expect(ended).toMatchObject({ status: 'ended', endReason: 'expired' });
    expect(endedLateMs).toBeGreaterThanOrEqual(0);

    const after = await t.client.state();
    const user = userState(after, CONTOSO.id, account.userPrincipalName);
    expect(user?.accountEnabled).toBe(false);
    expect(Date.parse(user?.signInSessionsValidFromDateTime ?? '')).toBeGreaterThanOrEqual(
      Date.parse(String(active.expiresAt)) - 1000,
    );
    expect(user?.passwordVersion).toBeGreaterThan(passwordVersionDuring);
    expect(tenantState(after, CONTOSO.id).roleAssignments.filter((a) => a.principalId === account.objectId)).toEqual(
      [],
    );
    expect(tenantState(after, CONTOSO.id).groups.every((g) => !g.memberIds.includes(account.objectId))).toBe(true);
    expect(after.keyVault.secrets.filter((s) => s.name === `lease-${id}` && !s.deleted)).toEqual([]);
    expect(
      (
        await t.client.sandbox('POST', '/_sandbox/signin', {
          userPrincipalName: account.userPrincipalName,
          password: reveal.body.password,
        })
      ).status,
    ).toBe(401);
    expect((await t.client.api('POST', `/requests/${id}/credential`, { token })).status).toBe(409);
    expect(tenantState(after, CONTOSO.id).protectedWriteAttempts).toBe(0);
  });

  it('revokes early on request, reuses the same account, and refuses a second live lease with 409 naming it', async () => {
    const token = await t.client.token(HOME_USERS.alice.userPrincipalName);
    const first = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID },
    });
    expect(first.status, first.text).toBe(202);
    const id = String(first.body.id);
    expect(first.body.duration).toBe('PT4H');

    const second = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID, duration: 'PT1H' },
    });
    expect(second.status, second.text).toBe(409);
    expect(second.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(second.body).toMatchObject({ status: 409, activeRequestId: id });

    const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    const account = active.account as { userPrincipalName: string; objectId: string };
    expect(account.userPrincipalName).toBe('jit-alice@contoso.example');
    const roles = tenantState(await t.client.state(), CONTOSO.id).roleAssignments.filter(
      (a) => a.principalId === account.objectId,
    );
    expect(roles.map((r) => r.roleDefinitionId).sort()).toEqual(
      [ROLE_TEMPLATES.helpdeskAdministrator, ROLE_TEMPLATES.userAdministrator].sort(),
    );

    const revoke = await t.client.api('POST', `/requests/${id}/revoke`, { token, body: { reason: 'done early' } });
    expect(revoke.status, revoke.text).toBe(202);
    const ended = await t.client.waitForRequest(id, token, (r) => r.status === 'ended');
    expect(ended).toMatchObject({
      endReason: 'revoked',
      revokedBy: HOME_USERS.alice.userPrincipalName,
      revokeReason: 'done early',
    });
    expect(Date.parse(String(ended.expiresAt))).toBeLessThan(Date.parse(String(active.expiresAt)));
    expect(userState(await t.client.state(), CONTOSO.id, account.userPrincipalName)?.accountEnabled).toBe(false);
    expect((await t.client.api('POST', `/requests/${id}/revoke`, { token, body: {} })).status).toBe(409);

    // The lock is free again, and the next lease reuses the same account.
    const third = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID, duration: 'PT1H' },
    });
    expect(third.status, third.text).toBe(202);
    const thirdActive = await t.client.waitForRequest(String(third.body.id), token, (r) => r.status === 'active');
    expect(thirdActive.account).toEqual(account);
    const admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
    expect(
      (await t.client.api('POST', `/requests/${String(third.body.id)}/revoke`, { token: admin, body: {} })).status,
    ).toBe(202);
    await t.client.waitForRequest(String(third.body.id), token, (r) => r.status === 'ended');
  });

  it('only the requester reveals the credential; others cannot see or revoke the request', async () => {
    const token = await t.client.token(HOME_USERS.dave.userPrincipalName);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration: 'PT1H' },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);
    await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    const alice = await t.client.token(HOME_USERS.alice.userPrincipalName);
    const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
    expect((await t.client.api('POST', `/requests/${id}/credential`, { token: alice })).status).toBe(403);
    expect((await t.client.api('POST', `/requests/${id}/credential`, { token: carol })).status).toBe(403);
    expect((await t.client.api('GET', `/requests/${id}`, { token: alice })).status).toBe(403);
    expect((await t.client.api('GET', `/requests/${id}`, { token: carol })).status).toBe(200);
    expect((await t.client.api('POST', `/requests/${id}/revoke`, { token: alice, body: {} })).status).toBe(403);
    expect((await t.client.api('POST', `/requests/${id}/revoke`, { token, body: {} })).status).toBe(202);
    await t.client.waitForRequest(id, token, (r) => r.status === 'ended');
  });
});
