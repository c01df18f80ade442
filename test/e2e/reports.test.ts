import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_USERS, ROLE_TEMPLATES, seedAppOf } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { startTestStack, type TestStack } from '../support/stack';
import { newTechnician } from './workflowSupport';

/**
 * Customer reports end to end on the local stack: a lease with an approver and a ticket, the JIT
 * account's sign-ins read from the sandbox's sign-in log, the configuration changes touching the
 * tenant, the audit chain's verification, as JSON, CSV and a printable page; and the refusals.
 */
let t: TestStack;
let admin: string;
const XSS_TARGET = 'report-xss';
const XSS_NAME = '<script>alert("x")</script>';
const INJECTED_TICKET = '=HYPERLINK("https://evil.example","click")';
const CONTOSO_APP = seedAppOf(CONTOSO);

async function setAppPermissions(permissions: readonly string[]): Promise<void> {
  const patched = await t.client.sandbox('PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${CONTOSO_APP.clientId}`, {
    appPermissions: permissions,
  });
  expect(patched.status, patched.text).toBe(204);
  // The service's cached Graph token still carries the old permissions: sign in afresh.
  getServices().deps.directories.forget(CONTOSO.id);
}

function period(): string {
  const from = new Date(Date.now() - 86_400_000).toISOString();
  const to = new Date(Date.now() + 86_400_000).toISOString();
  return `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
}

interface ReportLease {
  requestId: string;
  requester: string;
  targetName: string | null;
  roles: string[];
  approvers: string[];
  approval: string;
  ticket: string | null;
  endReason: string | null;
  durationMinutes: number | null;
  signIns:
    | { readable: true; entries: { errorCode: number; userPrincipalName: string }[] }
    | { readable: false; reason: string; detail: string };
}
interface Report {
  tenant: { displayName: string };
  chain: { intact: boolean; summary: string; records: number };
  leases: ReportLease[];
  configurationChanges: { action: string; subject: string; actor: string }[];
}

let requestId = '';
let password = '';
let technician = '';

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
  await setAppPermissions(CONTOSO_APP.appPermissions);
  const tech = await newTechnician(t.client, 'rep');
  technician = tech.upn;
  const created = await t.client.api('POST', `/tenants/${CONTOSO.id}/targets`, {
    token: admin,
    body: {
      targetId: XSS_TARGET,
      name: XSS_NAME,
      kind: 'adminAccount',
      roles: [{ templateId: ROLE_TEMPLATES.helpdeskAdministrator }],
      approval: { mode: 'required', approvers: [] },
      minDuration: 'PT1M',
    },
  });
  expect(created.status, created.text).toBe(201);
  const rule = await t.client.api('POST', '/rules', {
    token: admin,
    body: {
      ruleId: 'report-rule',
      principal: { type: 'user', id: tech.id },
      scope: { targets: [{ tenantId: CONTOSO.id, targetId: XSS_TARGET }] },
    },
  });
  expect(rule.status, rule.text).toBe(201);

  const token = await t.client.token(tech.upn);
  const submit = await t.client.api('POST', '/requests', {
    token,
    body: { tenantId: CONTOSO.id, targetId: XSS_TARGET, duration: 'PT1H', ticket: INJECTED_TICKET },
  });
  expect(submit.status, submit.text).toBe(202);
  requestId = String(submit.body.id);
  const bob = await t.client.token(HOME_USERS.bob.userPrincipalName);
  const approved = await t.client.api('POST', `/requests/${requestId}/approve`, { token: bob, body: {} });
  expect(approved.status, approved.text).toBe(202);
  await t.client.waitForRequest(requestId, token, (r) => r.status === 'active');
  const credential = await t.client.api('POST', `/requests/${requestId}/credential`, { token });
  expect(credential.status, credential.text).toBe(200);
  password = String(credential.body.password);
  const upn = String(credential.body.userPrincipalName);
  // The JIT account signs in to Contoso once, and once with a wrong password: the sandbox logs both.
  expect((await t.client.sandbox('POST', '/_sandbox/signin', { userPrincipalName: upn, password })).status).toBe(200);
  expect(
    (await t.client.sandbox('POST', '/_sandbox/signin', { userPrincipalName: upn, password: 'not-it' })).status,
  ).toBe(401);
  expect(
    (await t.client.api('POST', `/requests/${requestId}/revoke`, { token, body: { reason: 'done' } })).status,
  ).toBe(202);
  await t.client.waitForRequest(requestId, token, (r) => r.status === 'ended');
}, 120_000);

afterAll(async () => {
  await t?.stack.close();
});

describe('GET /tenants/{tenantId}/report', () => {
  it('lists the lease (requester, roles, approver, ticket, end), its sign-ins, the configuration changes and the chain', async () => {
    const response = await t.client.api<Report>('GET', `/tenants/${CONTOSO.id}/report?${period()}`, { token: admin });
    expect(response.status, response.text).toBe(200);
    const report = response.body;
    expect(report.tenant.displayName).toBeTruthy();
    expect(report.chain.intact).toBe(true);
    expect(report.chain.summary).toBe(`verified: ${report.chain.records} entries, chain intact`);
    const lease = report.leases.find((l) => l.requestId === requestId);
    expect(lease).toMatchObject({
      requester: technician,
      targetName: XSS_NAME,
      roles: ['Helpdesk Administrator'],
      approvers: [HOME_USERS.bob.userPrincipalName],
      approval: 'approved',
      ticket: INJECTED_TICKET,
      endReason: 'revoked',
    });
    expect(lease?.durationMinutes).toBeGreaterThanOrEqual(0);
    expect(lease?.signIns.readable).toBe(true);
    if (lease?.signIns.readable === true)
      expect(lease.signIns.entries.map((e) => e.errorCode).sort()).toEqual([0, 50126]);
    const changes = report.configurationChanges.map((c) => `${c.action} ${c.subject}`);
    expect(changes).toEqual(
      expect.arrayContaining([`target.created target ${XSS_TARGET}`, 'rule.created rule report-rule']),
    );
    expect(response.text).not.toContain(password);

    const audit = await t.client.api<{ items: { action: string; actor: { id: string } }[] }>(
      'GET',
      `/audit?tenantId=${CONTOSO.id}&action=report.generated`,
      { token: admin },
    );
    expect(audit.body.items[0]?.actor.id).toBe(HOME_USERS.carol.id);
  });

  it('as CSV: sections a spreadsheet reads, formula-looking cells prefixed, never a credential', async () => {
    const response = await t.client.api('GET', `/tenants/${CONTOSO.id}/report?${period()}&format=csv`, {
      token: admin,
    });
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="entra-jit-report-[0-9a-f-]+-.*\.csv"$/,
    );
    const lines = response.text.replace(/^\uFEFF/, '').split('\r\n');
    for (const section of ['Leases', 'Sign-ins', 'Configuration changes']) expect(lines).toContain(section);
    const row = lines.find((l) => l.startsWith(requestId));
    // The ticket starts with =: shown as text ('=…), quoted as RFC 4180 wants for its quotes and comma.
    expect(row).toContain(`"'=HYPERLINK(""https://evil.example"",""click"")"`);
    expect(response.text).not.toMatch(/(^|,)=HYPERLINK/m);
    expect(lines.filter((l) => l.startsWith(`${requestId},`))).toHaveLength(3); // the lease and its two sign-ins
    expect(response.text).not.toContain(password);
  });

  it('as a printable page: self-contained, no script, everything from the directory escaped, allowed by its CSP', async () => {
    const response = await t.client.api('GET', `/tenants/${CONTOSO.id}/report?${period()}&format=html`, {
      token: admin,
    });
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = response.text;
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).toContain('@media print');
    expect(html).toMatch(/verified: \d+ entries, chain intact/);
    expect(html).toContain(HOME_USERS.bob.userPrincipalName);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(style).digest('base64');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`default-src 'none'`);
    expect(csp).toContain(`style-src 'sha256-${hash}'`);
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    expect(html).not.toContain(password);
  });

  it('says why the sign-ins are missing: a tenant without Entra ID P1, an app without AuditLog.Read.All', async () => {
    const lease = async (): Promise<ReportLease | undefined> => {
      const response = await t.client.api<Report>('GET', `/tenants/${CONTOSO.id}/report?${period()}`, { token: admin });
      expect(response.status, response.text).toBe(200);
      return response.body.leases.find((l) => l.requestId === requestId);
    };
    expect((await t.client.sandbox('PATCH', `/_sandbox/tenants/${CONTOSO.id}`, { entraIdPremium: false })).status).toBe(
      200,
    );
    try {
      expect((await lease())?.signIns).toMatchObject({ readable: false, reason: 'no_premium_licence' });
      const html = await t.client.api('GET', `/tenants/${CONTOSO.id}/report?${period()}&format=html`, { token: admin });
      expect(html.text).toContain('no Microsoft Entra ID P1 or P2 licence');
    } finally {
      await t.client.sandbox('PATCH', `/_sandbox/tenants/${CONTOSO.id}`, { entraIdPremium: true });
    }
    await setAppPermissions(CONTOSO_APP.appPermissions.filter((p) => p !== 'AuditLog.Read.All'));
    try {
      expect((await lease())?.signIns).toMatchObject({ readable: false, reason: 'no_permission' });
    } finally {
      await setAppPermissions(CONTOSO_APP.appPermissions);
    }
  });

  it('refuses bad input with a 4xx naming what is wrong, and records nothing', async () => {
    const before = await t.client.api<{ items: unknown[] }>(
      'GET',
      `/audit?tenantId=${CONTOSO.id}&action=report.generated&limit=500`,
      { token: admin },
    );
    const cases: [string, number, string][] = [
      [`/tenants/${CONTOSO.id}/report?from=2026-02-01&to=2026-01-01`, 400, 'to'],
      [`/tenants/${CONTOSO.id}/report?from=2024-01-01&to=2026-01-01`, 400, 'to'],
      [`/tenants/${CONTOSO.id}/report?to=2026-01-01`, 400, 'from'],
      [`/tenants/${CONTOSO.id}/report?from=yesterday&to=2026-01-01`, 400, 'from'],
      [`/tenants/${CONTOSO.id}/report?from=2026-01-01&to=2026-01-31&format=pdf`, 400, 'format'],
      [`/tenants/${CONTOSO.id}/report?from=2026-01-01&to=2026-01-31&extra=1`, 400, 'extra'],
      [`/tenants/00000000-0000-4000-8000-000000000099/report?from=2026-01-01&to=2026-01-31`, 404, 'tenant'],
      [`/tenants/not-a-guid/report?from=2026-01-01&to=2026-01-31`, 404, 'tenant'],
    ];
    for (const [path, status, named] of cases) {
      const response = await t.client.api<{ detail: string; errors?: { field: string }[] }>('GET', path, {
        token: admin,
      });
      expect(response.status, `${path}: ${response.text}`).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const fields = (response.body.errors ?? []).map((e) => e.field).join(' ');
      expect(`${fields} ${response.body.detail}`, path).toContain(named);
    }
    const technicianToken = await t.client.token(technician);
    const path = `/tenants/${CONTOSO.id}/report?${period()}`;
    expect((await t.client.api('GET', path, { token: technicianToken })).status).toBe(403);
    expect((await t.client.api('GET', path)).status).toBe(401);
    const after = await t.client.api<{ items: unknown[] }>(
      'GET',
      `/audit?tenantId=${CONTOSO.id}&action=report.generated&limit=500`,
      { token: admin },
    );
    expect(after.body.items.length).toBe(before.body.items.length);
  });
});
