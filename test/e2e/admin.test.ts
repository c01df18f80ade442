import { TableClient, TableServiceClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTOSO,
  FABRIKAM,
  FULL_APP_PERMISSIONS,
  HOME_GROUPS,
  HOME_USERS,
  ROLE_TEMPLATES,
  seedAppOf,
} from '../../local/sandbox/seed';
import { DEMO_RULE_ID, DEMO_TARGET_ID } from '../../local/seedDemo';
import { getServices } from '../../src/composition';
import { HTTP_OPERATIONS } from '../../src/http/operations';
import { tenantState, userState, type ApiResponse } from '../support/client';
import { startTestStack, type TestStack } from '../support/stack';
import { exampleOf } from './openapiExamples';

/**
 * The admin API on the local stack: connecting and verifying tenants (each check failing for its
 * own reason), targets checked against the tenant's directory, rules, ETags, audit, deleting a
 * tenant with live leases, non-admins refused everywhere, and no secret anywhere.
 */
let t: TestStack;
let admin: string;
let alice: string;
const fabrikamApp = seedAppOf(FABRIKAM);
const contosoApp = seedAppOf(CONTOSO);
const WRONG_SECRET = 'wrong-secret-value-that-must-never-show-up';
const responses: string[] = [];
const consoleLines: string[] = [];
const restoreConsole: (() => void)[] = [];

const connectFabrikam = {
  tenantId: FABRIKAM.id,
  displayName: 'Fabrikam',
  jitDomain: 'fabrikam.example',
  protectedAccounts: ['breakglass@fabrikam.example'],
  connection: { mode: 'clientSecret', clientId: fabrikamApp.clientId, clientSecret: fabrikamApp.clientSecret },
};

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix: string | null;
  portalFix?: string;
  blockedBy?: string;
}
interface VerificationBody {
  ok: boolean;
  checks: Check[];
}

function checkOf(verification: VerificationBody, name: string): Check {
  const found = verification.checks.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no check ${name} in ${JSON.stringify(verification)}`);
  return found;
}

async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const response = await t.client.api<T>(method, path, options);
  responses.push(response.text, JSON.stringify([...response.headers.entries()]));
  return response;
}

async function patchSandboxApp(tenantId: string, clientId: string, body: Record<string, unknown>): Promise<void> {
  const response = await t.client.sandbox('PATCH', `/_sandbox/tenants/${tenantId}/apps/${clientId}`, body);
  expect(response.status, response.text).toBe(204);
}

async function verify(tenantId: string): Promise<VerificationBody> {
  const response = await api<VerificationBody>('POST', `/tenants/${tenantId}/verify`, { token: admin });
  expect(response.status, response.text).toBe(200);
  return response.body;
}

beforeAll(async () => {
  for (const level of ['log', 'warn', 'error', 'info'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      consoleLines.push(args.map(String).join(' '));
      original(...args);
    };
    restoreConsole.push(() => {
      console[level] = original;
    });
  }
  t = await startTestStack();
  admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
  alice = await t.client.token(HOME_USERS.alice.userPrincipalName);
}, 60_000);

afterAll(async () => {
  await t?.stack.close();
  for (const restore of restoreConsole) restore();
});

describe('tenants', () => {
  it('the seeded demo was made through the API and verifies cleanly', async () => {
    const verification = await verify(CONTOSO.id);
    expect(verification.checks.map((c) => [c.name, c.ok])).toEqual([
      ['signIn', true],
      ['permissions', true],
      ['jitDomain', true],
      ['readRoleDefinitions', true],
      ['readUsers', true],
      ['readMemberships', true],
      ['passwordResetRole', true],
      ['temporaryAccessPassPolicy', true],
      ['readAuthenticationMethods', true],
    ]);
    expect(verification.ok).toBe(true);
    const events = await getServices().deps.audit.list(
      { action: 'tenant.created', tenantId: CONTOSO.id },
      { limit: 10 },
    );
    expect(events.items[0]?.actor).toMatchObject({ type: 'user', id: HOME_USERS.carol.id });
  });

  it('connects a tenant: the secret goes to Key Vault, never back out; verification runs at once', async () => {
    const created = await api<Record<string, unknown> & { verification: VerificationBody }>('POST', '/tenants', {
      token: admin,
      body: connectFabrikam,
    });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get('location')).toBe(`${t.stack.apiBaseUrl}/tenants/${FABRIKAM.id}`);
    expect(created.headers.get('etag')).toBeTruthy();
    expect(created.body).toMatchObject({
      tenantId: FABRIKAM.id,
      jitDomain: 'fabrikam.example',
      protectedAccounts: ['breakglass@fabrikam.example'],
      connection: { mode: 'clientSecret', clientId: fabrikamApp.clientId, clientSecret: 'stored in Key Vault' },
    });
    expect(created.body.verification.ok, JSON.stringify(created.body.verification)).toBe(true);
    expect(created.text).not.toContain(fabrikamApp.clientSecret);
    const vault = (await t.client.state()).keyVault.secrets.find((s) => s.name === `tenant-${FABRIKAM.id}`);
    expect(vault).toMatchObject({ deleted: false });

    const again = await api('POST', '/tenants', { token: admin, body: connectFabrikam });
    expect(again.status, again.text).toBe(409);
  });

  it('refuses bad input naming each field, and changes nothing', async () => {
    const bad = await api<{ errors: { field: string }[] }>('POST', '/tenants', {
      token: admin,
      body: {
        tenantId: 'not-a-guid',
        displayName: '',
        jitDomain: 'no domain',
        connection: { mode: 'clientSecret', clientId: fabrikamApp.clientId },
        extra: 1,
      },
    });
    expect(bad.status, bad.text).toBe(400);
    expect(bad.body.errors.map((e) => e.field).sort()).toEqual([
      '(body)',
      'connection.clientSecret',
      'displayName',
      'jitDomain',
      'tenantId',
    ]);
    const list = await api<{ items: { tenantId: string }[] }>('GET', '/tenants', { token: admin });
    expect(list.body.items.map((i) => i.tenantId).sort()).toEqual([CONTOSO.id, FABRIKAM.id].sort());
  });

  it('ETags: a change with a stale If-Match is refused with 412; the current one applies and moves the ETag', async () => {
    const read = await api('GET', `/tenants/${FABRIKAM.id}`, { token: admin });
    const etag = read.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    const first = await api('PATCH', `/tenants/${FABRIKAM.id}`, {
      token: admin,
      body: { displayName: 'Fabrikam Ltd' },
      headers: { 'If-Match': etag },
    });
    expect(first.status, first.text).toBe(200);
    expect(first.headers.get('etag')).not.toBe(etag);
    const second = await api('PATCH', `/tenants/${FABRIKAM.id}`, {
      token: admin,
      body: { displayName: 'Fabrikam Inc' },
      headers: { 'If-Match': etag },
    });
    expect(second.status, second.text).toBe(412);
    const staleDelete = await api('DELETE', `/tenants/${FABRIKAM.id}`, { token: admin, headers: { 'If-Match': etag } });
    expect(staleDelete.status, staleDelete.text).toBe(412);
    expect((await api('GET', `/tenants/${FABRIKAM.id}`, { token: admin })).body).toMatchObject({
      displayName: 'Fabrikam Ltd',
    });

    const events = await getServices().deps.audit.list(
      { tenantId: FABRIKAM.id, action: 'tenant.updated' },
      { limit: 10 },
    );
    const update = events.items.find((e) => String(e.details.after).includes('Fabrikam Ltd'));
    expect(update?.actor).toMatchObject({
      id: HOME_USERS.carol.id,
      userPrincipalName: HOME_USERS.carol.userPrincipalName,
    });
    expect(JSON.parse(String(update?.details.before))).toMatchObject({
      displayName: 'Fabrikam',
      connection: { clientSecret: 'stored in Key Vault' },
    });
    expect(JSON.parse(String(update?.details.after))).toMatchObject({ displayName: 'Fabrikam Ltd' });
  });

  it('consent-url is the admin-consent link for the tenant and the app', async () => {
    const consent = await api<{ consentUrl: string }>('GET', `/tenants/${FABRIKAM.id}/consent-url`, { token: admin });
    expect(consent.status, consent.text).toBe(200);
    expect(consent.body.consentUrl).toBe(
      `${t.stack.sandboxUrl}/${FABRIKAM.id}/adminconsent?client_id=${fabrikamApp.clientId}`,
    );
  });
});

describe('verification fails for the right reason', () => {
  it('a wrong client secret: signIn fails with the AADSTS code and how to rotate it; the others are not run', async () => {
    const patched = await api<{ verification: VerificationBody }>('PATCH', `/tenants/${FABRIKAM.id}`, {
      token: admin,
      body: { connection: { mode: 'clientSecret', clientId: fabrikamApp.clientId, clientSecret: WRONG_SECRET } },
    });
    expect(patched.status, patched.text).toBe(200);
    const signIn = checkOf(patched.body.verification, 'signIn');
    expect(signIn).toMatchObject({ ok: false });
    expect(signIn.detail).toContain('AADSTS7000215');
    expect(signIn.fix).toMatch(/client secret is wrong.*Certificates & secrets.*PATCH \/api\/tenants/);
    // The same fix in the portal's words: its button, not an API call.
    expect(signIn.portalFix).toMatch(/client secret is wrong.*"Edit".*"Replace the connection"/);
    expect(signIn.portalFix).not.toContain('PATCH');
    const others = patched.body.verification.checks.filter((c) => c.name !== 'signIn');
    expect(others).toHaveLength(8);
    expect(others.every((c) => !c.ok && c.detail.startsWith('not checked') && c.blockedBy === 'signIn')).toBe(true);
    expect(patched.text).not.toContain(WRONG_SECRET);

    // Rotating back to the right secret fixes it at once (no cached credential survives a change).
    const fixed = await api<{ verification: VerificationBody }>('PATCH', `/tenants/${FABRIKAM.id}`, {
      token: admin,
      body: { connection: connectFabrikam.connection },
    });
    expect(fixed.body.verification.ok, JSON.stringify(fixed.body.verification)).toBe(true);
  });

  it('a federated JIT domain is refused with a clear message; an unknown one is named', async () => {
    // Refused at once (test/e2e/tenantJitDomain.test.ts covers POST too); nothing changes.
    const federated = await api<{ errors: { field: string; message: string }[] }>('PATCH', `/tenants/${CONTOSO.id}`, {
      token: admin,
      body: { jitDomain: 'fed.contoso.example' },
    });
    expect(federated.status, federated.text).toBe(400);
    expect(federated.body.errors).toEqual([
      {
        field: 'jitDomain',
        message: expect.stringMatching(
          /^fed\.contoso\.example is a federated domain of tenant .*managed, verified domain/,
        ) as unknown,
      },
    ]);
    expect((await api('GET', `/tenants/${CONTOSO.id}`, { token: admin })).body).toMatchObject({
      jitDomain: 'contoso.example',
    });

    const unknown = await api<{ verification: VerificationBody }>('PATCH', `/tenants/${CONTOSO.id}`, {
      token: admin,
      body: { jitDomain: 'nowhere.example' },
    });
    expect(checkOf(unknown.body.verification, 'jitDomain').detail).toBe(
      `domain nowhere.example does not exist in tenant ${CONTOSO.id}`,
    );

    const restored = await api<{ verification: VerificationBody }>('PATCH', `/tenants/${CONTOSO.id}`, {
      token: admin,
      body: { jitDomain: 'contoso.example' },
    });
    expect(restored.body.verification.ok).toBe(true);
  });

  it('a missing Graph permission: the permissions check names it, the read it breaks fails naming what it needs', async () => {
    await patchSandboxApp(FABRIKAM.id, fabrikamApp.clientId, {
      appPermissions: FULL_APP_PERMISSIONS.filter(
        (p) => p !== 'RoleManagement.ReadWrite.Directory' && p !== 'Directory.Read.All',
      ),
    });
    try {
      const verification = await verify(FABRIKAM.id);
      expect(verification.ok).toBe(false);
      const permissions = checkOf(verification, 'permissions');
      expect(permissions.ok).toBe(false);
      expect(permissions.detail).toBe(
        "missing Microsoft Graph application permission(s): RoleManagement.ReadWrite.Directory (to assign and remove directory roles); Directory.Read.All (to read an account's group and role memberships (memberOf), which revocation and the reconciler check)",
      );
      expect(permissions.fix).toMatch(
        /API permissions, add the Microsoft Graph application permission\(s\) RoleManagement\.ReadWrite\.Directory, Directory\.Read\.All, then "Grant admin consent"/,
      );
      // memberOf is probed: without Directory.Read.All every revocation would fail, so verify fails first.
      const memberships = checkOf(verification, 'readMemberships');
      expect(memberships.ok).toBe(false);
      expect(memberships.detail).toMatch(/needs Directory\.Read\.All in this tenant/);
      const roles = checkOf(verification, 'readRoleDefinitions');
      expect(roles.ok).toBe(false);
      expect(roles.detail).toMatch(/needs RoleManagement\.Read\.Directory/);
      expect(checkOf(verification, 'signIn').ok).toBe(true);
      expect(checkOf(verification, 'jitDomain').ok).toBe(true);
      expect(checkOf(verification, 'readUsers').ok).toBe(true);
    } finally {
      await patchSandboxApp(FABRIKAM.id, fabrikamApp.clientId, { appPermissions: [...FULL_APP_PERMISSIONS] });
    }
  });

  it('a missing directory role: passwordResetRole says what the service principal holds and what it lacks', async () => {
    await patchSandboxApp(FABRIKAM.id, fabrikamApp.clientId, {
      directoryRoles: [ROLE_TEMPLATES.privilegedRoleAdministrator],
    });
    try {
      const verification = await verify(FABRIKAM.id);
      const role = checkOf(verification, 'passwordResetRole');
      expect(role.ok).toBe(false);
      expect(role.detail).toBe(
        `service principal "Entra JIT (MSP)" (${fabrikamApp.servicePrincipalId}) holds Privileged Role Administrator; it needs Privileged Authentication Administrator: an app needs a directory role to change any user's password, and that one to set the password of, enable or disable an account that holds admin roles`,
      );
      expect(role.fix).toContain(
        'Roles and administrators → Privileged Authentication Administrator → Add assignments',
      );
      expect(verification.checks.filter((c) => c.name !== 'passwordResetRole').every((c) => c.ok)).toBe(true);
    } finally {
      await patchSandboxApp(FABRIKAM.id, fabrikamApp.clientId, {
        directoryRoles: [
          ROLE_TEMPLATES.privilegedAuthenticationAdministrator,
          ROLE_TEMPLATES.privilegedRoleAdministrator,
        ],
      });
    }
  });
});

describe('targets', () => {
  const base = { targetId: 'fab-helpdesk', name: 'Fabrikam helpdesk', kind: 'adminAccount' };
  const helpdeskGroup = FABRIKAM.groups[0]?.id ?? '';
  const plainGroup = FABRIKAM.groups[1]?.id ?? '';

  it('refuses what the tenant does not have or what makes no sense, naming each field; nothing is created', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ roles: [{ templateId: '00000000-0000-4000-8000-000000000001' }] }, 'roles.0.templateId', /no directory role/],
      [{ groups: [{ id: '4d000000-0000-4000-8000-000000000000' }] }, 'groups.0.id', /no group/],
      [{ kind: 'elevation', groups: [{ id: plainGroup }] }, 'groups.0.id', /not role-assignable/],
      // A field of another kind means nothing here: named, not silently stored.
      [
        { kind: 'elevation', credentialType: 'password' },
        'credentialType',
        /only to adminAccount targets, not to elevation/,
      ],
      [{ kind: 'elevation', cleanupAfterDaysUnused: 30 }, 'cleanupAfterDaysUnused', /only to adminAccount targets/],
      [{ maxDuration: 'P8D' }, 'maxDuration', /at most P7D/],
      [{ minDuration: 'PT2H', maxDuration: 'PT1H', defaultDuration: 'PT1H' }, 'minDuration', /at most maxDuration/],
      [{ defaultDuration: 'PT10H' }, 'defaultDuration', /at most maxDuration \(PT8H\)/],
      [{ accessDetails: 'x'.repeat(401) }, 'accessDetails', /400/],
      [
        { temporaryAccessPassUsableOnce: true },
        'temporaryAccessPassUsableOnce',
        /only to targets whose credentialType is 'temporaryAccessPass'/,
      ],
      [
        { approval: { mode: 'required', approvers: [{ type: 'robot', id: HOME_USERS.bob.id }] } },
        'approval.approvers.0.type',
        /./,
      ],
    ];
    for (const [extra, field, message] of cases) {
      const response = await api<{ errors: { field: string; message: string }[] }>(
        'POST',
        `/tenants/${FABRIKAM.id}/targets`,
        { token: admin, body: { ...base, ...extra } },
      );
      expect(response.status, `${JSON.stringify(extra)}: ${response.text}`).toBe(400);
      const named = response.body.errors.find((e) => e.field === field);
      expect(named?.message, `${JSON.stringify(extra)}: ${response.text}`).toMatch(message);
    }
    expect((await api('GET', `/tenants/${FABRIKAM.id}/targets/${base.targetId}`, { token: admin })).status).toBe(404);
    expect(
      (await api('POST', `/tenants/${CONTOSO.id.replace(/^6/, '7')}/targets`, { token: admin, body: base })).status,
    ).toBe(404);
  });

  it('creates with role names from the directory, changes under ETags, and deletes', async () => {
    const created = await api<Record<string, unknown>>('POST', `/tenants/${FABRIKAM.id}/targets`, {
      token: admin,
      body: {
        ...base,
        roles: [{ templateId: ROLE_TEMPLATES.helpdeskAdministrator.toUpperCase() }],
        groups: [{ id: helpdeskGroup }],
        minDuration: 'PT1S',
        defaultDuration: 'PT1M',
        maxDuration: 'PT2H',
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      tenantId: FABRIKAM.id,
      roles: [{ templateId: ROLE_TEMPLATES.helpdeskAdministrator, displayName: 'Helpdesk Administrator' }],
      groups: [{ id: helpdeskGroup, displayName: 'JIT Helpdesk Operators' }],
      approval: { mode: 'none' },
      credentialType: 'password',
    });
    const etag = created.headers.get('etag') ?? '';
    const patched = await api('PATCH', `/tenants/${FABRIKAM.id}/targets/${base.targetId}`, {
      token: admin,
      body: { accessDetails: 'Use the Fabrikam portal', requireTicket: true },
      headers: { 'If-Match': etag },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ accessDetails: 'Use the Fabrikam portal', requireTicket: true });
    const stale = await api('PATCH', `/tenants/${FABRIKAM.id}/targets/${base.targetId}`, {
      token: admin,
      body: { requireTicket: false },
      headers: { 'If-Match': etag },
    });
    expect(stale.status, stale.text).toBe(412);
    const cleared = await api('PATCH', `/tenants/${FABRIKAM.id}/targets/${base.targetId}`, {
      token: admin,
      body: { accessDetails: null, requireTicket: false },
    });
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body).not.toHaveProperty('accessDetails');
    const list = await api<{ items: { targetId: string }[] }>('GET', `/tenants/${FABRIKAM.id}/targets`, {
      token: admin,
    });
    expect(list.body.items.map((i) => i.targetId)).toEqual([base.targetId]);
  });

  it("keeps to each kind's fields: another kind's field is refused by name; a new kind leaves the old kind's fields behind", async () => {
    const path = `/tenants/${FABRIKAM.id}/targets/fab-kinds`;
    const created = await api('POST', `/tenants/${FABRIKAM.id}/targets`, {
      token: admin,
      body: { ...base, targetId: 'fab-kinds', cleanupAfterDaysUnused: 30 },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'adminAccount',
      credentialType: 'password',
      cleanupAfterDaysUnused: 30,
    });

    const mixed = await api<{ errors: { field: string; message: string }[] }>('PATCH', path, {
      token: admin,
      body: { kind: 'elevation', credentialType: 'temporaryAccessPass' },
    });
    expect(mixed.status, mixed.text).toBe(400);
    expect(mixed.body.errors).toEqual([
      { field: 'credentialType', message: expect.stringMatching(/only to adminAccount targets/) as string },
    ]);
    expect((await api('GET', path, { token: admin })).body).toMatchObject({ kind: 'adminAccount' });

    const elevated = await api('PATCH', path, { token: admin, body: { kind: 'elevation' } });
    expect(elevated.status, elevated.text).toBe(200);
    expect(elevated.body).toMatchObject({ kind: 'elevation', name: base.name });
    expect(elevated.body).not.toHaveProperty('credentialType');
    expect(elevated.body).not.toHaveProperty('cleanupAfterDaysUnused');

    const stray = await api<{ errors: { field: string; message: string }[] }>('PATCH', path, {
      token: admin,
      body: { cleanupAfterDaysUnused: 7 },
    });
    expect(stray.status, stray.text).toBe(400);
    expect(stray.body.errors.map((e) => e.field)).toEqual(['cleanupAfterDaysUnused']);

    const back = await api('PATCH', path, { token: admin, body: { kind: 'adminAccount' } });
    expect(back.status, back.text).toBe(200);
    expect(back.body).toMatchObject({ kind: 'adminAccount', credentialType: 'password' });
    expect((await api('DELETE', path, { token: admin })).status).toBe(204);
  });
});

describe('rules', () => {
  it('refuses references to targets or tenants that do not exist', async () => {
    const missingTarget = await api<{ errors: { field: string; message: string }[] }>('POST', '/rules', {
      token: admin,
      body: {
        ruleId: 'dangling',
        principal: { type: 'user', id: HOME_USERS.dave.id },
        scope: { targets: [{ tenantId: FABRIKAM.id, targetId: 'no-such-target' }] },
      },
    });
    expect(missingTarget.status, missingTarget.text).toBe(400);
    expect(missingTarget.body.errors).toEqual([
      { field: 'scope.targets.0', message: `target 'no-such-target' does not exist in tenant ${FABRIKAM.id}` },
    ]);
    const missingTenant = await api('POST', '/rules', {
      token: admin,
      body: {
        ruleId: 'dangling',
        principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
        scope: { tenants: ['00000000-0000-4000-8000-000000000009'] },
      },
    });
    expect(missingTenant.status, missingTenant.text).toBe(400);
    expect((await api('GET', '/rules/dangling', { token: admin })).status).toBe(404);
  });
});

describe('non-admins', () => {
  it('are refused on every configuration endpoint (403 with a token, 401 without), and nothing changes', async () => {
    const adminOps = HTTP_OPERATIONS.filter((op) => op.access === 'admin');
    expect(adminOps.length).toBeGreaterThanOrEqual(17);
    const params: Record<string, string> = { tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID, ruleId: DEMO_RULE_ID };
    for (const op of adminOps) {
      const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => params[name] ?? 'x');
      const body = exampleOf(op.operationId)?.body;
      const asTechnician = await api(op.method, path, { token: alice, ...(body !== undefined ? { body } : {}) });
      expect(asTechnician.status, `${op.method} ${path}: ${asTechnician.text}`).toBe(403);
      const anonymous = await api(op.method, path, body !== undefined ? { body } : {});
      expect(anonymous.status, `${op.method} ${path} without a token`).toBe(401);
    }
    const approver = await t.client.token(HOME_USERS.bob.userPrincipalName);
    expect((await api('GET', '/tenants', { token: approver })).status).toBe(403);
    expect((await api('GET', `/tenants/${CONTOSO.id}`, { token: admin })).status).toBe(200);
    expect((await api('GET', `/tenants/${CONTOSO.id}/targets/${DEMO_TARGET_ID}`, { token: admin })).status).toBe(200);
    expect((await api('GET', `/rules/${DEMO_RULE_ID}`, { token: admin })).status).toBe(200);
  });
});

describe('deleting a tenant', () => {
  it('with a live lease is refused naming it; with force=true the lease is revoked, then the tenant, its targets, rules and secret go', async () => {
    const rule = await api('POST', '/rules', {
      token: admin,
      body: {
        ruleId: 'alice-fabrikam',
        principal: { type: 'user', id: HOME_USERS.alice.id },
        scope: { tenants: [FABRIKAM.id] },
        maxDuration: 'PT30M',
      },
    });
    expect(rule.status, rule.text).toBe(201);
    const submit = await api<{ id: string }>('POST', '/requests', {
      token: alice,
      body: { tenantId: FABRIKAM.id, targetId: 'fab-helpdesk', duration: 'PT10M' },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = submit.body.id;
    const active = await t.client.waitForRequest(id, alice, (r) => r.status === 'active');
    const account = active.account as { userPrincipalName: string; objectId: string };
    expect(userState(await t.client.state(), FABRIKAM.id, account.userPrincipalName)?.accountEnabled).toBe(true);

    const refused = await api<{ liveRequests: { id: string }[]; detail: string }>('DELETE', `/tenants/${FABRIKAM.id}`, {
      token: admin,
    });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.liveRequests.map((r) => r.id)).toEqual([id]);
    expect(refused.body.detail).toContain(id);
    const targetRefused = await api('DELETE', `/tenants/${FABRIKAM.id}/targets/fab-helpdesk`, { token: admin });
    expect(targetRefused.status, targetRefused.text).toBe(409);

    const forced = await api<Record<string, unknown>>('DELETE', `/tenants/${FABRIKAM.id}?force=true`, { token: admin });
    expect(forced.status, forced.text).toBe(200);
    expect(forced.body).toMatchObject({
      deleted: true,
      revokedRequests: [id],
      pendingRequests: [],
      deletedTargets: ['fab-helpdesk'],
      changedRules: ['alice-fabrikam'],
    });

    const ended = await api('GET', `/requests/${id}`, { token: alice });
    expect(ended.body).toMatchObject({ status: 'ended', endReason: 'revoked' });
    const state = await t.client.state();
    expect(userState(state, FABRIKAM.id, account.userPrincipalName)?.accountEnabled).toBe(false);
    expect(tenantState(state, FABRIKAM.id).roleAssignments.filter((a) => a.principalId === account.objectId)).toEqual(
      [],
    );
    expect(state.keyVault.secrets.find((s) => s.name === `tenant-${FABRIKAM.id}`)?.deleted ?? true).toBe(true);
    expect((await api('GET', `/tenants/${FABRIKAM.id}`, { token: admin })).status).toBe(404);
    expect((await api('GET', '/rules/alice-fabrikam', { token: admin })).status).toBe(404);
    expect(await getServices().deps.config.listTargets(FABRIKAM.id)).toEqual([]);
    expect(
      (await api('POST', '/requests', { token: alice, body: { tenantId: FABRIKAM.id, targetId: 'fab-helpdesk' } }))
        .status,
    ).toBe(404);
  });
});

describe('secrets', () => {
  it('no client secret appears in any response, table row or log line', async () => {
    const secrets = [fabrikamApp.clientSecret, contosoApp.clientSecret, WRONG_SECRET];
    for (const text of responses)
      for (const secret of secrets) expect(text.includes(secret), 'a response held a secret').toBe(false);

    const service = TableServiceClient.fromConnectionString(t.stack.tablesConnectionString, {
      allowInsecureConnection: true,
    });
    let rows = 0;
    for await (const table of service.listTables()) {
      if (table.name === undefined) continue;
      const client = TableClient.fromConnectionString(t.stack.tablesConnectionString, table.name, {
        allowInsecureConnection: true,
      });
      for await (const entity of client.listEntities()) {
        rows += 1;
        const text = JSON.stringify(entity);
        for (const secret of secrets) expect(text.includes(secret), `table ${table.name} held a secret`).toBe(false);
      }
    }
    expect(rows).toBeGreaterThan(10);

    const logs = [...t.logs.map((l) => JSON.stringify(l)), ...consoleLines];
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs)
      for (const secret of secrets)
        expect(line.includes(secret), `a log line held a secret: ${line.slice(0, 200)}`).toBe(false);
  });
});
