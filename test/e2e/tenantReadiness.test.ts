import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, FABRIKAM, HOME_USERS, ROLE_TEMPLATES, seedAppOf } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * GET /tenants/readiness: one list of every connected tenant's readiness, from the verifications the
 * service kept. Contoso (the demo, connected and verified through the API) is ready; Fabrikam's
 * service principal loses Privileged Authentication Administrator and is verified again; a third
 * tenant written straight to the store was never verified.
 */
let t: TestStack;
let admin = '';
const fabrikamApp = seedAppOf(FABRIKAM);
const NEVER_VERIFIED = '9f000000-0000-4000-8000-0000000000aa';

interface Readiness {
  items: {
    tenantId: string;
    displayName: string;
    tags: string[];
    status: string;
    lastVerifiedAt: string | null;
    failing: { name: string; detail: string; fix: string | null }[];
  }[];
  summary: { tenants: number; ready: number; notReady: number; unverified: number };
}

async function readiness(query = ''): Promise<Readiness> {
  const res = await t.client.api<Readiness>('GET', `/tenants/readiness${query}`, { token: admin });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function setFabrikamRoles(roles: string[]): Promise<void> {
  const res = await t.client.sandbox('PATCH', `/_sandbox/tenants/${FABRIKAM.id}/apps/${fabrikamApp.clientId}`, {
    directoryRoles: roles,
  });
  expect(res.status, res.text).toBe(204);
}

async function verifyFabrikam(): Promise<void> {
  const res = await t.client.api('POST', `/tenants/${FABRIKAM.id}/verify`, { token: admin });
  expect(res.status, res.text).toBe(200);
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
  const connected = await t.client.api('POST', '/tenants', {
    token: admin,
    body: {
      tenantId: FABRIKAM.id,
      displayName: 'Fabrikam',
      jitDomain: 'fabrikam.example',
      tags: ['gold'],
      connection: { mode: 'clientSecret', clientId: fabrikamApp.clientId, clientSecret: fabrikamApp.clientSecret },
    },
  });
  expect(connected.status, connected.text).toBe(201);
  const now = new Date().toISOString();
  await getServices().deps.config.createTenant({
    tenantId: NEVER_VERIFIED,
    displayName: 'Zeta (never verified)',
    jitDomain: 'zeta.example',
    connection: { mode: 'federated' },
    protectedAccounts: [],
    createdAt: now,
    updatedAt: now,
  });
}, 60_000);

afterAll(async () => {
  await t?.stack.close();
});

describe('GET /tenants/readiness', () => {
  it('lists every tenant: verified and ready, or never verified', async () => {
    const list = await readiness();
    expect(list.items.map((i) => [i.tenantId, i.status])).toEqual([
      [CONTOSO.id, 'ready'],
      [FABRIKAM.id, 'ready'],
      [NEVER_VERIFIED, 'unverified'],
    ]);
    expect(list.items[1]).toMatchObject({ displayName: 'Fabrikam', tags: ['gold'], failing: [] });
    expect(Date.parse(list.items[1]?.lastVerifiedAt ?? '')).not.toBeNaN();
    expect(list.items[2]).toMatchObject({ lastVerifiedAt: null, failing: [] });
    expect(list.summary).toEqual({ tenants: 3, ready: 2, notReady: 0, unverified: 1 });
  });

  it('a failing check shows with its fix: for the missing role, the one command a Global Administrator runs', async () => {
    await setFabrikamRoles([ROLE_TEMPLATES.privilegedRoleAdministrator]);
    try {
      const before = (await readiness()).items.find((i) => i.tenantId === FABRIKAM.id)?.lastVerifiedAt ?? '';
      await verifyFabrikam();
      const list = await readiness('?status=notReady');
      expect(list.items.map((i) => i.tenantId)).toEqual([FABRIKAM.id]);
      const fabrikam = list.items[0];
      expect(fabrikam?.failing.map((c) => c.name)).toEqual(['passwordResetRole']);
      expect(fabrikam?.failing[0]?.fix).toContain(
        `Connect-MgGraph -TenantId ${FABRIKAM.id} -Scopes RoleManagement.ReadWrite.Directory; New-MgRoleManagementDirectoryRoleAssignment -PrincipalId ${fabrikamApp.servicePrincipalId} -RoleDefinitionId 7be44c8a-adaf-4e2a-84d6-ab2649e08a13 -DirectoryScopeId '/'`,
      );
      expect(Date.parse(fabrikam?.lastVerifiedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(before));
      expect(list.summary).toEqual({ tenants: 3, ready: 1, notReady: 1, unverified: 1 });
    } finally {
      await setFabrikamRoles([
        ROLE_TEMPLATES.privilegedAuthenticationAdministrator,
        ROLE_TEMPLATES.privilegedRoleAdministrator,
      ]);
    }
    await verifyFabrikam();
    expect((await readiness('?status=notReady')).items).toEqual([]);
  });

  it('consent-url instructions carry the same command, naming the service principal by its app id (it exists only after consent)', async () => {
    const consent = await t.client.api<{ instructions: string }>('GET', `/tenants/${FABRIKAM.id}/consent-url`, {
      token: admin,
    });
    expect(consent.status, consent.text).toBe(200);
    expect(consent.body.instructions).toContain(
      `New-MgRoleManagementDirectoryRoleAssignment -PrincipalId (Get-MgServicePrincipal -Filter "appId eq '${fabrikamApp.clientId}'").Id -RoleDefinitionId 7be44c8a-adaf-4e2a-84d6-ab2649e08a13 -DirectoryScopeId '/'`,
    );
  });

  it('a disconnected tenant leaves the list, and its kept verification goes with it', async () => {
    const read = await t.client.api('GET', `/tenants/${FABRIKAM.id}`, { token: admin });
    const deleted = await t.client.api('DELETE', `/tenants/${FABRIKAM.id}`, {
      token: admin,
      headers: { 'If-Match': read.headers.get('etag') ?? '' },
    });
    expect(deleted.status, deleted.text).toBe(200);
    expect((await readiness()).items.map((i) => i.tenantId)).toEqual([CONTOSO.id, NEVER_VERIFIED]);
    expect((await getServices().deps.config.listVerifications()).map((v) => v.tenantId)).not.toContain(FABRIKAM.id);
  });

  it('a bad filter is a 400 naming it; a technician is refused', async () => {
    const bad = await t.client.api<{ errors: { field: string }[] }>('GET', '/tenants/readiness?status=broken', {
      token: admin,
    });
    expect(bad.status, bad.text).toBe(400);
    expect(bad.body.errors.map((e) => e.field)).toEqual(['status']);
    const technician = await t.client.api('GET', '/tenants/readiness', {
      token: await t.client.token(HOME_USERS.alice.userPrincipalName),
    });
    expect(technician.status, technician.text).toBe(403);
  });
});
