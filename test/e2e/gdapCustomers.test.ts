import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CONTOSO,
  FABRIKAM,
  HOME_GDAP,
  HOME_TENANT,
  HOME_USERS,
  NORTHWIND_TENANT_ID,
  ROLE_TEMPLATES,
  SERVICE_APP,
  TAILSPIN_TENANT_ID,
  seedAppOf,
} from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { useQuickStack } from '../support/stack';
import { connectHomeTenant } from './workflowSupport';

/**
 * GET /customers and POST /customers/connect end to end: the MSP's GDAP customers read from its
 * home tenant through the sandbox's Graph, connected many at once, each reported on its own.
 */
const t = useQuickStack();
const fabrikamApp = seedAppOf(FABRIKAM);

interface CustomerList {
  items: {
    tenantId: string;
    displayName: string;
    status: string;
    connected: boolean;
    jitDomain: string | null;
    relationships: { id: string; status: string; roles: { templateId: string; name: string }[] }[];
  }[];
  summary: { customers: number; active: number; connected: number };
}

interface ConnectResult {
  items: {
    tenantId: string;
    status: number;
    outcome: string;
    detail: string | null;
    tenant: { tenantId: string; displayName: string; verification: { ok: boolean } | null } | null;
  }[];
  summary: { connected: number; alreadyConnected: number; refused: number };
}

const admin = (): Promise<string> => t.client.token(HOME_USERS.carol.userPrincipalName);

async function tenantIds(): Promise<string[]> {
  const res = await t.client.api<{ items: { tenantId: string }[] }>('GET', '/tenants', { token: await admin() });
  expect(res.status, res.text).toBe(200);
  return res.body.items.map((i) => i.tenantId).sort();
}

const fabrikamItem = {
  tenantId: FABRIKAM.id,
  jitDomain: 'fabrikam.example',
  connection: { mode: 'clientSecret', clientId: fabrikamApp.clientId, clientSecret: fabrikamApp.clientSecret },
};

describe('GDAP customers', () => {
  it('needs the home tenant connected, where GDAP is read (409 saying so)', async () => {
    const res = await t.client.api<{ detail: string }>('GET', '/customers', { token: await admin() });
    expect(res.status, res.text).toBe(409);
    expect(res.body.detail).toMatch(/home tenant .* is not connected.*DelegatedAdminRelationship\.Read\.All/);
    await connectHomeTenant(getServices().deps);
  });

  it('lists every GDAP customer with its relationships, roles by name, and whether it is connected', async () => {
    const res = await t.client.api<CustomerList>('GET', '/customers', { token: await admin() });
    expect(res.status, res.text).toBe(200);
    const byId = new Map(res.body.items.map((c) => [c.tenantId, c]));
    expect(res.body.summary).toEqual({ customers: 4, active: 2, connected: 1 });
    expect(byId.get(CONTOSO.id)).toMatchObject({
      displayName: 'Contoso',
      status: 'active',
      connected: true,
      jitDomain: 'contoso.example',
      relationships: [
        {
          id: HOME_GDAP.contoso.id,
          status: 'active',
          roles: expect.arrayContaining([
            { templateId: ROLE_TEMPLATES.helpdeskAdministrator, name: 'Helpdesk Administrator' },
          ]) as unknown,
        },
      ],
    });
    expect(byId.get(FABRIKAM.id)).toMatchObject({ status: 'active', connected: false, jitDomain: null });
    expect(byId.get(NORTHWIND_TENANT_ID)).toMatchObject({
      displayName: 'Northwind Traders',
      status: 'inactive',
      relationships: [{ status: 'expired' }],
    });
    expect(byId.get(TAILSPIN_TENANT_ID)).toMatchObject({
      status: 'inactive',
      relationships: [{ status: 'approvalPending' }],
    });
  });

  it('is for admins only', async () => {
    const technician = await t.client.token(HOME_USERS.alice.userPrincipalName);
    expect((await t.client.api('GET', '/customers', { token: technician })).status).toBe(403);
    const connect = await t.client.api('POST', '/customers/connect', {
      token: technician,
      body: { customers: [fabrikamItem] },
    });
    expect(connect.status).toBe(403);
  });

  it('refuses a malformed body as a whole, naming the field, and connects nothing', async () => {
    const token = await admin();
    const before = await tenantIds();
    const twice = await t.client.api<{ errors: { field: string; message: string }[] }>('POST', '/customers/connect', {
      token,
      body: { customers: [fabrikamItem, { ...fabrikamItem, tenantId: FABRIKAM.id.toUpperCase() }] },
    });
    expect(twice.status, twice.text).toBe(400);
    expect(twice.body.errors).toEqual([{ field: 'customers.1.tenantId', message: `repeats tenant ${FABRIKAM.id}` }]);

    const tooMany = await t.client.api<{ errors: { field: string; message: string }[] }>('POST', '/customers/connect', {
      token,
      body: { customers: Array.from({ length: 51 }, () => ({ ...fabrikamItem, tenantId: randomUUID() })) },
    });
    expect(tooMany.status, tooMany.text).toBe(400);
    expect(tooMany.body.errors[0]?.field).toBe('customers');

    const badDomain = await t.client.api<{ errors: { field: string }[] }>('POST', '/customers/connect', {
      token,
      body: { customers: [{ ...fabrikamItem, jitDomain: 'not a domain' }] },
    });
    expect(badDomain.status, badDomain.text).toBe(400);
    expect(badDomain.body.errors[0]?.field).toBe('customers.0.jitDomain');
    expect(await tenantIds()).toEqual(before);
  });

  it('connects many at once, each on its own; a repeat with the key replays, a retry without it changes nothing', async () => {
    const token = await admin();
    const unknown = randomUUID();
    const body = {
      customers: [
        fabrikamItem,
        { ...fabrikamItem, tenantId: CONTOSO.id, jitDomain: 'contoso.example' },
        { ...fabrikamItem, tenantId: NORTHWIND_TENANT_ID, jitDomain: 'northwind.example' },
        { ...fabrikamItem, tenantId: TAILSPIN_TENANT_ID, jitDomain: 'tailspin.example' },
        { ...fabrikamItem, tenantId: unknown, jitDomain: 'unknown.example' },
      ],
    };
    const key = `gdap-${randomUUID()}`;
    const first = await t.client.api<ConnectResult>('POST', '/customers/connect', {
      token,
      body,
      headers: { 'Idempotency-Key': key },
    });
    expect(first.status, first.text).toBe(200);
    expect(first.body.items.map((i) => [i.tenantId, i.status, i.outcome])).toEqual([
      [FABRIKAM.id, 201, 'connected'],
      [CONTOSO.id, 200, 'alreadyConnected'],
      [NORTHWIND_TENANT_ID, 409, 'refused'],
      [TAILSPIN_TENANT_ID, 409, 'refused'],
      [unknown, 404, 'refused'],
    ]);
    expect(first.body.summary).toEqual({ connected: 1, alreadyConnected: 1, refused: 3 });
    expect(first.body.items[0]?.tenant).toMatchObject({ displayName: 'Fabrikam', verification: { ok: true } });
    expect(first.body.items[2]?.detail).toMatch(/no active GDAP relationship.*'MSP-Northwind-2025' is expired/);
    expect(first.body.items[3]?.detail).toMatch(/approvalPending/);
    expect(first.body.items[4]?.detail).toBe(
      `tenant ${unknown} is not a GDAP customer of the home tenant ${HOME_TENANT.id}`,
    );
    expect(first.text).not.toContain(fabrikamApp.clientSecret);

    const replay = await t.client.api<ConnectResult>('POST', '/customers/connect', {
      token,
      body,
      headers: { 'Idempotency-Key': key },
    });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);

    const otherBody = await t.client.api('POST', '/customers/connect', {
      token,
      body: { customers: [fabrikamItem] },
      headers: { 'Idempotency-Key': key },
    });
    expect(otherBody.status).toBe(422);

    const retry = await t.client.api<ConnectResult>('POST', '/customers/connect', { token, body });
    expect(retry.body.items[0]).toMatchObject({ tenantId: FABRIKAM.id, status: 200, outcome: 'alreadyConnected' });

    const audit = await t.client.api<{ items: { action: string }[] }>(
      'GET',
      `/audit?tenantId=${FABRIKAM.id}&action=tenant.created`,
      { token },
    );
    expect(audit.status, audit.text).toBe(200);
    expect(audit.body.items).toHaveLength(1);
    expect(await tenantIds()).toEqual([CONTOSO.id, FABRIKAM.id, HOME_TENANT.id].sort());

    const list = await t.client.api<CustomerList>('GET', '/customers', { token });
    expect(list.body.items.find((c) => c.tenantId === FABRIKAM.id)).toMatchObject({
      connected: true,
      jitDomain: 'fabrikam.example',
    });
  });

  it("without DelegatedAdminRelationship.Read.All on the home tenant's app: a 502 naming the permission", async () => {
    const patch = (appPermissions: readonly string[]) =>
      t.client.sandbox('PATCH', `/_sandbox/tenants/${HOME_TENANT.id}/apps/${SERVICE_APP.clientId}`, {
        appPermissions,
      });
    expect((await patch(SERVICE_APP.appPermissions.filter((p) => !p.startsWith('DelegatedAdmin')))).status).toBe(204);
    try {
      getServices().deps.directories.forget(HOME_TENANT.id); // its next token is minted without the permission
      const res = await t.client.api<{ detail: string }>('GET', '/customers', { token: await admin() });
      expect(res.status, res.text).toBe(502);
      expect(res.body.detail).toMatch(/needs DelegatedAdminRelationship\.Read\.All/);
    } finally {
      await patch(SERVICE_APP.appPermissions);
      getServices().deps.directories.forget(HOME_TENANT.id);
    }
  });
});
