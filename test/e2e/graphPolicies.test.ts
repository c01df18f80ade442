import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTOSO,
  FULL_APP_PERMISSIONS,
  HOME_GROUPS,
  HOME_USERS,
  ROLE_TEMPLATES,
  seedAppOf,
} from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { tenantState } from '../support/client';
import { connectQuickTargets } from '../support/quickTargets';
import { startTestStack, type TestStack } from '../support/stack';
import { newTechnician, target } from './workflowSupport';

/**
 * What a real tenant would break that the old sandbox let through: the Temporary Access Pass
 * policy (targets, verify, extension), groups Graph cannot manage, the permissions verify proves,
 * and a deleted group told apart from replication lag.
 */
let t: TestStack;
let admin: string;
const app = seedAppOf(CONTOSO);
const groupNamed = (name: string): string => CONTOSO.groups.find((g) => g.displayName === name)?.id ?? '';
const TAP_EXTEND = 'tap-extend';
const DOOMED = 'doomed-group';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix: string | null;
}

async function setTapPolicy(body: Record<string, unknown>): Promise<void> {
  const res = await t.client.sandbox('PATCH', `/_sandbox/tenants/${CONTOSO.id}/temporaryAccessPassPolicy`, body);
  expect(res.status, res.text).toBe(200);
}

async function setAppPermissions(appPermissions: readonly string[]): Promise<void> {
  const res = await t.client.sandbox('PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${app.clientId}`, {
    appPermissions,
  });
  expect(res.status, res.text).toBe(204);
  // The service's cached token still carries the old permissions: sign in afresh.
  getServices().deps.directories.forget(CONTOSO.id);
}

async function verifyContoso(): Promise<Check[]> {
  const res = await t.client.api<{ checks: Check[] }>('POST', `/tenants/${CONTOSO.id}/verify`, { token: admin });
  expect(res.status, res.text).toBe(200);
  return res.body.checks;
}

const checkNamed = (checks: Check[], name: string): Check => {
  const found = checks.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no check ${name}`);
  return found;
};

beforeAll(async () => {
  // Provisioning failures are retried quickly here: the deleted-group lease fails in seconds.
  process.env.JIT_ACTIVITY_RETRY_FIRST_INTERVAL_MS = '50';
  t = await startTestStack();
  const deps = getServices().deps;
  await connectQuickTargets(deps, [CONTOSO]);
  await deps.config.createTarget(
    target({
      tenantId: CONTOSO.id,
      targetId: TAP_EXTEND,
      credentialType: 'temporaryAccessPass',
      roles: [{ templateId: ROLE_TEMPLATES.helpdeskAdministrator }],
      minDuration: 'PT1S',
      defaultDuration: 'PT1H',
      maxDuration: 'PT8H',
    }),
  );
  await deps.config.createTarget(
    target({
      tenantId: CONTOSO.id,
      targetId: DOOMED,
      groups: [{ id: groupNamed('All Operators') }],
      minDuration: 'PT1S',
      defaultDuration: 'PT1M',
      maxDuration: 'PT1H',
    }),
  );
  const now = new Date().toISOString();
  await deps.config.createRule({
    ruleId: 'technicians-graph-policies',
    principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
    scope: {
      targets: [
        { tenantId: CONTOSO.id, targetId: TAP_EXTEND },
        { tenantId: CONTOSO.id, targetId: DOOMED },
      ],
    },
    createdAt: now,
    updatedAt: now,
  });
  admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
}, 60_000);

afterEach(async () => {
  await setTapPolicy({
    state: 'enabled',
    minimumLifetimeInMinutes: 60,
    maximumLifetimeInMinutes: 480,
    isUsableOnce: false,
  });
  await setAppPermissions(FULL_APP_PERMISSIONS);
});

afterAll(async () => {
  delete process.env.JIT_ACTIVITY_RETRY_FIRST_INTERVAL_MS;
  await t?.stack.close();
});

describe('targets Graph could not serve are refused at creation', () => {
  it('refuses on-premises synced, dynamic and mail-enabled security groups with a 400 naming each group and why', async () => {
    const groups = ['Synced Server Admins', 'All Staff (dynamic)', 'Mail-enabled Admins'].map((name) => ({
      id: groupNamed(name),
    }));
    const res = await t.client.api<{ errors: { field: string; message: string }[] }>(
      'POST',
      `/tenants/${CONTOSO.id}/targets`,
      {
        token: admin,
        body: { targetId: 'unmanaged-groups', name: 'Unmanaged groups', kind: 'adminAccount', groups },
      },
    );
    expect(res.status, res.text).toBe(400);
    expect(res.body.errors).toEqual([
      {
        field: 'groups.0.id',
        message: expect.stringMatching(
          /^group 'Synced Server Admins' \(.+\) is synced from on-premises Active Directory/,
        ) as string,
      },
      {
        field: 'groups.1.id',
        message: expect.stringMatching(/^group 'All Staff \(dynamic\)' \(.+\) has dynamic membership/) as string,
      },
      {
        field: 'groups.2.id',
        message: expect.stringMatching(
          /^group 'Mail-enabled Admins' \(.+\) is a mail-enabled security group/,
        ) as string,
      },
    ]);
    expect(
      (await t.client.api('GET', `/tenants/${CONTOSO.id}/targets/unmanaged-groups`, { token: admin })).status,
    ).toBe(404);
  });

  it("refuses a Temporary Access Pass target whose maxDuration outlasts the tenant's TAP policy, or while the policy is off", async () => {
    const body = {
      targetId: 'tap-long',
      name: 'TAP long',
      kind: 'adminAccount',
      credentialType: 'temporaryAccessPass',
      maxDuration: 'PT9H',
      defaultDuration: 'PT1H',
    };
    const tooLong = await t.client.api<{ errors: { field: string; message: string }[] }>(
      'POST',
      `/tenants/${CONTOSO.id}/targets`,
      { token: admin, body },
    );
    expect(tooLong.status, tooLong.text).toBe(400);
    expect(tooLong.body.errors).toEqual([
      {
        field: 'maxDuration',
        message: expect.stringMatching(
          /PT9H is longer than the tenant's Temporary Access Pass policy allows a pass to live \(8 h\)/,
        ) as string,
      },
    ]);
    // A password target of the same length is fine: only passes are bound by the policy.
    expect(
      (
        await t.client.api('POST', `/tenants/${CONTOSO.id}/targets`, {
          token: admin,
          body: { ...body, targetId: 'password-long', credentialType: 'password' },
        })
      ).status,
    ).toBe(201);

    const fits = await t.client.api('POST', `/tenants/${CONTOSO.id}/targets`, {
      token: admin,
      body: { ...body, maxDuration: 'PT8H' },
    });
    expect(fits.status, fits.text).toBe(201);
    await setTapPolicy({ state: 'disabled' });
    const patched = await t.client.api<{ errors: { field: string; message: string }[] }>(
      'PATCH',
      `/tenants/${CONTOSO.id}/targets/tap-long`,
      { token: admin, body: { name: 'TAP long (renamed)' } },
    );
    expect(patched.status, patched.text).toBe(400);
    expect(patched.body.errors[0]).toMatchObject({
      field: 'credentialType',
      message: expect.stringMatching(/policy is disabled/) as string,
    });
    expect((await t.client.api('DELETE', `/tenants/${CONTOSO.id}/targets/tap-long`, { token: admin })).status).toBe(
      204,
    );
    expect(
      (await t.client.api('DELETE', `/tenants/${CONTOSO.id}/targets/password-long`, { token: admin })).status,
    ).toBe(204);
  });
});

describe("verify proves what the tenant's leases will use", () => {
  it('with TAP targets: their permissions, the TAP policy against each target, and a read of authentication methods', async () => {
    expect((await verifyContoso()).every((c) => c.ok)).toBe(true);

    await setAppPermissions(
      FULL_APP_PERMISSIONS.filter(
        (p) => p !== 'UserAuthenticationMethod.ReadWrite.All' && p !== 'Policy.Read.AuthenticationMethod',
      ),
    );
    let checks = await verifyContoso();
    expect(checkNamed(checks, 'permissions')).toMatchObject({
      ok: false,
      detail: expect.stringContaining(
        'UserAuthenticationMethod.ReadWrite.All (to create and delete Temporary Access Passes); Policy.Read.AuthenticationMethod',
      ) as string,
    });
    expect(checkNamed(checks, 'temporaryAccessPassPolicy')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/needs Policy\.Read\.AuthenticationMethod in this tenant/) as string,
    });
    expect(checkNamed(checks, 'readAuthenticationMethods')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/needs UserAuthenticationMethod\.Read\.All/) as string,
    });

    await setAppPermissions(FULL_APP_PERMISSIONS);
    await setTapPolicy({ maximumLifetimeInMinutes: 240 });
    checks = await verifyContoso();
    const policy = checkNamed(checks, 'temporaryAccessPassPolicy');
    expect(policy.ok).toBe(false);
    expect(policy.detail).toMatch(
      /target 'tap-extend' maxDuration: PT8H is longer than the tenant's Temporary Access Pass policy allows a pass to live \(4 h\)/,
    );
    expect(policy.fix).toMatch(/Authentication methods → Temporary Access Pass/);
    await setTapPolicy({ state: 'disabled' });
    expect(checkNamed(await verifyContoso(), 'temporaryAccessPassPolicy').detail).toMatch(/policy is disabled/);
  });
});

describe('Temporary Access Pass leases follow the policy', () => {
  it('a lease shorter than the policy minimum gets a pass of the minimum; a policy forcing one-time use gets a one-time pass', async () => {
    await setTapPolicy({ isUsableOnce: true });
    const tech = await newTechnician(t.client, 'tapshort');
    const token = await t.client.token(tech.upn);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: TAP_EXTEND, duration: 'PT30M' },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);
    const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active' || r.status === 'failed');
    expect(active.status, JSON.stringify(active)).toBe('active');
    const account = active.account as { objectId: string };
    expect(
      tenantState(await t.client.state(), CONTOSO.id).temporaryAccessPasses.filter(
        (p) => p.userId === account.objectId,
      ),
    ).toMatchObject([{ lifetimeInMinutes: 60, isUsableOnce: true }]);
    expect((await t.client.api('POST', `/requests/${id}/revoke`, { token, body: {} })).status).toBe(202);
    await t.client.waitForRequest(id, token, (r) => r.status === 'ended');
  });

  it('extend issues a new pass when the old one would expire before the new end, and refuses when the policy cannot cover it', async () => {
    const tech = await newTechnician(t.client, 'tapext');
    const token = await t.client.token(tech.upn);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: TAP_EXTEND, duration: 'PT1H' },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);
    const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active' || r.status === 'failed');
    expect(active.status, JSON.stringify(active)).toBe('active');
    const account = active.account as { objectId: string; userPrincipalName: string };
    const passesOf = async () =>
      tenantState(await t.client.state(), CONTOSO.id).temporaryAccessPasses.filter(
        (p) => p.userId === account.objectId,
      );
    const [first] = await passesOf();
    const firstPass = String(
      (await t.client.api('POST', `/requests/${id}/credential`, { token })).body.temporaryAccessPass,
    );

    const extend = await t.client.api('POST', `/requests/${id}/extend`, { token, body: { duration: 'PT1H' } });
    expect(extend.status, extend.text).toBe(202);
    await t.client.waitForRequest(id, token, (r) => r.expiresAt !== active.expiresAt);
    const renewed = await passesOf();
    expect(renewed).toHaveLength(1);
    expect(renewed[0]?.id).not.toBe(first?.id);
    expect(renewed[0]?.lifetimeInMinutes).toBeGreaterThanOrEqual(119);
    const secondPass = String(
      (await t.client.api('POST', `/requests/${id}/credential`, { token })).body.temporaryAccessPass,
    );
    expect(secondPass).not.toBe(firstPass);
    expect(
      (
        await t.client.sandbox('POST', '/_sandbox/signin', {
          userPrincipalName: account.userPrincipalName,
          password: secondPass,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await t.client.sandbox('POST', '/_sandbox/signin', {
          userPrincipalName: account.userPrincipalName,
          password: firstPass,
        })
      ).status,
    ).toBe(401);

    await setTapPolicy({ maximumLifetimeInMinutes: 180 });
    const refused = await t.client.api<{ errors: { field: string; message: string }[] }>(
      'POST',
      `/requests/${id}/extend`,
      { token, body: { duration: 'PT2H' } },
    );
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({
      field: 'duration',
      message: expect.stringMatching(/Temporary Access Pass would expire before the new end.*at most 3 h/) as string,
    });

    expect((await t.client.api('POST', `/requests/${id}/revoke`, { token, body: {} })).status).toBe(202);
    await t.client.waitForRequest(id, token, (r) => r.status === 'ended');
  });
});

describe('a 404 that is not replication lag', () => {
  it("a target's group deleted in the tenant fails the lease at once with a clear, permanent error, cleaned up", async () => {
    const deleted = await t.client.sandbox(
      'DELETE',
      `/_sandbox/tenants/${CONTOSO.id}/groups/${groupNamed('All Operators')}`,
    );
    expect(deleted.status, deleted.text).toBe(204);
    const tech = await newTechnician(t.client, 'doomed');
    const token = await t.client.token(tech.upn);
    const started = Date.now();
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: DOOMED, duration: 'PT5M' },
    });
    expect(submit.status, submit.text).toBe(202);
    // Before, each attempt spent ~15 s waiting out "replication lag" for a group that was gone.
    const failed = await t.client.waitForRequest(
      String(submit.body.id),
      token,
      (r) => r.status === 'failed' || r.status === 'active',
      20_000,
    );
    expect(failed.status).toBe('failed');
    expect(String(failed.failure)).toMatch(
      new RegExp(
        `group ${groupNamed('All Operators')} no longer exists in tenant ${CONTOSO.id}: it was deleted; remove it from the target`,
      ),
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    const account = failed.account as { objectId: string } | null;
    if (account !== null) {
      const user = tenantState(await t.client.state(), CONTOSO.id).users.find((u) => u.id === account.objectId);
      expect(user?.accountEnabled ?? false).toBe(false);
    }
  });
});
