import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTOSO, FABRIKAM, HOME_TENANT, HOME_USERS } from '../../local/sandbox/seed';
import { DEMO_TARGET_ID } from '../../local/seedDemo';
import { getServices } from '../../src/composition';
import type { ApiResponse } from '../support/client';
import { startTestStack, type TestStack } from '../support/stack';
import { connectHomeTenant, newTechnician } from './workflowSupport';

/**
 * Native ticketing webhooks end to end, through the HTTP API on the local stack: ConnectWise PSA
 * callbacks, Autotask webhooks and HaloPSA webhooks, each authenticated as its vendor does it and
 * mapped by the integration to the same access request as the generic event. For each: a ticket
 * that asks makes the request (tenant, target, technician, ticket); a bad credential is a 401 and
 * changes nothing; a replay (and a later save of the ticket) gets the first outcome; an event that
 * does not ask is a 200 with the reason; a malformed payload a 400 naming the problem.
 */
let t: TestStack;
let carol = '';
/** Every secret issued in this file: none may appear in a log line or a later answer. */
const secrets: string[] = [];

/** ConnectWise's key_url, served locally: signing keys by id. */
let keyServer: Server;
let keyOrigin = '';
const signingKeys = new Map<string, string>([['jit', `cw-key-${randomUUID()}`]]);
const keyHits: string[] = [];
/** The app's structured log lines (written to the console), kept for the secret scan. */
const appLogLines: string[] = [];

beforeAll(async () => {
  for (const method of ['log', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation(
      (...args: unknown[]) => void appLogLines.push(args.map(String).join(' ')),
    );
  }
  t = await startTestStack();
  await connectHomeTenant(getServices().deps);
  carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
  keyServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    keyHits.push(url.pathname + url.search);
    const key =
      url.pathname === '/v4_6_release/apis/3.0/system/callbackkey/index.rails'
        ? signingKeys.get(url.searchParams.get('id') ?? '')
        : undefined;
    if (key === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ signing_key: key }));
  });
  await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
  keyOrigin = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`;
  secrets.push(...signingKeys.values());
}, 90_000);

afterAll(async () => {
  await new Promise<void>((resolve) => keyServer?.close(() => resolve()));
  await t?.stack.close();
});

interface Created {
  integrationId: string;
  kind: string;
  webhookPath: string;
  signingSecret?: string;
  basicAuth?: { username: string; password: string };
  callbackSecret?: string;
  callbackPath?: string;
}

async function createIntegration(body: Record<string, unknown>): Promise<Created> {
  const created = await t.client.api<Created>('POST', '/integrations', { token: carol, body });
  expect(created.status, created.text).toBe(201);
  if (created.body.signingSecret !== undefined) secrets.push(created.body.signingSecret);
  if (created.body.basicAuth !== undefined) secrets.push(created.body.basicAuth.password);
  if (created.body.callbackSecret !== undefined) secrets.push(created.body.callbackSecret);
  return created.body;
}

function mapping(technicians: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tenants: { '250': CONTOSO.id },
    technicians,
    accessRequestedStatuses: ['21'],
    target: { field: 'JIT Target' },
    durationField: 'JIT Duration',
    ...extra,
  };
}

async function requestsOf(upn: string): Promise<Record<string, unknown>[]> {
  const token = await t.client.token(upn);
  const list = await t.client.api<{ items: Record<string, unknown>[] }>('GET', '/requests?limit=200', { token });
  expect(list.status, list.text).toBe(200);
  return list.body.items;
}

/** The request is made for the right tenant, target, technician and ticket; then it is ended (frees the lease lock). */
async function expectRequest(
  response: ApiResponse<Record<string, unknown>>,
  technician: { upn: string; id: string },
  integrationId: string,
  ticket: string,
  tenantId = CONTOSO.id,
): Promise<void> {
  expect(response.status, response.text).toBe(202);
  expect(response.body).toMatchObject({ ticket, technician: technician.upn });
  const requestId = String(response.body.requestId);
  expect(response.headers.get('location')).toMatch(new RegExp(`/api/requests/${requestId}$`));
  const token = await t.client.token(technician.upn);
  const active = await t.client.waitForRequest(requestId, token, (r) => r.status === 'active');
  expect(active).toMatchObject({
    tenantId,
    targetId: DEMO_TARGET_ID,
    ticket,
    requester: { objectId: technician.id },
    origin: { integrationId },
  });
  const audit = await t.client.api<{
    items: { action: string; ticket: string | null; actor: { type: string; id: string } }[];
  }>('GET', `/audit?requestId=${requestId}`, { token: carol });
  expect(audit.body.items.find((e) => e.action === 'request.submitted')).toMatchObject({
    ticket,
    actor: { type: 'integration', id: integrationId },
  });
}

async function endLeases(upn: string): Promise<void> {
  const token = await t.client.token(upn);
  for (const request of await requestsOf(upn)) {
    if (request.status === 'ended' || request.status === 'failed') continue;
    await t.client.api('POST', `/requests/${String(request.id)}/revoke`, { token, body: {} });
    await t.client.waitForRequest(String(request.id), token, (r) => r.status === 'ended');
  }
}

async function expectIgnored(response: ApiResponse<Record<string, unknown>>, reason: RegExp): Promise<void> {
  expect(response.status, response.text).toBe(200);
  expect(response.body).toEqual({ ignored: true, reason: expect.stringMatching(reason) as unknown });
}

function expectProblem(
  response: ApiResponse<Record<string, unknown>>,
  status: number,
  field?: string,
  message?: RegExp,
): void {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/problem\+json/);
  if (field !== undefined) {
    const errors = (response.body.errors ?? []) as { field: string; message: string }[];
    expect(
      errors.map((e) => e.field),
      response.text,
    ).toContain(field);
    if (message !== undefined) expect(errors.find((e) => e.field === field)?.message).toMatch(message);
  }
}

// ── Autotask ─────────────────────────────────────────────────────────────────────────────────────

describe('Autotask webhooks (X-Hook-Signature)', () => {
  let integration: Created;
  let tech: { upn: string; id: string };
  let sequence = 0;

  beforeAll(async () => {
    tech = await newTechnician(t.client, 'autotask');
    integration = await createIntegration({
      name: 'Autotask',
      kind: 'autotask',
      mapping: mapping({ '29682885': tech.upn }),
    });
  });

  function callout(
    ticketId: number,
    fields: Record<string, unknown> = {},
    overrides: Record<string, unknown> = {},
  ): string {
    sequence += 1;
    return JSON.stringify({
      Action: 'Update',
      Guid: '0b6ac6b4-58c4-4c0a-8c8e-0e4d6f1b2a11',
      EntityType: 'Ticket',
      Id: ticketId,
      Fields: {
        Status: '21',
        CompanyID: '250',
        AssignedResourceID: '29682885',
        TicketNumber: `T20260102.${ticketId}`,
        Title: 'Reset MFA & unlock',
        'JIT Target': DEMO_TARGET_ID,
        'JIT Duration': 'PT1H',
        ...fields,
      },
      EventTime: new Date().toISOString(),
      SequenceNumber: sequence,
      PersonID: 30691780,
      ...overrides,
    });
  }

  function signed(body: string, secret = integration.signingSecret ?? ''): Record<string, string> {
    return {
      'Content-Type': 'application/json',
      'X-Hook-Signature': `sha1=${createHmac('sha1', secret).update(body).digest('base64')}`,
    };
  }

  const post = (body: string, headers: Record<string, string>): Promise<ApiResponse<Record<string, unknown>>> =>
    t.client.api('POST', integration.webhookPath.replace(/^\/api/, ''), { rawBody: body, headers });

  it('refuses a mapping to a tenant that is not connected, naming it', async () => {
    const refused = await t.client.api<Record<string, unknown>>('POST', '/integrations', {
      token: carol,
      body: {
        name: 'Autotask',
        kind: 'autotask',
        mapping: { ...mapping({ '1': tech.upn }), tenants: { '251': FABRIKAM.id } },
      },
    });
    expectProblem(refused, 400, 'mapping.tenants.251', /not connected/);
    const invalid = await t.client.api<Record<string, unknown>>('POST', '/integrations', {
      token: carol,
      body: { name: 'Autotask', kind: 'autotask', mapping: { ...mapping({}), target: {} } },
    });
    expectProblem(invalid, 400, 'mapping.technicians', /map at least one/);
    expect((invalid.body.errors as { field: string }[]).map((e) => e.field)).toContain('mapping.target');
  });

  it('shows the secret key once: in the creation answer, never in the listing', async () => {
    expect(integration).toMatchObject({
      kind: 'autotask',
      signingSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
    });
    const list = await t.client.api<{ items: Record<string, unknown>[] }>('GET', '/integrations', { token: carol });
    expect(list.body.items.find((i) => i.integrationId === integration.integrationId)).toMatchObject({
      kind: 'autotask',
      mapping: { accessRequestedStatuses: ['21'] },
    });
    expect(list.text).not.toContain(integration.signingSecret);
  });

  it('a ticket set to the access-requested status makes the request; a redelivery and a later save get the first outcome', async () => {
    const body = callout(70001);
    const first = await post(body, signed(body));
    await expectRequest(first, tech, integration.integrationId, 'T20260102.70001');
    const again = await post(body, signed(body));
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const laterSave = callout(70001, { Title: 'Reset MFA & unlock (note added)' });
    const later = await post(laterSave, signed(laterSave));
    expect(later.body).toEqual(first.body);
    expect(await requestsOf(tech.upn)).toHaveLength(1);
    await endLeases(tech.upn);
  });

  it('a callout refused because the home tenant was not connected is not kept: the same callout succeeds once it is connected', async () => {
    const deps = getServices().deps;
    const home = await deps.config.getTenant(HOME_TENANT.id);
    expect(home).not.toBeNull();
    await deps.config.deleteTenant(HOME_TENANT.id);
    const body = callout(70005);
    let first: ApiResponse<Record<string, unknown>>;
    try {
      first = await post(body, signed(body));
      expectProblem(first, 409);
      expect(String(first.body.detail)).toMatch(/home tenant .* is not connected/);
    } finally {
      await connectHomeTenant(deps);
    }
    // PSAs retry failed deliveries and send the ticket again on every save: the fixed configuration counts.
    const retried = await post(body, signed(body));
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    await expectRequest(retried, tech, integration.integrationId, 'T20260102.70005');
    await endLeases(tech.upn);
  });

  it('refuses a wrong or missing signature and a changed body (401), creating nothing', async () => {
    const body = callout(70002);
    const admin = { ...signed(body, 'not-the-secret'), Authorization: `Bearer ${carol}` };
    for (const [what, headers, raw] of [
      ['another secret (and a bearer token)', admin, body],
      ['no signature', { 'Content-Type': 'application/json' }, body],
      ['the body changed after signing', signed(body), body.replace('"21"', '"22"')],
      [
        'a hex signature',
        {
          'Content-Type': 'application/json',
          'X-Hook-Signature': `sha1=${createHmac('sha1', integration.signingSecret ?? '')
            .update(body)
            .digest('hex')}`,
        },
        body,
      ],
    ] as const) {
      expectProblem(await post(raw, headers), 401);
      expect(what).toBeTruthy();
    }
    expect((await requestsOf(tech.upn)).filter((r) => r.ticket === 'T20260102.70002')).toEqual([]);
  });

  it('answers 200 with the reason for events that do not ask for access', async () => {
    for (const [body, reason] of [
      [callout(70003, { Status: '5' }), /status '5' is not one that asks for access/],
      [callout(70003, { CompanyID: '999' }), /company '999' is not mapped/],
      [callout(70003, { AssignedResourceID: '1' }), /technician '1' is not mapped/],
      [callout(70003, { 'JIT Target': '' }), /field 'JIT Target' \(the target\) is empty/],
      [callout(70003, {}, { Action: 'Delete' }), /'Delete' event does not ask/],
      [callout(70003, {}, { EntityType: 'Contact' }), /Contact event, not a ticket's/],
      [JSON.stringify({ Action: 'Deactivated', Guid: '0b6ac6b4-58c4-4c0a-8c8e-0e4d6f1b2a11' }), /deactivation notice/],
    ] as const) {
      await expectIgnored(await post(body, signed(body)), reason);
    }
    expect((await requestsOf(tech.upn)).filter((r) => r.ticket === 'T20260102.70003')).toEqual([]);
  });

  it('refuses a malformed payload with a 400 naming the problem', async () => {
    const noId = JSON.stringify({ Action: 'Update', EntityType: 'Ticket', Fields: {} });
    expectProblem(await post(noId, signed(noId)), 400, 'Id');
    const badTarget = callout(70004, { 'JIT Target': 'Helpdesk Admin!' });
    expectProblem(await post(badTarget, signed(badTarget)), 400, 'targetId', /from the ticket's field 'JIT Target'/);
    const badDuration = callout(70004, { 'JIT Duration': 'an hour' });
    expectProblem(await post(badDuration, signed(badDuration)), 400, 'duration', /ISO 8601/);
    const notJson = '{"Action":';
    expectProblem(await post(notJson, signed(notJson)), 400, '(body)', /not valid JSON/);
    expect((await requestsOf(tech.upn)).filter((r) => r.ticket === 'T20260102.70004')).toEqual([]);
  });

  it('a new mapping (PATCH, If-Match) applies to the next callout; one naming an unconnected tenant is refused naming it', async () => {
    const read = await t.client.api<{ mapping: Record<string, unknown> }>(
      'GET',
      `/integrations/${integration.integrationId}`,
      { token: carol },
    );
    expect(read.status, read.text).toBe(200);
    const etag = read.headers.get('etag') ?? '';
    const unconnected = await t.client.api<Record<string, unknown>>(
      'PATCH',
      `/integrations/${integration.integrationId}`,
      {
        token: carol,
        body: { mapping: { ...read.body.mapping, tenants: { '251': FABRIKAM.id } } },
        headers: { 'If-Match': etag },
      },
    );
    expectProblem(unconnected, 400, 'mapping.tenants.251', /not connected/);
    const remapped = await t.client.api('PATCH', `/integrations/${integration.integrationId}`, {
      token: carol,
      body: { mapping: { ...read.body.mapping, accessRequestedStatuses: ['22'] } },
      headers: { 'If-Match': etag },
    });
    expect(remapped.status, remapped.text).toBe(200);
    expect(remapped.body).toMatchObject({ mapping: { accessRequestedStatuses: ['22'] } });
    expect(remapped.headers.get('etag')).not.toBe(etag);
    const old = callout(70006);
    await expectIgnored(await post(old, signed(old)), /status '21' is not one that asks/);
    const asks = callout(70006, { Status: '22' });
    await expectRequest(await post(asks, signed(asks)), tech, integration.integrationId, 'T20260102.70006');
    await endLeases(tech.upn);
  });
});

// ── HaloPSA ──────────────────────────────────────────────────────────────────────────────────────

describe('HaloPSA webhooks (Basic authentication)', () => {
  let integration: Created;
  let tech: { upn: string; id: string };

  beforeAll(async () => {
    tech = await newTechnician(t.client, 'halo');
    integration = await createIntegration({
      name: 'HaloPSA',
      kind: 'halopsa',
      mapping: mapping({ '3': tech.upn }, { target: { field: 'CFJitTarget' }, durationField: undefined }),
    });
  });

  function delivery(
    ticketId: number,
    ticket: Record<string, unknown> = {},
    event: Record<string, unknown> = {},
  ): string {
    return JSON.stringify({
      id: randomUUID(),
      webhook_id: '53232637-7724-4a19-b126-3c7267a292aa',
      notification_id: 41,
      escmsg_id: randomUUID(),
      event: 'ticket status changed',
      message: `The status has been changed for Ticket ID: ${ticketId}.`,
      object_id: ticketId,
      agent_id: 3,
      timestamp: new Date().toISOString(),
      ticket: {
        id: ticketId,
        summary: 'Unlock a user',
        status_id: 21,
        tickettype_id: 25,
        client_id: 250,
        team_id: 5,
        agent_id: 3,
        customfields: [{ id: 150, name: 'CFJitTarget', label: 'JIT Target', value: DEMO_TARGET_ID }],
        ...ticket,
      },
      ...event,
    });
  }

  function basic(
    user = integration.basicAuth?.username ?? '',
    password = integration.basicAuth?.password ?? '',
  ): Record<string, string> {
    return {
      'Content-Type': 'application/json',
      Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    };
  }

  const post = (body: string, headers: Record<string, string>): Promise<ApiResponse<Record<string, unknown>>> =>
    t.client.api('POST', integration.webhookPath.replace(/^\/api/, ''), { rawBody: body, headers });

  it('shows the Basic credentials once', async () => {
    expect(integration).toMatchObject({
      kind: 'halopsa',
      basicAuth: { username: 'entra-jit', password: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown },
    });
    expect(integration).not.toHaveProperty('signingSecret');
    const list = await t.client.api('GET', '/integrations', { token: carol });
    expect(list.text).not.toContain(integration.basicAuth?.password);
  });

  it('a status change to the access-requested status makes the request; a redelivery gets the first outcome', async () => {
    const body = delivery(4242);
    const first = await post(body, basic());
    await expectRequest(first, tech, integration.integrationId, '4242');
    const again = await post(body, basic());
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // Halo's "resend" makes a new event id for the same ticket: still the same delivery.
    const resent = delivery(4242);
    expect((await post(resent, basic())).body).toEqual(first.body);
    expect(await requestsOf(tech.upn)).toHaveLength(1);
    await endLeases(tech.upn);
  });

  it('refuses wrong, partial or missing credentials (401), creating nothing', async () => {
    const body = delivery(4243);
    for (const headers of [
      basic('entra-jit', 'wrong'),
      basic('someone', integration.basicAuth?.password),
      { 'Content-Type': 'application/json' },
      { 'Content-Type': 'application/json', Authorization: `Bearer ${carol}` },
    ]) {
      expectProblem(await post(body, headers), 401);
    }
    expect((await requestsOf(tech.upn)).filter((r) => r.ticket === '4243')).toEqual([]);
  });

  it('answers 200 with the reason for events that do not ask for access', async () => {
    await expectIgnored(await post(delivery(4244, { status_id: 9 }), basic()), /status '9' is not one that asks/);
    await expectIgnored(await post(delivery(4244, { client_id: 77 }), basic()), /company '77' is not mapped/);
    await expectIgnored(
      await post(delivery(4244, { customfields: [] }), basic()),
      /field 'CFJitTarget' \(the target\) is empty/,
    );
    expect((await requestsOf(tech.upn)).filter((r) => r.ticket === '4244')).toEqual([]);
  });

  it('refuses a malformed payload with a 400 naming the problem (and the Halo setting to change)', async () => {
    const eventOnly = JSON.stringify({
      id: randomUUID(),
      event: 'ticket status changed',
      object_id: 4245,
      webhook_id: 3,
    });
    expectProblem(await post(eventOnly, basic()), 400, 'ticket', /Full object/);
    expectProblem(await post(JSON.stringify([JSON.parse(delivery(4245))]), basic()), 400, '(body)', /Batching off/);
    expectProblem(await post(delivery(4245, { id: 'abc' }), basic()), 400, 'ticket.id');
  });
});

// ── ConnectWise PSA ──────────────────────────────────────────────────────────────────────────────

describe('ConnectWise PSA callbacks (X-Content-Signature, key from key_url)', () => {
  let integration: Created;
  let tech: { upn: string; id: string };
  const keyUrl = (id = 'jit'): string => `${keyOrigin}/v4_6_release/apis/3.0/system/callbackkey/index.rails?id=${id}`;

  beforeAll(async () => {
    tech = await newTechnician(t.client, 'cw');
    integration = await createIntegration({
      name: 'ConnectWise',
      kind: 'connectwise',
      companyId: 'mspco',
      callbackKeyOrigin: keyOrigin,
      mapping: mapping({ jsmith: tech.upn }, { accessRequestedStatuses: ['JIT Access Requested'] }),
    });
  });

  function callback(
    ticketId: number,
    ticket: Record<string, unknown> = {},
    envelope: Record<string, unknown> = {},
  ): string {
    const entity = {
      id: ticketId,
      summary: 'Add a shared mailbox',
      board: { id: 1, name: 'Service' },
      status: { id: 44, name: 'JIT Access Requested' },
      company: { id: 250, identifier: 'Contoso', name: 'Contoso Ltd' },
      owner: { id: 144, identifier: 'jsmith', name: 'J Smith' },
      customFields: [
        { id: 7, caption: 'JIT Target', type: 'Text', value: DEMO_TARGET_ID },
        { id: 8, caption: 'JIT Duration', type: 'Text', value: 'PT30M' },
      ],
      _info: { lastUpdated: new Date().toISOString(), updatedBy: 'jsmith' },
      ...ticket,
    };
    return JSON.stringify({
      MessageId: randomUUID(),
      FromUrl: 'https://na.myconnectwise.net',
      CompanyId: 'mspco',
      MemberId: 'jsmith',
      Action: 'updated',
      Type: 'ticket',
      ID: ticketId,
      ProductInstanceId: 'b6b1c2d3-0000-4000-8000-000000000001',
      PartnerId: 'mspco',
      Entity: JSON.stringify(entity),
      Metadata: { key_url: keyUrl() },
      CallbackObjectRecId: 12,
      ...envelope,
    });
  }

  function signed(body: string, key = signingKeys.get('jit') ?? ''): Record<string, string> {
    return {
      'Content-Type': 'application/json',
      'X-Content-Signature': createHmac('sha256', createHash('sha256').update(key).digest())
        .update(body)
        .digest('base64'),
    };
  }

  /** As ConnectWise sends it: to the callback URL registered with its secret. */
  const post = (body: string, headers: Record<string, string>): Promise<ApiResponse<Record<string, unknown>>> =>
    t.client.api('POST', (integration.callbackPath ?? '').replace(/^\/api/, ''), { rawBody: body, headers });

  const postTo = (
    path: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<ApiResponse<Record<string, unknown>>> =>
    t.client.api('POST', path.replace(/^\/api/, ''), { rawBody: body, headers });

  it('shows the callback URL with its secret once; the PSA site and company it trusts are in the answer', async () => {
    expect(integration).toMatchObject({
      kind: 'connectwise',
      companyId: 'mspco',
      callbackKeyOrigin: keyOrigin,
      callbackSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
    });
    expect(integration.callbackPath).toBe(`${integration.webhookPath}?secret=${integration.callbackSecret ?? ''}`);
    expect(integration).not.toHaveProperty('signingSecret');
    expect(integration).not.toHaveProperty('basicAuth');
    const list = await t.client.api('GET', '/integrations', { token: carol });
    expect(list.text).not.toContain(integration.callbackSecret);
  });

  it("refuses the attack of another company on the same ConnectWise cloud: its own key URL and key, the MSP's company and ticket (401), creating nothing", async () => {
    // The attacker has their own company on the site, so a callback key of their own that the
    // site serves; they sign a body naming the MSP's company, the MSP's mapped customer and
    // technician, and post it to the integration's webhook path, which is no secret.
    signingKeys.set('attacker', `attacker-key-${randomUUID()}`);
    const forged = callback(5010, {}, { Metadata: { key_url: keyUrl('attacker') } });
    const hitsBefore = keyHits.length;
    expectProblem(await postTo(integration.webhookPath, forged, signed(forged, signingKeys.get('attacker'))), 401);
    // Even knowing the path's shape, a guessed or stale secret is refused the same way.
    expectProblem(
      await postTo(
        `${integration.webhookPath}?secret=not-the-secret`,
        forged,
        signed(forged, signingKeys.get('attacker')),
      ),
      401,
    );
    // Refused before the body was read: not a single key was fetched for it.
    expect(keyHits.length).toBe(hitsBefore);
    expect((await requestsOf(tech.upn)).filter((r) => r.ticket === '5010')).toEqual([]);
  });

  it('a ticket in the access-requested status makes the request; a redelivery and a later save get the first outcome', async () => {
    const body = callback(5001);
    const first = await post(body, signed(body));
    await expectRequest(first, tech, integration.integrationId, '5001');
    const again = await post(body, signed(body));
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const laterSave = callback(5001, { summary: 'Add a shared mailbox (time entered)' });
    expect((await post(laterSave, signed(laterSave))).body).toEqual(first.body);
    expect(await requestsOf(tech.upn)).toHaveLength(1);
    await endLeases(tech.upn);
  });

  it('refuses a wrong signature, another company, a foreign key_url or an unknown key (401), creating nothing and fetching nothing foreign', async () => {
    const body = callback(5002);
    const hitsBefore = keyHits.length;
    expectProblem(await post(body, signed(body, 'not-the-key')), 401);
    expectProblem(await post(body, { 'Content-Type': 'application/json' }), 401);
    const tampered = body.replace('Add a shared mailbox', 'Something else');
    expect(tampered).not.toBe(body);
    expectProblem(await post(tampered, signed(body)), 401);
    const otherCompany = callback(5002, {}, { CompanyId: 'someoneelse' });
    expectProblem(await post(otherCompany, signed(otherCompany)), 401);
    const foreign = callback(
      5002,
      {},
      { Metadata: { key_url: 'http://127.0.0.2:9/v4_6_release/apis/3.0/system/callbackkey/index.rails?id=jit' } },
    );
    expectProblem(await post(foreign, signed(foreign)), 401);
    const notAKey = callback(
      5002,
      {},
      { Metadata: { key_url: `${keyOrigin}/v4_6_release/apis/3.0/service/tickets/5002` } },
    );
    expectProblem(await post(notAKey, signed(notAKey)), 401);
    const unknownKey = callback(5002, {}, { Metadata: { key_url: keyUrl('nope') } });
    expect(String((await post(unknownKey, signed(unknownKey))).body.detail)).toMatch(
      /signing key could not be obtained/,
    );
    expectProblem(await post('not json', signed('not json')), 401);
    // Only the configured site's key addresses were ever asked.
    expect(keyHits.slice(hitsBefore).every((h) => h.startsWith('/v4_6_release/apis/3.0/system/callbackkey/'))).toBe(
      true,
    );
    expect((await requestsOf(tech.upn)).filter((r) => r.ticket === '5002')).toEqual([]);
  });

  it('rotating the callback URL secret: both URLs work during the overlap, only the new one after a rotation without overlap', async () => {
    const id = integration.integrationId;
    const oldPath = integration.callbackPath ?? '';
    const notAsking = callback(5020, { status: { id: 45, name: 'In Progress' } });
    const rotated = await t.client.api<Created>('PATCH', `/integrations/${id}`, {
      token: carol,
      body: { rotateSecret: { overlap: 'PT10M' } },
    });
    expect(rotated.status, rotated.text).toBe(200);
    secrets.push(rotated.body.callbackSecret ?? '');
    expect(rotated.body.callbackPath).toBe(`${integration.webhookPath}?secret=${rotated.body.callbackSecret ?? ''}`);
    expect(rotated.body.callbackPath).not.toBe(oldPath);
    await expectIgnored(await postTo(oldPath, notAsking, signed(notAsking)), /is not one that asks/);
    await expectIgnored(
      await postTo(rotated.body.callbackPath ?? '', notAsking, signed(notAsking)),
      /is not one that asks/,
    );
    const hard = await t.client.api<Created>('PATCH', `/integrations/${id}`, {
      token: carol,
      body: { rotateSecret: {} },
    });
    expect(hard.status, hard.text).toBe(200);
    secrets.push(hard.body.callbackSecret ?? '');
    expectProblem(await postTo(oldPath, notAsking, signed(notAsking)), 401);
    expectProblem(await postTo(rotated.body.callbackPath ?? '', notAsking, signed(notAsking)), 401);
    await expectIgnored(
      await postTo(hard.body.callbackPath ?? '', notAsking, signed(notAsking)),
      /is not one that asks/,
    );
    integration = {
      ...integration,
      callbackPath: hard.body.callbackPath ?? '',
      callbackSecret: hard.body.callbackSecret ?? '',
    };
  });

  it('an integration made before callback URL secrets refuses callbacks, saying why, until its secret is rotated', async () => {
    const legacyId = randomUUID();
    await getServices().deps.integrations.create({
      integrationId: legacyId,
      name: 'ConnectWise (old)',
      kind: 'connectwise',
      enabled: true,
      createdAt: new Date().toISOString(),
      createdBy: HOME_USERS.carol.userPrincipalName,
      companyId: 'mspco',
      callbackKeyOrigin: keyOrigin,
      mapping: {
        tenants: { '250': CONTOSO.id },
        technicians: { jsmith: tech.upn },
        accessRequestedStatuses: ['JIT Access Requested'],
        target: { field: 'JIT Target' },
      },
    });
    const notAsking = callback(5030, { status: { id: 45, name: 'In Progress' } });
    const refused = await postTo(`/api/webhooks/${legacyId}`, notAsking, signed(notAsking));
    expectProblem(refused, 401);
    expect(String(refused.body.detail)).toMatch(/no callback URL secret yet; rotate its secret/);
    const rotated = await t.client.api<Created>('PATCH', `/integrations/${legacyId}`, {
      token: carol,
      body: { rotateSecret: { overlap: 'PT1H' } },
    });
    expect(rotated.status, rotated.text).toBe(200);
    secrets.push(rotated.body.callbackSecret ?? '');
    expect(rotated.body).not.toHaveProperty('previousSecretValidUntil');
    await expectIgnored(
      await postTo(rotated.body.callbackPath ?? '', notAsking, signed(notAsking)),
      /is not one that asks/,
    );
    expectProblem(await postTo(`/api/webhooks/${legacyId}`, notAsking, signed(notAsking)), 401);
  });

  it('answers 200 with the reason for callbacks that do not ask for access', async () => {
    for (const [body, reason] of [
      [
        callback(5003, { status: { id: 45, name: 'In Progress' } }),
        /status '45' \/ 'In Progress' is not one that asks/,
      ],
      [callback(5003, { company: { id: 900, identifier: 'Northwind' } }), /company '900' \/ 'Northwind' is not mapped/],
      [callback(5003, {}, { Action: 'deleted' }), /'deleted' callback does not ask/],
      [callback(5003, {}, { Type: 'company' }), /company callback, not a ticket's/],
    ] as const) {
      await expectIgnored(await post(body, signed(body)), reason);
    }
    expect((await requestsOf(tech.upn)).filter((r) => r.ticket === '5003')).toEqual([]);
  });

  it('refuses a malformed payload with a 400 naming the problem', async () => {
    const badEntity = callback(5004, {}, { Entity: '{"id":' });
    expectProblem(await post(badEntity, signed(badEntity)), 400, 'Entity', /not the ticket as JSON/);
    const noId = callback(5004, {}, { ID: undefined });
    expectProblem(await post(noId, signed(noId)), 400, 'ID');
    const mismatch = callback(5004, { id: 6000 });
    expectProblem(await post(mismatch, signed(mismatch)), 400, 'Entity.id');
  });
});

describe('secrets', () => {
  it('never appear in a log line, an integration listing or the audit trail', async () => {
    expect(secrets.length).toBe(7);
    const logText = [...t.logs.map((l) => JSON.stringify(l)), ...appLogLines].join('\n');
    const listing = (await t.client.api('GET', '/integrations', { token: carol })).text;
    const audit = (await t.client.api('GET', '/audit?limit=200', { token: carol })).text;
    for (const secret of secrets) {
      expect(logText.includes(secret)).toBe(false);
      expect(listing.includes(secret)).toBe(false);
      expect(audit.includes(secret)).toBe(false);
    }
    expect(logText).toMatch(/webhook_refused/);
    expect(logText).toMatch(/webhook_ignored/);
  });
});
