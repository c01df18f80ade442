import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_GROUPS, HOME_USERS, ROLE_TEMPLATES } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import type { ApiResponse } from '../support/client';
import { startTestStack, type TestStack } from '../support/stack';
import { connectHomeTenant, newTechnician, target, waitFor } from './workflowSupport';

/**
 * PSA write-back end to end on the local stack: a request made by a PSA ticket (ConnectWise,
 * Autotask, HaloPSA webhooks) is approved, activated, extended and ended, and the PSA's stand-in
 * in the sandbox (local/sandbox/psa) shows the internal notes on that ticket, in order, with who,
 * tenant, target, from, until and the audit link, and never the lease's password. A PSA that
 * fails gets the note after retries without the lease waiting; wrong PSA credentials are audited
 * and logged (`psa_writeback_failed`) and change nothing for the lease.
 */
let t: TestStack;
let carol = '';
let bob = '';
const PUBLIC_BASE = 'https://portal.example/jit';
const APPROVAL = 'psa-approval';
const DIRECT = 'psa-direct';
/** Every PSA credential given in this file: none may appear in an answer, the audit or a log line. */
const psaSecrets: string[] = [];

/** ConnectWise's key_url (callbacks are signed with a key fetched from the PSA site). */
let keyServer: Server;
let keyOrigin = '';
const CW_SIGNING_KEY = `cw-key-${randomUUID()}`;

beforeAll(async () => {
  process.env.JIT_PUBLIC_BASE_URL = PUBLIC_BASE;
  t = await startTestStack();
  const deps = getServices().deps;
  await connectHomeTenant(deps);
  const role = [{ templateId: ROLE_TEMPLATES.helpdeskAdministrator }];
  await deps.config.createTarget(
    target({
      tenantId: CONTOSO.id,
      targetId: APPROVAL,
      roles: role,
      maxDuration: 'PT1H',
      approval: { mode: 'required', approvers: [], deadline: 'PT5M' },
    }),
  );
  await deps.config.createTarget(target({ tenantId: CONTOSO.id, targetId: DIRECT, roles: role, maxDuration: 'PT1H' }));
  const now = new Date().toISOString();
  await deps.config.createRule({
    ruleId: 'psa-writeback-technicians',
    principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
    scope: { targets: [APPROVAL, DIRECT].map((targetId) => ({ tenantId: CONTOSO.id, targetId })) },
    createdAt: now,
    updatedAt: now,
  });
  carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
  bob = await t.client.token(HOME_USERS.bob.userPrincipalName);
  keyServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (
      url.pathname === '/v4_6_release/apis/3.0/system/callbackkey/index.rails' &&
      url.searchParams.get('id') === 'jit'
    )
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ signing_key: CW_SIGNING_KEY }));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
  keyOrigin = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`;
}, 90_000);

afterAll(async () => {
  await new Promise<void>((resolve) => keyServer?.close(() => resolve()));
  await t?.stack.close();
});

type Kind = 'connectwise' | 'autotask' | 'halopsa';

interface StandInView {
  notes: { ticketId: string; text: string; title: string | null; internal: boolean }[];
  statusChanges: { ticketId: string; status: string }[];
  timeEntries: {
    ticketId: string;
    start: string;
    end: string;
    hours: number;
    notes: string;
    for: Record<string, unknown>;
  }[];
  received: { method: string; path: string; status: number; body: string; headers: Record<string, string> }[];
}

async function standIn(kind: Kind): Promise<StandInView> {
  const view = await t.client.sandbox<StandInView>('GET', `/psa/_sandbox/${kind}`);
  expect(view.status, view.text).toBe(200);
  return view.body;
}

/** The PSA's account: the credentials it accepts, its tickets and statuses. */
async function configurePsa(kind: Kind, credentials: Record<string, string>, tickets: string[]): Promise<void> {
  const statuses = kind === 'connectwise' ? ['JIT Access Granted', 'JIT Access Ended'] : ['7', '5'];
  const put = await t.client.sandbox('PUT', `/psa/_sandbox/${kind}`, {
    credentials,
    tickets,
    statuses,
    ...(kind === 'connectwise' ? { companyId: 'mspco' } : {}),
  });
  expect(put.status, put.text).toBe(204);
}

function credentialsOf(kind: Kind): Record<string, string> {
  const secret = `psa-secret-${randomUUID()}`;
  psaSecrets.push(secret);
  if (kind === 'connectwise')
    return { publicKey: `pub${randomUUID().slice(0, 8)}`, privateKey: secret, clientId: randomUUID() };
  if (kind === 'autotask')
    return {
      username: `api${randomUUID().slice(0, 8)}@msp.example`,
      secret,
      apiIntegrationCode: `CODE${randomUUID().slice(0, 8)}`,
    };
  return { clientId: randomUUID(), clientSecret: secret };
}

function apiOf(kind: Kind): { apiUrl: string; authUrl?: string } {
  const sandbox = t.stack.sandboxUrl;
  if (kind === 'connectwise') return { apiUrl: `${sandbox}/psa/connectwise` };
  if (kind === 'autotask') return { apiUrl: `${sandbox}/psa/autotask` };
  return { apiUrl: `${sandbox}/psa/halopsa/api`, authUrl: `${sandbox}/psa/halopsa/auth` };
}

/** timeEntryOnEnd per PSA, and what its stand-in records the entry for. */
const TIME_ENTRY: Record<Kind, { settings: Record<string, string>; recordedFor: Record<string, unknown> }> = {
  connectwise: {
    settings: { memberIdentifier: 'jsmith', workType: 'Remote Support' },
    recordedFor: { member: { identifier: 'jsmith' }, workType: { name: 'Remote Support' } },
  },
  autotask: {
    settings: { resourceId: '29682885', roleId: '29683464' },
    recordedFor: { resourceID: 29682885, roleID: 29683464 },
  },
  halopsa: { settings: {}, recordedFor: {} },
};

const STATUSES: Record<Kind, { statusOnActivation: string; statusOnEnd: string }> = {
  connectwise: { statusOnActivation: 'JIT Access Granted', statusOnEnd: 'JIT Access Ended' },
  autotask: { statusOnActivation: '7', statusOnEnd: '5' },
  halopsa: { statusOnActivation: '7', statusOnEnd: '5' },
};

interface Created {
  integrationId: string;
  webhookPath: string;
  signingSecret?: string;
  basicAuth?: { username: string; password: string };
  callbackPath?: string;
}

function mappingOf(kind: Kind, technicianUpn: string): Record<string, unknown> {
  const technician = kind === 'connectwise' ? 'jsmith' : kind === 'autotask' ? '29682885' : '3';
  return {
    tenants: { '250': CONTOSO.id },
    technicians: { [technician]: technicianUpn },
    accessRequestedStatuses: [kind === 'connectwise' ? 'JIT Access Requested' : '21'],
    target: { field: 'JIT Target' },
    durationField: 'JIT Duration',
  };
}

async function createIntegration(
  kind: Kind,
  technicianUpn: string,
  writeBack: Record<string, unknown>,
): Promise<ApiResponse<Created>> {
  return t.client.api<Created>('POST', '/integrations', {
    token: carol,
    body: {
      name: `${kind} write-back`,
      kind,
      mapping: mappingOf(kind, technicianUpn),
      ...(kind === 'connectwise' ? { companyId: 'mspco', callbackKeyOrigin: keyOrigin } : {}),
      writeBack,
    },
  });
}

/** The PSA's webhook for a ticket that asks for `targetId`, as the PSA sends it (authenticated its way). */
async function deliverTicket(
  kind: Kind,
  integration: Created,
  ticketId: number,
  targetId: string,
): Promise<ApiResponse<Record<string, unknown>>> {
  let body: string;
  let headers: Record<string, string>;
  let path = integration.webhookPath;
  if (kind === 'autotask') {
    body = JSON.stringify({
      Action: 'Update',
      Guid: randomUUID(),
      EntityType: 'Ticket',
      Id: ticketId,
      Fields: {
        Status: '21',
        CompanyID: '250',
        AssignedResourceID: '29682885',
        TicketNumber: `T20261203.${ticketId}`,
        Title: 'Reset MFA',
        'JIT Target': targetId,
        'JIT Duration': 'PT10M',
      },
      EventTime: new Date().toISOString(),
      SequenceNumber: 1,
      PersonID: 30691780,
    });
    headers = {
      'Content-Type': 'application/json',
      'X-Hook-Signature': `sha1=${createHmac('sha1', integration.signingSecret ?? '')
        .update(body)
        .digest('base64')}`,
    };
  } else if (kind === 'halopsa') {
    body = JSON.stringify({
      id: randomUUID(),
      event: 'ticket status changed',
      object_id: ticketId,
      timestamp: new Date().toISOString(),
      ticket: {
        id: ticketId,
        summary: 'Unlock a user',
        status_id: 21,
        client_id: 250,
        agent_id: 3,
        customfields: [
          { id: 150, name: 'JIT Target', value: targetId },
          { id: 151, name: 'JIT Duration', value: 'PT10M' },
        ],
      },
    });
    const basic = integration.basicAuth;
    headers = {
      'Content-Type': 'application/json',
      Authorization: `Basic ${Buffer.from(`${basic?.username ?? ''}:${basic?.password ?? ''}`).toString('base64')}`,
    };
  } else {
    body = JSON.stringify({
      MessageId: randomUUID(),
      FromUrl: 'https://na.myconnectwise.net',
      CompanyId: 'mspco',
      MemberId: 'jsmith',
      Action: 'updated',
      Type: 'ticket',
      ID: ticketId,
      Entity: JSON.stringify({
        id: ticketId,
        summary: 'Add a shared mailbox',
        status: { id: 44, name: 'JIT Access Requested' },
        company: { id: 250, identifier: 'Contoso' },
        owner: { id: 144, identifier: 'jsmith' },
        customFields: [
          { id: 7, caption: 'JIT Target', type: 'Text', value: targetId },
          { id: 8, caption: 'JIT Duration', type: 'Text', value: 'PT10M' },
        ],
      }),
      Metadata: { key_url: `${keyOrigin}/v4_6_release/apis/3.0/system/callbackkey/index.rails?id=jit` },
    });
    headers = {
      'Content-Type': 'application/json',
      'X-Content-Signature': createHmac('sha256', createHash('sha256').update(CW_SIGNING_KEY).digest())
        .update(body)
        .digest('base64'),
    };
    path = integration.callbackPath ?? '';
  }
  return t.client.api('POST', path.replace(/^\/api/, ''), { rawBody: body, headers });
}

interface AuditItem {
  action: string;
  outcome: string;
  details: Record<string, unknown>;
}

async function auditOf(requestId: string): Promise<{ items: AuditItem[]; text: string }> {
  const audit = await t.client.api<{ items: AuditItem[] }>('GET', `/audit?requestId=${requestId}&limit=200`, {
    token: carol,
  });
  expect(audit.status, audit.text).toBe(200);
  return { items: audit.body.items, text: audit.text };
}

function logText(): string {
  return t.logs.map((l) => l.message).join('\n');
}

describe.each(['connectwise', 'autotask', 'halopsa'] as const)('%s write-back', (kind) => {
  it('approved, activated, extended and ended: internal notes on the ticket in order, with who, tenant, target, from, until and the audit link; never the password', async () => {
    const tech = await newTechnician(t.client, `wb${kind.slice(0, 4)}`);
    const token = await t.client.token(tech.upn);
    const ticketId = 80_000 + Math.floor(Math.random() * 10_000);
    const credentials = credentialsOf(kind);
    await configurePsa(kind, credentials, [String(ticketId)]);
    const created = await createIntegration(kind, tech.upn, {
      ...apiOf(kind),
      events: ['approved', 'denied', 'activated', 'extended', 'ended'],
      ...STATUSES[kind],
      timeEntryOnEnd: TIME_ENTRY[kind].settings,
      credentials,
    });
    expect(created.status, created.text).toBe(201);
    // Write-only: the settings are shown, the credentials never (not even in the creation answer).
    expect(created.body).toMatchObject({ writeBack: { ...apiOf(kind), ...STATUSES[kind] } });
    expect(created.body).not.toHaveProperty('writeBack.credentials');
    const shown = await t.client.api('GET', `/integrations/${created.body.integrationId}`, { token: carol });
    for (const value of Object.values(credentials)) {
      expect(created.text).not.toContain(value);
      expect(shown.text).not.toContain(value);
    }

    const delivered = await deliverTicket(kind, created.body, ticketId, APPROVAL);
    expect(delivered.status, delivered.text).toBe(202);
    const id = String(delivered.body.requestId);
    await t.client.waitForRequest(id, token, (r) => r.status === 'pending_approval');
    const approved = await t.client.api('POST', `/requests/${id}/approve`, { token: bob, body: {} });
    expect(approved.status, approved.text).toBe(202);
    const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    const reveal = await t.client.api<{ password: string }>('POST', `/requests/${id}/credential`, { token });
    expect(reveal.status, reveal.text).toBe(200);
    const password = reveal.body.password;
    expect(password.length).toBeGreaterThan(8);

    const extend = await t.client.api('POST', `/requests/${id}/extend`, { token, body: { duration: 'PT5M' } });
    expect(extend.status, extend.text).toBe(202);
    const extended = await t.client.waitForRequest(id, token, (r) => r.expiresAt !== active.expiresAt);
    const revoke = await t.client.api('POST', `/requests/${id}/revoke`, { token, body: {} });
    expect(revoke.status, revoke.text).toBe(202);
    const ended = await t.client.waitForRequest(id, token, (r) => r.status === 'ended');

    const psa = await waitFor(
      'four notes, two status changes and a time entry on the ticket',
      async () => {
        const view = await standIn(kind);
        // The end's status follows its note (a second call): wait for both.
        const onTicket = <T extends { ticketId: string }>(list: T[]) =>
          list.filter((n) => n.ticketId === String(ticketId)).length;
        return onTicket(view.notes) >= 4 && onTicket(view.statusChanges) >= 2 && onTicket(view.timeEntries) >= 1
          ? view
          : undefined;
      },
      60_000,
    );
    const notes = psa.notes.filter((n) => n.ticketId === String(ticketId));
    expect(notes.map((n) => n.text.split('\n')[0])).toEqual([
      `Just-in-time access approved by ${HOME_USERS.bob.userPrincipalName}.`,
      'Just-in-time access activated by Entra JIT.',
      `Just-in-time access extended by ${tech.upn}.`,
      `Just-in-time access ended by ${tech.upn}.`,
    ]);
    for (const note of notes) {
      expect(note.internal).toBe(true);
      expect(note.text).toContain(`Technician: ${tech.upn}`);
      expect(note.text).toContain(`Tenant: ${CONTOSO.displayName} (${CONTOSO.id})`);
      expect(note.text).toContain(`Target: ${APPROVAL}`);
      expect(note.text).toContain(`Audit record: ${PUBLIC_BASE}/audit?requestId=${id}`);
    }
    expect(notes[1]?.text).toContain(`From: ${String(active.activatedAt)}`);
    expect(notes[1]?.text).toContain(`Until: ${String(active.expiresAt)}`);
    expect(notes[2]?.text).toContain(`Until: ${String(extended.expiresAt)}`);
    expect(notes[3]?.text).toContain('Reason: revoked');
    expect(psa.statusChanges.filter((s) => s.ticketId === String(ticketId)).map((s) => s.status)).toEqual([
      STATUSES[kind].statusOnActivation,
      STATUSES[kind].statusOnEnd,
    ]);
    // The lease's time, from activation to end, entered once on the ticket at the end.
    const activatedAt = String(active.activatedAt);
    const endedAt = String(ended.endedAt);
    const seconds = (iso: string) => `${new Date(iso).toISOString().slice(0, 19)}Z`;
    const entries = psa.timeEntries.filter((e) => e.ticketId === String(ticketId));
    expect(entries).toHaveLength(1);
    const entry = entries[0];
    expect(kind === 'connectwise' ? seconds(entry?.start ?? '') : entry?.start).toBe(
      kind === 'connectwise' ? seconds(activatedAt) : activatedAt,
    );
    expect(kind === 'connectwise' ? seconds(entry?.end ?? '') : entry?.end).toBe(
      kind === 'connectwise' ? seconds(endedAt) : endedAt,
    );
    expect(entry?.hours).toBe(
      Math.max(0.01, Math.round((Date.parse(endedAt) - Date.parse(activatedAt)) / 36_000) / 100),
    );
    expect(entry?.for).toEqual(TIME_ENTRY[kind].recordedFor);
    expect(entry?.notes).toContain(tech.upn);
    expect(entry?.notes).toContain(`${PUBLIC_BASE}/audit?requestId=${id}`);
    // Nothing the PSA received holds the lease's password.
    expect(JSON.stringify(psa)).not.toContain(password);

    // Each write-back is audited after the PSA answered it: the last record may follow the call the
    // stand-in already shows.
    const written = (items: AuditItem[]) =>
      items
        .filter((e) => e.action === 'psa.writeback_written')
        .map((e) => e.details.event)
        .sort();
    const audit = await waitFor('the four write-backs audited', async () => {
      const now = await auditOf(id);
      return written(now.items).length >= 4 ? now : undefined;
    });
    expect(written(audit.items)).toEqual(['activated', 'approved', 'ended', 'extended']);
    for (const value of Object.values(credentials)) {
      expect(audit.text).not.toContain(value);
      expect(logText()).not.toContain(value);
    }
    expect(audit.text).not.toContain(password);
  }, 120_000);
});

describe('a denied request', () => {
  it('writes who denied it on the ticket, and nothing else', async () => {
    const tech = await newTechnician(t.client, 'wbdeny');
    const token = await t.client.token(tech.upn);
    const ticketId = 90_003;
    const credentials = credentialsOf('autotask');
    await configurePsa('autotask', credentials, [String(ticketId)]);
    const created = await createIntegration('autotask', tech.upn, {
      ...apiOf('autotask'),
      events: ['denied', 'activated', 'ended'],
      credentials,
    });
    expect(created.status, created.text).toBe(201);
    const delivered = await deliverTicket('autotask', created.body, ticketId, APPROVAL);
    expect(delivered.status, delivered.text).toBe(202);
    const id = String(delivered.body.requestId);
    await t.client.waitForRequest(id, token, (r) => r.status === 'pending_approval');
    const denied = await t.client.api('POST', `/requests/${id}/deny`, { token: bob, body: { comment: 'No' } });
    expect(denied.status, denied.text).toBe(202);
    await t.client.waitForRequest(id, token, (r) => r.status === 'ended');
    const psa = await waitFor(
      'the denial note',
      async () => {
        const view = await standIn('autotask');
        return view.notes.some((n) => n.ticketId === String(ticketId)) ? view : undefined;
      },
      60_000,
    );
    // activated and ended were chosen too, but a denial ends the request without a lease: one note only
    // (a timer run later, nothing more has come).
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const notes = (await standIn('autotask')).notes.filter((n) => n.ticketId === String(ticketId));
    expect(notes.map((n) => n.text.split('\n')[0])).toEqual([
      `Just-in-time access denied by ${HOME_USERS.bob.userPrincipalName}.`,
    ]);
    expect(notes[0]?.text).toContain('Reason: denied');
    expect(psa.statusChanges.filter((c) => c.ticketId === String(ticketId))).toEqual([]);
  }, 120_000);
});

describe('retries and failures never touch the lease', () => {
  it('a PSA failing twice gets the note after retries; the lease did not wait for it', async () => {
    const tech = await newTechnician(t.client, 'wbretry');
    const token = await t.client.token(tech.upn);
    const ticketId = 90_001;
    const credentials = credentialsOf('autotask');
    await configurePsa('autotask', credentials, [String(ticketId)]);
    const created = await createIntegration('autotask', tech.upn, {
      ...apiOf('autotask'),
      events: ['activated'],
      credentials,
    });
    expect(created.status, created.text).toBe(201);
    const fault = await t.client.sandbox('PUT', '/psa/_sandbox/autotask/faults', { failNext: 2, status: 503 });
    expect(fault.status, fault.text).toBe(204);

    const delivered = await deliverTicket('autotask', created.body, ticketId, DIRECT);
    expect(delivered.status, delivered.text).toBe(202);
    const id = String(delivered.body.requestId);
    await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    const activeAt = Date.now();
    // Active while the PSA has not taken the note: the lease did not wait for the PSA.
    const atActivation = await standIn('autotask');
    expect(atActivation.notes.filter((n) => n.ticketId === String(ticketId))).toEqual([]);

    const psa = await waitFor(
      'the note after two failures',
      async () => {
        const view = await standIn('autotask');
        return view.notes.some((n) => n.ticketId === String(ticketId)) ? view : undefined;
      },
      60_000,
    );
    const calls = psa.received.filter((r) => r.path.endsWith(`/Tickets/${ticketId}/Notes`));
    expect(calls.map((c) => c.status)).toEqual([503, 503, 200]);
    expect(Date.now() - activeAt).toBeGreaterThan(5_000); // the retries waited (back-off), the lease had not
    expect(logText()).toMatch(/"event":"psa_writeback_failed".*"willRetry":true/);
    const audit = await auditOf(id);
    expect(audit.items.find((e) => e.action === 'psa.writeback_written')).toMatchObject({
      details: { event: 'activated', attempts: 3 },
    });
    await t.client.api('POST', `/requests/${id}/revoke`, { token, body: {} });
    await t.client.waitForRequest(id, token, (r) => r.status === 'ended');
  }, 120_000);

  it('wrong PSA credentials: psa_writeback_failed is audited and logged (without the secret), the lease is unaffected', async () => {
    const tech = await newTechnician(t.client, 'wbwrong');
    const token = await t.client.token(tech.upn);
    const ticketId = 90_002;
    await configurePsa('halopsa', credentialsOf('halopsa'), [String(ticketId)]);
    const wrong = credentialsOf('halopsa');
    const created = await createIntegration('halopsa', tech.upn, {
      ...apiOf('halopsa'),
      events: ['activated', 'ended'],
      credentials: wrong,
    });
    expect(created.status, created.text).toBe(201);
    const delivered = await deliverTicket('halopsa', created.body, ticketId, DIRECT);
    expect(delivered.status, delivered.text).toBe(202);
    const id = String(delivered.body.requestId);
    const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active');

    const failed = await waitFor(
      'psa.writeback_failed in the audit',
      async () => (await auditOf(id)).items.find((e) => e.action === 'psa.writeback_failed'),
      60_000,
    );
    expect(failed).toMatchObject({
      outcome: 'failure',
      details: {
        event: 'activated',
        reason: expect.stringMatching(/HaloPSA API token: the PSA answered 400/) as unknown,
      },
    });
    expect(logText()).toMatch(/"event":"psa_writeback_failed".*"willRetry":false/);
    for (const value of Object.values(wrong)) {
      expect(logText()).not.toContain(value);
      expect((await auditOf(id)).text).not.toContain(value);
    }
    // The lease is as it was: active, same expiry; nothing was written on the ticket.
    const still = await t.client.api<Record<string, unknown>>('GET', `/requests/${id}`, { token });
    expect(still.body).toMatchObject({ status: 'active', expiresAt: active.expiresAt });
    expect((await standIn('halopsa')).notes.filter((n) => n.ticketId === String(ticketId))).toEqual([]);
    await t.client.api('POST', `/requests/${id}/revoke`, { token, body: {} });
    await t.client.waitForRequest(id, token, (r) => r.status === 'ended');
  }, 120_000);
});

describe('configuration', () => {
  it('refuses bad write-back settings with a 400 naming the field, storing nothing', async () => {
    const tech = await newTechnician(t.client, 'wbbad');
    const good = { ...apiOf('halopsa'), events: ['activated'], credentials: credentialsOf('halopsa') };
    const before = await t.client.api<{ items: unknown[] }>('GET', '/integrations', { token: carol });
    for (const [writeBack, field, kind] of [
      [{ ...good, apiUrl: 'http://psa.example/api' }, 'writeBack.apiUrl', 'halopsa'],
      [{ ...good, authUrl: undefined }, 'writeBack.authUrl', 'halopsa'],
      [{ ...good, credentials: { clientId: 'x' } }, 'writeBack.credentials.clientSecret', 'halopsa'],
      [{ ...good, credentials: undefined }, 'writeBack.credentials', 'halopsa'],
      [{ ...good, events: [] }, 'writeBack.events', 'halopsa'],
      [{ ...good, events: ['activated', 'activated'] }, 'writeBack.events', 'halopsa'],
      [{ ...good, statusOnActivation: 'Closed' }, 'writeBack.statusOnActivation', 'halopsa'],
      [
        { ...apiOf('autotask'), events: ['ended'], statusOnEnd: 'Complete', credentials: credentialsOf('autotask') },
        'writeBack.statusOnEnd',
        'autotask',
      ],
      [
        {
          ...apiOf('autotask'),
          events: ['ended'],
          timeEntryOnEnd: { resourceId: '29682885' },
          credentials: credentialsOf('autotask'),
        },
        'writeBack.timeEntryOnEnd.roleId',
        'autotask',
      ],
      [{ ...good, timeEntryOnEnd: { resourceId: 'me' } }, 'writeBack.timeEntryOnEnd.resourceId', 'halopsa'],
    ] as const) {
      const refused = await createIntegration(kind, tech.upn, writeBack);
      expect(refused.status, refused.text).toBe(400);
      expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
      expect(refused.text, JSON.stringify(writeBack)).toContain(`"field":"${field}"`);
    }
    const generic = await t.client.api('POST', '/integrations', {
      token: carol,
      body: { name: 'generic', kind: 'generic', writeBack: good },
    });
    expect(generic.status, generic.text).toBe(400);
    const after = await t.client.api<{ items: unknown[] }>('GET', '/integrations', { token: carol });
    expect(after.body.items).toHaveLength(before.body.items.length);
  });

  it('PATCH replaces the settings (keeping the stored credentials unless new ones are given) and null turns write-back off', async () => {
    const tech = await newTechnician(t.client, 'wbpatch');
    const created = await createIntegration('autotask', tech.upn, {
      ...apiOf('autotask'),
      events: ['activated'],
      credentials: credentialsOf('autotask'),
    });
    expect(created.status, created.text).toBe(201);
    const path = `/integrations/${created.body.integrationId}`;
    const deps = getServices().deps;
    const firstSecret = (await deps.integrations.get(created.body.integrationId))?.value.writeBackSecretName;
    expect(firstSecret).toBeDefined();
    const kept = await t.client.api('PATCH', path, {
      token: carol,
      body: { writeBack: { ...apiOf('autotask'), events: ['activated', 'ended'] } },
    });
    expect(kept.status, kept.text).toBe(200);
    expect(kept.body).toMatchObject({ writeBack: { events: ['activated', 'ended'] } });
    expect((await deps.integrations.get(created.body.integrationId))?.value.writeBackSecretName).toBe(firstSecret);
    const wrongCredentials = await t.client.api('PATCH', path, {
      token: carol,
      body: { writeBack: { ...apiOf('autotask'), events: ['ended'], credentials: { username: 'only' } } },
    });
    expect(wrongCredentials.status, wrongCredentials.text).toBe(400);
    expect(wrongCredentials.text).toContain('writeBack.credentials.secret');
    const off = await t.client.api('PATCH', path, { token: carol, body: { writeBack: null } });
    expect(off.status, off.text).toBe(200);
    expect(off.body).not.toHaveProperty('writeBack');
    expect((await deps.integrations.get(created.body.integrationId))?.value.writeBackSecretName).toBeUndefined();
    expect(await deps.vault.getIntegrationSecret(firstSecret ?? '')).toBeNull();
  });
});
