import { createHmac, randomUUID } from 'node:crypto';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CONTOSO,
  FABRIKAM,
  HOME_TENANT,
  HOME_USERS,
  SERVICE_APP,
  seedAppOf,
  TEAMS_BOT_APP,
} from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { StackClient, type ApiResponse } from '../support/client';
import { connectQuickTargets, QUICK_TARGET_ID } from '../support/quickTargets';
import { startTestStack, type TestStack } from '../support/stack';
import { connectHomeTenant, startReceiver, target, waitFor } from './workflowSupport';

/**
 * No secret anywhere it should not be. One stack runs every flow that handles a secret: a customer
 * tenant connected with its client secret through the API, an integration's signing secret, a
 * signed webhook that starts a lease, signed notifications, a password lease and a Temporary
 * Access Pass lease, both revealed. Then every table (task hub history included), every log line
 * (host and console) and every response body — except the two whose job is to show a secret once
 * (the credential reveal, the integration's creation) — are scanned for every secret issued.
 */
const NOTIFY_SECRET = `notify-${randomUUID()}`;
const TAP_TARGET = 'quick-tap';

class RecordingClient extends StackClient {
  readonly responses: { what: string; text: string }[] = [];
  override async api<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: Parameters<StackClient['api']>[2] = {},
  ): Promise<ApiResponse<T>> {
    const response = await super.api<T>(method, path, options);
    this.responses.push({
      what: `${method} ${path}`,
      text: `${JSON.stringify(Object.fromEntries(response.headers))} ${response.text}`,
    });
    return response;
  }
}

let t: TestStack;
let client: RecordingClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const consoleLines: string[] = [];
const secrets = new Map<string, string>();

beforeAll(async () => {
  for (const method of ['log', 'warn', 'error', 'info'] as const) {
    vi.spyOn(console, method).mockImplementation(
      (...args: unknown[]) => void consoleLines.push(args.map(String).join(' ')),
    );
  }
  receiver = await startReceiver();
  process.env.JIT_NOTIFY_WEBHOOK_URL = `${receiver.url}/hook`;
  process.env.JIT_NOTIFY_WEBHOOK_SECRET = NOTIFY_SECRET;
  t = await startTestStack();
  client = new RecordingClient(t.stack.apiBaseUrl, t.stack.sandboxUrl);
  const deps = getServices().deps;
  await connectHomeTenant(deps);
  await connectQuickTargets(deps, [CONTOSO]);
  const quick = await deps.config.getTarget(CONTOSO.id, QUICK_TARGET_ID);
  await deps.config.createTarget(
    target({
      ...(quick?.value ?? {}),
      tenantId: CONTOSO.id,
      targetId: TAP_TARGET,
      credentialType: 'temporaryAccessPass',
    }),
  );
  const rule = await deps.config.getRule('technicians-quick');
  if (rule === null) throw new Error('rule missing');
  await deps.config.replaceRule(
    {
      ...rule.value,
      scope: {
        targets: [
          { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID },
          { tenantId: CONTOSO.id, targetId: TAP_TARGET },
        ],
      },
    },
    rule.etag,
  );
  for (const tenant of [HOME_TENANT, CONTOSO, FABRIKAM])
    secrets.set(`${tenant.displayName} app secret`, seedAppOf(tenant).clientSecret);
  secrets.set('service app secret', SERVICE_APP.clientSecret);
  secrets.set('Teams bot app secret', TEAMS_BOT_APP.clientSecret);
  secrets.set('notification webhook secret', NOTIFY_SECRET);
}, 90_000);

afterAll(async () => {
  delete process.env.JIT_NOTIFY_WEBHOOK_URL;
  delete process.env.JIT_NOTIFY_WEBHOOK_SECRET;
  await t?.stack.close();
  await receiver?.close();
});

describe('secrets stay where they belong', () => {
  it('runs every flow that handles a secret', async () => {
    const carol = await client.token(HOME_USERS.carol.userPrincipalName);
    const alice = await client.token(HOME_USERS.alice.userPrincipalName);
    const dave = await client.token(HOME_USERS.dave.userPrincipalName);
    const exempt = new Set<string>();

    // A customer tenant connected through the API with its client secret.
    const fabrikamApp = seedAppOf(FABRIKAM);
    const connect = await client.api('POST', '/tenants', {
      token: carol,
      body: {
        tenantId: FABRIKAM.id,
        displayName: 'Fabrikam',
        jitDomain: 'fabrikam.example',
        connection: { mode: 'clientSecret', clientId: fabrikamApp.clientId, clientSecret: fabrikamApp.clientSecret },
      },
    });
    expect(connect.status, connect.text).toBe(201);

    // An integration (its creation shows the signing secret once) and a signed webhook.
    const integration = await client.api<{ integrationId: string; signingSecret: string }>('POST', '/integrations', {
      token: carol,
      body: { name: 'PSA' },
    });
    expect(integration.status, integration.text).toBe(201);
    exempt.add(`POST /integrations`);
    secrets.set('integration signing secret', integration.body.signingSecret);
    const body = JSON.stringify({
      deliveryId: randomUUID(),
      type: 'access.requested',
      ticket: 'T-1',
      technician: { userPrincipalName: HOME_USERS.alice.userPrincipalName },
      tenantId: CONTOSO.id,
      targetId: QUICK_TARGET_ID,
      duration: 'PT2S',
    });
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = `sha256=${createHmac('sha256', integration.body.signingSecret).update(`${ts}.${body}`).digest('hex')}`;
    const delivered = await client.api<{ requestId: string }>('POST', `/webhooks/${integration.body.integrationId}`, {
      rawBody: body,
      headers: { 'Content-Type': 'application/json', 'X-Jit-Timestamp': ts, 'X-Jit-Signature': signature },
    });
    expect(delivered.status, delivered.text).toBeLessThan(300);

    // A password lease (from the webhook) and a TAP lease, both revealed while active.
    const passwordLease = delivered.body.requestId;
    await client.waitForRequest(passwordLease, alice, (r) => r.status === 'active');
    const password = await client.api<{ password: string }>('POST', `/requests/${passwordLease}/credential`, {
      token: alice,
    });
    expect(password.status, password.text).toBe(200);
    secrets.set('lease password', password.body.password);
    const tapSubmit = await client.api('POST', '/requests', {
      token: dave,
      body: { tenantId: CONTOSO.id, targetId: TAP_TARGET, duration: 'PT3S' },
    });
    expect(tapSubmit.status, tapSubmit.text).toBe(202);
    const tapLease = String(tapSubmit.body.id);
    await client.waitForRequest(tapLease, dave, (r) => r.status === 'active');
    const tap = await client.api<{ temporaryAccessPass: string }>('POST', `/requests/${tapLease}/credential`, {
      token: dave,
    });
    expect(tap.status, tap.text).toBe(200);
    secrets.set('temporary access pass', tap.body.temporaryAccessPass);
    exempt.add(`POST /requests/${passwordLease}/credential`).add(`POST /requests/${tapLease}/credential`);
    for (const id of [passwordLease, tapLease]) await client.waitForRequest(id, carol, (r) => r.status === 'ended');
    await waitFor('a signed notification', () => (receiver.received.length > 0 ? true : undefined));

    // Reads that echo state back: none may carry a secret.
    for (const path of [
      '/tenants',
      `/tenants/${FABRIKAM.id}`,
      '/integrations',
      `/requests/${passwordLease}`,
      `/requests/${tapLease}`,
      '/requests',
      '/audit',
      '/entitlements',
    ]) {
      expect((await client.api('GET', path, { token: carol })).status).toBe(200);
    }

    const haystacks: [string, string][] = [];
    const service = TableServiceClient.fromConnectionString(t.stack.tablesConnectionString, {
      allowInsecureConnection: true,
    });
    for await (const table of service.listTables()) {
      const tableClient = TableClient.fromConnectionString(t.stack.tablesConnectionString, table.name ?? '', {
        allowInsecureConnection: true,
      });
      for await (const entity of tableClient.listEntities())
        haystacks.push([`table ${table.name}`, JSON.stringify(entity)]);
    }
    for (const record of t.logs) haystacks.push(['host log', JSON.stringify(record)]);
    for (const line of consoleLines) haystacks.push(['console', line]);
    for (const response of client.responses)
      if (!exempt.has(response.what)) haystacks.push([`response to ${response.what}`, response.text]);
    for (const delivery of receiver.received) haystacks.push([`notification to ${delivery.path}`, delivery.body]);

    expect(haystacks.filter(([where]) => where.startsWith('table')).length).toBeGreaterThan(50);
    expect(haystacks.some(([where]) => where.includes('Hub') || where.includes('hub'))).toBe(true);
    // The scan can see a secret: the exempt answers do show theirs.
    const exemptText = client.responses
      .filter((r) => exempt.has(r.what))
      .map((r) => r.text)
      .join('\n');
    for (const name of ['lease password', 'temporary access pass', 'integration signing secret'])
      expect(exemptText.includes(secrets.get(name) ?? '<none>'), name).toBe(true);
    const leaks = [...secrets].flatMap(([name, secret]) =>
      haystacks.filter(([, text]) => text.includes(secret)).map(([where]) => `${name} in ${where}`),
    );
    expect(leaks).toEqual([]);
    process.stdout.write(
      `secret scan: ${secrets.size} secrets × ${haystacks.length} places (tables, logs, responses, notifications): no leak\n`,
    );
  }, 180_000);
});
