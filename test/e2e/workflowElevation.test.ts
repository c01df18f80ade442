import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_GROUPS, HOME_TENANT, ROLE_TEMPLATES } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { tenantState } from '../support/client';
import { startTestStack, type TestStack } from '../support/stack';
import { connectHomeTenant, newTechnician, target } from './workflowSupport';

/**
 * Elevation targets (the technician's own account gets roles and groups for the lease, and loses
 * only those) and Temporary Access Pass delivery, end to end on the local stack.
 */
let t: TestStack;
const ELEVATE = 'tier2-elevation';
const ELEVATE_ELSEWHERE = 'contoso-elevation';
const TAP = 'tap-admin';

beforeAll(async () => {
  t = await startTestStack();
  const { deps } = getServices();
  await connectHomeTenant(deps);
  await deps.config.createTarget(
    target({
      tenantId: HOME_TENANT.id,
      targetId: ELEVATE,
      kind: 'elevation',
      roles: [{ templateId: ROLE_TEMPLATES.securityReader }, { templateId: ROLE_TEMPLATES.globalReader }],
      groups: [{ id: HOME_GROUPS.tier2.id }],
    }),
  );
  await deps.config.createTarget(
    target({
      tenantId: CONTOSO.id,
      targetId: ELEVATE_ELSEWHERE,
      kind: 'elevation',
      roles: [{ templateId: ROLE_TEMPLATES.securityReader }],
    }),
  );
  await deps.config.createTarget(
    target({
      tenantId: CONTOSO.id,
      targetId: TAP,
      credentialType: 'temporaryAccessPass',
      temporaryAccessPassUsableOnce: true,
      roles: [{ templateId: ROLE_TEMPLATES.helpdeskAdministrator }],
    }),
  );
  const now = new Date().toISOString();
  await deps.config.createRule({
    ruleId: 'technicians-elevation',
    principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
    scope: {
      targets: [
        { tenantId: HOME_TENANT.id, targetId: ELEVATE },
        { tenantId: CONTOSO.id, targetId: ELEVATE_ELSEWHERE },
        { tenantId: CONTOSO.id, targetId: TAP },
      ],
    },
    createdAt: now,
    updatedAt: now,
  });
}, 90_000);

afterAll(async () => {
  await t?.stack.close();
});

async function homeDirectory() {
  const { deps } = getServices();
  const home = await deps.config.getTenant(HOME_TENANT.id);
  if (home === null) throw new Error('home tenant not connected');
  return deps.directories.forTenant(home.value);
}

describe('elevation targets', () => {
  it('grants the roles and group to the technician own account for the lease, then removes only what the lease added', async () => {
    const tech = await newTechnician(t.client, 'elev');
    // Held before the lease: must survive it.
    await (await homeDirectory()).assignRole(tech.id, ROLE_TEMPLATES.globalReader);
    const token = await t.client.token(tech.upn);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: HOME_TENANT.id, targetId: ELEVATE, duration: 'PT1H' },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);
    const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    expect(active).toMatchObject({
      targetKind: 'elevation',
      credentialType: 'none',
      account: { objectId: tech.id, userPrincipalName: tech.upn },
      elevationGrant: { roles: [ROLE_TEMPLATES.securityReader], groups: [HOME_GROUPS.tier2.id] },
    });

    const roleIdsOf = (s: Awaited<ReturnType<typeof t.client.state>>) =>
      tenantState(s, HOME_TENANT.id)
        .roleAssignments.filter((a) => a.principalId === tech.id)
        .map((a) => a.roleDefinitionId)
        .sort();
    const during = await t.client.state();
    expect(roleIdsOf(during)).toEqual([ROLE_TEMPLATES.securityReader, ROLE_TEMPLATES.globalReader].sort());
    expect(tenantState(during, HOME_TENANT.id).groups.find((g) => g.id === HOME_GROUPS.tier2.id)?.memberIds).toContain(
      tech.id,
    );

    // Nothing to reveal: the technician signs in as themselves.
    const reveal = await t.client.api('POST', `/requests/${id}/credential`, { token });
    expect(reveal.status, reveal.text).toBe(409);
    expect(String(reveal.body.detail)).toMatch(/your own account/);

    expect((await t.client.api('POST', `/requests/${id}/revoke`, { token, body: { reason: 'done' } })).status).toBe(
      202,
    );
    expect(await t.client.waitForRequest(id, token, (r) => r.status === 'ended')).toMatchObject({
      endReason: 'revoked',
    });
    const after = await t.client.state();
    expect(roleIdsOf(after)).toEqual([ROLE_TEMPLATES.globalReader]);
    expect(
      tenantState(after, HOME_TENANT.id).groups.find((g) => g.id === HOME_GROUPS.tier2.id)?.memberIds,
    ).not.toContain(tech.id);
    const user = tenantState(after, HOME_TENANT.id).users.find((u) => u.id === tech.id);
    expect(user?.accountEnabled).toBe(true);
    expect(user?.passwordVersion).toBe(
      tenantState(during, HOME_TENANT.id).users.find((u) => u.id === tech.id)?.passwordVersion,
    );
  });

  it("refuses an elevation target outside the requester's tenant with a 400", async () => {
    const token = await t.client.token((await newTechnician(t.client, 'away')).upn);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: ELEVATE_ELSEWHERE },
    });
    expect(submit.status, submit.text).toBe(400);
    expect(submit.body).toMatchObject({ errors: [{ field: 'tenantId' }] });
  });
});

describe('Temporary Access Pass delivery', () => {
  it('delivers a TAP instead of a password, which signs in during the lease and is gone after it', async () => {
    const tech = await newTechnician(t.client, 'tap');
    const token = await t.client.token(tech.upn);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: TAP, duration: 'PT1H' },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);
    const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    const account = active.account as { userPrincipalName: string; objectId: string };

    const reveal = await t.client.api<Record<string, unknown>>('POST', `/requests/${id}/credential`, { token });
    expect(reveal.status, reveal.text).toBe(200);
    expect(reveal.headers.get('cache-control')).toBe('no-store');
    expect(reveal.body).toMatchObject({
      credentialType: 'temporaryAccessPass',
      userPrincipalName: account.userPrincipalName,
      expiresAt: active.expiresAt,
    });
    expect(reveal.body.password).toBeUndefined();
    const pass = String(reveal.body.temporaryAccessPass);
    expect(
      (
        await t.client.sandbox('POST', '/_sandbox/signin', {
          userPrincipalName: account.userPrincipalName,
          password: pass,
        })
      ).status,
    ).toBe(200);

    const { deps } = getServices();
    const contoso = await deps.config.getTenant(CONTOSO.id);
    const directory = await deps.directories.forTenant(contoso!.value);
    expect(await directory.countTemporaryAccessPasses(account.objectId)).toBe(1);
    // The target asks for a one-time pass (JIT_TAP_USABLE_ONCE is off here), as long as the lease.
    const passes = tenantState(await t.client.state(), CONTOSO.id).temporaryAccessPasses.filter(
      (p) => p.userId === account.objectId,
    );
    expect(passes).toMatchObject([{ isUsableOnce: true, lifetimeInMinutes: 60 }]);

    expect((await t.client.api('POST', `/requests/${id}/revoke`, { token, body: {} })).status).toBe(202);
    await t.client.waitForRequest(id, token, (r) => r.status === 'ended');
    expect(await directory.countTemporaryAccessPasses(account.objectId)).toBe(0);
    expect(
      (
        await t.client.sandbox('POST', '/_sandbox/signin', {
          userPrincipalName: account.userPrincipalName,
          password: pass,
        })
      ).status,
    ).toBe(401);
    const state = await t.client.state();
    expect(state.keyVault.secrets.filter((s) => s.name === `lease-${id}` && !s.deleted)).toEqual([]);
    // The pass appears nowhere but in the one answer meant to reveal it.
    expect(JSON.stringify(t.logs)).not.toContain(pass);
    expect(JSON.stringify(state)).not.toContain(pass);
  });
});
