import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, FABRIKAM, HOME_TENANT, HOME_USERS, ROLE_TEMPLATES, seedAppOf } from '../../local/sandbox/seed';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Target templates end to end: one template for every connected tenant, with a group named the
 * same way in each. Contoso (connected by the demo) has "JIT Helpdesk Operators", the home tenant
 * (connected first here) has not: its result says so and it gets nothing. Fabrikam is connected
 * later and gets the target on connection. Drift, versions, If-Match, bad input and deletion.
 */
let t: TestStack;
let admin = '';
let technician = '';
const TEMPLATE = 'helpdesk-standard';
const GROUP = 'JIT Helpdesk Operators';
const fabrikamApp = seedAppOf(FABRIKAM);

const BODY = {
  name: 'Helpdesk (standard)',
  kind: 'adminAccount',
  roles: [ROLE_TEMPLATES.helpdeskAdministrator],
  groups: [GROUP],
  defaultDuration: 'PT1H',
  maxDuration: 'PT4H',
  applyTo: { allTenants: true },
  applyToNewTenants: true,
};

interface Target {
  tenantId: string;
  targetId: string;
  maxDuration: string;
  requireTicket: boolean;
  groups: { id: string; displayName?: string }[];
  roles: { templateId: string; displayName?: string }[];
  template?: { templateId: string; version: number };
}
interface ApplyResult {
  version: number;
  results: { tenantId: string; outcome: string; detail?: string }[];
  progress: { done: number; total: number };
  continuationToken: string | null;
}
interface TenantStatus {
  tenantId: string;
  status: string;
  driftedFields: string[];
  detail?: string;
  targetVersion: number | null;
}
interface Problem {
  detail: string;
  errors?: { field: string; message: string }[];
}

async function apply(body: Record<string, unknown> = {}): Promise<ApplyResult> {
  const res = await t.client.api<ApplyResult>('POST', `/templates/${TEMPLATE}/apply`, { token: admin, body });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function statuses(): Promise<Map<string, TenantStatus>> {
  const res = await t.client.api<{ items: TenantStatus[] }>('GET', `/templates/${TEMPLATE}/tenants`, { token: admin });
  expect(res.status, res.text).toBe(200);
  return new Map(res.body.items.map((i) => [i.tenantId, i]));
}

async function targetIn(tenantId: string): Promise<{ status: number; body: Target; etag: string | null }> {
  const res = await t.client.api<Target>('GET', `/tenants/${tenantId}/targets/${TEMPLATE}`, { token: admin });
  return { status: res.status, body: res.body, etag: res.headers.get('etag') };
}

async function auditActions(tenantId: string): Promise<{ action: string; details: Record<string, unknown> }[]> {
  const res = await t.client.api<{
    items: { action: string; targetId: string | null; details: Record<string, unknown> }[];
  }>('GET', `/audit?tenantId=${tenantId}`, { token: admin });
  expect(res.status, res.text).toBe(200);
  return res.body.items.filter((i) => i.targetId === TEMPLATE);
}

function groupIdIn(tenant: typeof CONTOSO, name: string): string {
  const group = tenant.groups.find((g) => g.displayName === name);
  if (group === undefined) throw new Error(`no seeded group ${name}`);
  return group.id;
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
  technician = await t.client.token(HOME_USERS.alice.userPrincipalName);
  const home = seedAppOf(HOME_TENANT);
  const connected = await t.client.api('POST', '/tenants', {
    token: admin,
    body: {
      tenantId: HOME_TENANT.id,
      displayName: 'MSP (home)',
      jitDomain: 'msp.example',
      connection: { mode: 'clientSecret', clientId: home.clientId, clientSecret: home.clientSecret },
    },
  });
  expect(connected.status, connected.text).toBe(201);
}, 60_000);

afterAll(async () => {
  await t?.stack.close();
});

describe('target templates', () => {
  it('refuses bad templates with a 400 naming the field, and non-admins with a 403, storing nothing', async () => {
    const cases: { body: Record<string, unknown>; field: string }[] = [
      { body: { templateId: 'x', ...BODY, colour: 'red' }, field: '(body)' },
      { body: { templateId: 'x', ...BODY, kind: 'elevation', credentialType: 'password' }, field: 'credentialType' },
      { body: { templateId: 'x', ...BODY, minDuration: 'PT5H' }, field: 'minDuration' },
      { body: { templateId: 'x', ...BODY, groups: [GROUP, GROUP.toUpperCase()] }, field: 'groups.1' },
      { body: { templateId: 'x', ...BODY, roles: ['not-a-guid'] }, field: 'roles.0' },
      { body: { templateId: 'x', ...BODY, applyTo: { everyone: true } }, field: 'applyTo' },
      { body: { templateId: 'Not A Slug', ...BODY }, field: 'templateId' },
    ];
    for (const { body, field } of cases) {
      const res = await t.client.api<Problem>('POST', '/templates', { token: admin, body });
      expect(res.status, res.text).toBe(400);
      expect(
        res.body.errors?.map((e) => e.field),
        res.text,
      ).toContain(field);
    }
    const forbidden = await t.client.api('POST', '/templates', {
      token: technician,
      body: { templateId: 'x', ...BODY },
    });
    expect(forbidden.status).toBe(403);
    const list = await t.client.api<{ items: unknown[] }>('GET', '/templates', { token: admin });
    expect(list.body.items).toEqual([]);
  });

  it('applies to every connected tenant: created where the group name resolves, failed (why) where it does not', async () => {
    const created = await t.client.api<{ version: number }>('POST', '/templates', {
      token: admin,
      body: { templateId: TEMPLATE, ...BODY },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.version).toBe(1);
    expect(created.headers.get('etag')).toBeTruthy();

    const applied = await apply();
    expect(applied.progress).toEqual({ done: 2, total: 2 });
    expect(applied.continuationToken).toBeNull();
    const outcome = new Map(applied.results.map((r) => [r.tenantId, r]));
    expect(outcome.get(CONTOSO.id)?.outcome).toBe('created');
    expect(outcome.get(HOME_TENANT.id)?.outcome).toBe('failed');
    expect(outcome.get(HOME_TENANT.id)?.detail).toContain(`no group named '${GROUP}'`);

    const contoso = await targetIn(CONTOSO.id);
    expect(contoso.status).toBe(200);
    expect(contoso.body.groups).toEqual([{ id: groupIdIn(CONTOSO, GROUP), displayName: GROUP }]);
    expect(contoso.body.roles.map((r) => r.templateId)).toEqual([ROLE_TEMPLATES.helpdeskAdministrator]);
    expect(contoso.body.template).toEqual({ templateId: TEMPLATE, version: 1 });
    expect((await targetIn(HOME_TENANT.id)).status).toBe(404);
    const audited = await auditActions(CONTOSO.id);
    expect(audited.map((a) => a.action)).toEqual(['target.created']);
    expect(audited[0]?.details.templateId).toBe(TEMPLATE);

    const drift = await statuses();
    expect(drift.get(CONTOSO.id)).toMatchObject({ status: 'inSync', driftedFields: [], targetVersion: 1 });
    expect(drift.get(HOME_TENANT.id)).toMatchObject({ status: 'failed', targetVersion: null });
    expect(drift.get(HOME_TENANT.id)?.detail).toContain(`no group named '${GROUP}'`);
  });

  it('is idempotent: applying again changes and audits nothing', async () => {
    const before = await targetIn(CONTOSO.id);
    const again = await apply({ tenants: [CONTOSO.id] });
    expect(again.results).toEqual([{ tenantId: CONTOSO.id, outcome: 'unchanged' }]);
    expect((await targetIn(CONTOSO.id)).etag).toBe(before.etag);
    expect((await auditActions(CONTOSO.id)).length).toBe(1);
  });

  it('shows a hand-made change as drift, and applying brings the target back in line', async () => {
    const { etag } = await targetIn(CONTOSO.id);
    const patched = await t.client.api('PATCH', `/tenants/${CONTOSO.id}/targets/${TEMPLATE}`, {
      token: admin,
      headers: { 'If-Match': etag ?? '' },
      body: { maxDuration: 'PT8H', groups: [] },
    });
    expect(patched.status, patched.text).toBe(200);
    expect((await statuses()).get(CONTOSO.id)).toMatchObject({
      status: 'drifted',
      driftedFields: ['maxDuration', 'groups'],
    });
    const applied = await apply({ tenants: [CONTOSO.id] });
    expect(applied.results[0]?.outcome).toBe('updated');
    expect((await targetIn(CONTOSO.id)).body.maxDuration).toBe('PT4H');
    expect((await statuses()).get(CONTOSO.id)?.status).toBe('inSync');
  });

  it('versions changes under If-Match; targets show the new version as drift until applied', async () => {
    const read = await t.client.api('GET', `/templates/${TEMPLATE}`, { token: admin });
    const etag = read.headers.get('etag') ?? '';
    const changed = await t.client.api<{ version: number }>('PUT', `/templates/${TEMPLATE}`, {
      token: admin,
      headers: { 'If-Match': etag },
      body: { ...BODY, requireTicket: true },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body.version).toBe(2);
    const stale = await t.client.api('PUT', `/templates/${TEMPLATE}`, {
      token: admin,
      headers: { 'If-Match': etag },
      body: BODY,
    });
    expect(stale.status).toBe(412);
    expect((await statuses()).get(CONTOSO.id)).toMatchObject({
      status: 'drifted',
      driftedFields: ['requireTicket'],
      targetVersion: 1,
    });
    expect((await apply({ tenants: [CONTOSO.id] })).results[0]?.outcome).toBe('updated');
    expect((await targetIn(CONTOSO.id)).body.template).toEqual({ templateId: TEMPLATE, version: 2 });
  });

  it('gives a tenant connected later the target, when the template says so', async () => {
    const connected = await t.client.api('POST', '/tenants', {
      token: admin,
      body: {
        tenantId: FABRIKAM.id,
        displayName: 'Fabrikam',
        jitDomain: 'fabrikam.example',
        connection: { mode: 'clientSecret', clientId: fabrikamApp.clientId, clientSecret: fabrikamApp.clientSecret },
      },
    });
    expect(connected.status, connected.text).toBe(201);
    const fabrikam = await targetIn(FABRIKAM.id);
    expect(fabrikam.status).toBe(200);
    expect(fabrikam.body.groups).toEqual([{ id: groupIdIn(FABRIKAM, GROUP), displayName: GROUP }]);
    expect(fabrikam.body.template).toEqual({ templateId: TEMPLATE, version: 2 });
    expect((await statuses()).get(FABRIKAM.id)?.status).toBe('inSync');
  });

  it('writes nothing in a tenant whose group is gone, and says why', async () => {
    const before = await targetIn(FABRIKAM.id);
    const deleted = await t.client.sandbox(
      'DELETE',
      `/_sandbox/tenants/${FABRIKAM.id}/groups/${groupIdIn(FABRIKAM, GROUP)}`,
    );
    expect(deleted.status, deleted.text).toBe(204);
    const changed = await t.client.api('PUT', `/templates/${TEMPLATE}`, {
      token: admin,
      body: { ...BODY, requireTicket: true, maxDuration: 'PT3H' },
    });
    expect(changed.status, changed.text).toBe(200);
    const applied = await apply({ tenants: [FABRIKAM.id, CONTOSO.id] });
    expect(applied.results).toEqual([
      { tenantId: FABRIKAM.id, outcome: 'failed', detail: `no group named '${GROUP}'` },
      { tenantId: CONTOSO.id, outcome: 'updated' },
    ]);
    const after = await targetIn(FABRIKAM.id);
    expect(after.etag).toBe(before.etag);
    expect(after.body.maxDuration).toBe('PT4H');
    expect((await statuses()).get(FABRIKAM.id)).toMatchObject({
      status: 'failed',
      detail: `no group named '${GROUP}'`,
      driftedFields: ['maxDuration'],
    });
  });

  it('refuses a bad apply with a 400 naming what is wrong', async () => {
    const cases: { body: Record<string, unknown>; field: string }[] = [
      { body: { tenants: ['9f000000-0000-4000-8000-0000000000aa'] }, field: 'tenants.0' },
      { body: { continuationToken: 'bm90IG91cnM' }, field: 'continuationToken' },
      { body: { tenants: [CONTOSO.id], continuationToken: 'x' }, field: 'continuationToken' },
      { body: { tenants: [] }, field: 'tenants' },
    ];
    for (const { body, field } of cases) {
      const res = await t.client.api<Problem>('POST', `/templates/${TEMPLATE}/apply`, { token: admin, body });
      expect(res.status, res.text).toBe(400);
      expect(
        res.body.errors?.map((e) => e.field),
        res.text,
      ).toContain(field);
    }
    const missing = await t.client.api('POST', '/templates/no-such-template/apply', { token: admin, body: {} });
    expect(missing.status).toBe(404);
  });

  it('deletes the template and keeps the targets it made, saying so', async () => {
    const deleted = await t.client.api<{ targetsKept: { tenantId: string; targetId: string }[] }>(
      'DELETE',
      `/templates/${TEMPLATE}`,
      { token: admin },
    );
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.body.targetsKept).toEqual(
      [CONTOSO.id, FABRIKAM.id].sort().map((tenantId) => ({ tenantId, targetId: TEMPLATE })),
    );
    expect((await targetIn(CONTOSO.id)).status).toBe(200);
    expect((await t.client.api('GET', `/templates/${TEMPLATE}`, { token: admin })).status).toBe(404);
  });
});
