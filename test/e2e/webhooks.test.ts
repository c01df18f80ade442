import { createHmac, randomUUID } from 'node:crypto';
import { HttpRequest, InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_USERS } from '../../local/sandbox/seed';
import { DEMO_TARGET_ID } from '../../local/seedDemo';
import { getServices } from '../../src/composition';
import { serveOperation } from '../../src/http/endpoint';
import { HTTP_OPERATIONS } from '../../src/http/operations';
import { startTestStack, type TestStack } from '../support/stack';
import { connectHomeTenant, newTechnician } from './workflowSupport';

/**
 * Ticketing webhooks (signed with HMAC-SHA256 over timestamp.body) and Idempotency-Key on
 * POST /requests, end to end through the HTTP API on the local stack.
 */
let t: TestStack;
let integrationId: string;
let secret: string;

beforeAll(async () => {
  t = await startTestStack();
  await connectHomeTenant(getServices().deps);
  const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
  const created = await t.client.api<{ integrationId: string; signingSecret: string; webhookPath: string }>(
    'POST',
    '/integrations',
    { token: carol, body: { name: 'PSA' } },
  );
  expect(created.status, created.text).toBe(201);
  integrationId = created.body.integrationId;
  secret = created.body.signingSecret;
}, 90_000);

afterAll(async () => {
  await t?.stack.close();
});

function sign(body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const ts = String(timestamp);
  return {
    'Content-Type': 'application/json',
    'X-Jit-Timestamp': ts,
    'X-Jit-Signature': `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`,
  };
}

function event(technicianUpn: string, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    deliveryId: randomUUID(),
    type: 'access.requested',
    ticket: 'T-4711',
    technician: { userPrincipalName: technicianUpn },
    tenantId: CONTOSO.id,
    targetId: DEMO_TARGET_ID,
    duration: 'PT1H',
    justification: 'Ticket T-4711: reset MFA',
    ...overrides,
  });
}

describe('integrations', () => {
  it('shows the signing secret once, never in the listing, and only to admins', async () => {
    const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const list = await t.client.api<{ items: Record<string, unknown>[] }>('GET', '/integrations', { token: carol });
    expect(list.status).toBe(200);
    expect(list.body.items.find((i) => i.integrationId === integrationId)).toMatchObject({
      name: 'PSA',
      kind: 'generic',
      enabled: true,
    });
    expect(list.text).not.toContain(secret);
    expect(list.text).not.toContain('secretName');
    const alice = await t.client.token(HOME_USERS.alice.userPrincipalName);
    expect((await t.client.api('GET', '/integrations', { token: alice })).status).toBe(403);
    expect((await t.client.api('POST', '/integrations', { token: alice, body: { name: 'x' } })).status).toBe(403);
    expect((await t.client.api('POST', '/integrations', { token: carol, body: { name: '' } })).status).toBe(400);
  });
});

describe('POST /webhooks/{integrationId}', () => {
  it('accepts a signed event: a request for the named technician, with the ticket on the request and in audit; a replay returns the first outcome and provisions nothing twice', async () => {
    const tech = await newTechnician(t.client, 'hook');
    const body = event(tech.upn);
    const first = await t.client.api<{ requestId: string; technician: string }>('POST', `/webhooks/${integrationId}`, {
      rawBody: body,
      headers: sign(body),
    });
    expect(first.status, first.text).toBe(202);
    expect(first.body.technician).toBe(tech.upn);
    const token = await t.client.token(tech.upn);
    const active = await t.client.waitForRequest(first.body.requestId, token, (r) => r.status === 'active');
    expect(active).toMatchObject({ ticket: 'T-4711', requester: { objectId: tech.id }, origin: { integrationId } });

    // The same delivery again (freshly signed, as a sender's retry would be): the first answer, nothing new.
    const replay = await t.client.api<{ requestId: string }>('POST', `/webhooks/${integrationId}`, {
      rawBody: body,
      headers: sign(body),
    });
    expect(replay.status, replay.text).toBe(202);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const mine = await t.client.api<{ items: unknown[] }>('GET', `/requests?tenantId=${CONTOSO.id}&limit=200`, {
      token,
    });
    expect(mine.body.items).toHaveLength(1);

    const audit = await t.client.api<{
      items: { action: string; ticket: string | null; actor: { type: string; id: string } }[];
    }>('GET', `/audit?requestId=${first.body.requestId}`, { token: carol });
    expect(audit.status, audit.text).toBe(200);
    const submitted = audit.body.items.find((e) => e.action === 'request.submitted');
    expect(submitted).toMatchObject({ ticket: 'T-4711', actor: { type: 'integration', id: integrationId } });
    expect(audit.body.items.find((e) => e.action === 'lease.provisioned')?.ticket).toBe('T-4711');

    expect((await t.client.api('POST', `/requests/${first.body.requestId}/revoke`, { token, body: {} })).status).toBe(
      202,
    );
    await t.client.waitForRequest(first.body.requestId, token, (r) => r.status === 'ended');
  });

  it('refuses a wrong signature, a stale or future timestamp, a missing header, and an unknown integration, creating nothing', async () => {
    const tech = await newTechnician(t.client, 'bad');
    const body = event(tech.upn);
    const good = sign(body);
    const wrong = {
      ...good,
      'X-Jit-Signature': `sha256=${createHmac('sha256', 'not-the-secret').update(`${good['X-Jit-Timestamp']}.${body}`).digest('hex')}`,
    };
    const tampered = event(tech.upn, { duration: 'PT8H' });
    const cases: [string, Record<string, string>, string][] = [
      ['wrong secret', wrong, body],
      ['body changed after signing', good, tampered],
      ['6 minutes old', sign(body, Math.floor(Date.now() / 1000) - 360), body],
      ['6 minutes ahead', sign(body, Math.floor(Date.now() / 1000) + 360), body],
      ['no signature', { 'Content-Type': 'application/json', 'X-Jit-Timestamp': good['X-Jit-Timestamp'] ?? '' }, body],
    ];
    for (const [what, headers, raw] of cases) {
      const refused = await t.client.api('POST', `/webhooks/${integrationId}`, { rawBody: raw, headers });
      expect(refused.status, `${what}: ${refused.text}`).toBe(401);
      expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect(
      String(
        (
          await t.client.api('POST', `/webhooks/${integrationId}`, {
            rawBody: body,
            headers: sign(body, Math.floor(Date.now() / 1000) - 360),
          })
        ).body.detail,
      ),
    ).toMatch(/5 minutes/);
    expect((await t.client.api('POST', `/webhooks/${randomUUID()}`, { rawBody: body, headers: good })).status).toBe(
      404,
    );
    const token = await t.client.token(tech.upn);
    expect((await t.client.api<{ items: unknown[] }>('GET', '/requests', { token })).body.items).toEqual([]);

    // Signed but malformed: 400 naming the field.
    const malformed = JSON.stringify({
      deliveryId: 'd-1',
      type: 'access.requested',
      ticket: 'T-1',
      technician: {},
      tenantId: 'nope',
      targetId: DEMO_TARGET_ID,
    });
    const bad = await t.client.api<{ errors: { field: string }[] }>('POST', `/webhooks/${integrationId}`, {
      rawBody: malformed,
      headers: sign(malformed),
    });
    expect(bad.status, bad.text).toBe(400);
    expect(bad.body.errors.map((e) => e.field)).toEqual(expect.arrayContaining(['technician', 'tenantId']));
  });

  it('still checks the entitlement of the technician the integration names; the refusal is not kept, so the same delivery succeeds once a rule allows it', async () => {
    const body = event(HOME_USERS.erin.userPrincipalName);
    const refused = await t.client.api('POST', `/webhooks/${integrationId}`, { rawBody: body, headers: sign(body) });
    expect(refused.status, refused.text).toBe(403);
    // Retried before anything changed: evaluated again (not a stored answer), refused again.
    const retried = await t.client.api('POST', `/webhooks/${integrationId}`, { rawBody: body, headers: sign(body) });
    expect(retried.status).toBe(403);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();

    // The admin fixes the configuration; the sender's next retry of the same delivery goes through.
    const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const ruleId = `erin-${randomUUID().slice(0, 8)}`;
    const rule = await t.client.api('POST', '/rules', {
      token: carol,
      body: {
        ruleId,
        principal: { type: 'user', id: HOME_USERS.erin.id },
        scope: { targets: [{ tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID }] },
      },
    });
    expect(rule.status, rule.text).toBe(201);
    try {
      const accepted = await t.client.api<{ requestId: string }>('POST', `/webhooks/${integrationId}`, {
        rawBody: body,
        headers: sign(body),
      });
      expect(accepted.status, accepted.text).toBe(202);
      expect(accepted.headers.get('idempotent-replayed')).toBeNull();
      // From now on the success is the delivery's answer.
      const replay = await t.client.api('POST', `/webhooks/${integrationId}`, { rawBody: body, headers: sign(body) });
      expect(replay.status).toBe(202);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(accepted.body);
      const erin = await t.client.token(HOME_USERS.erin.userPrincipalName);
      await t.client.waitForRequest(accepted.body.requestId, erin, (r) => r.status === 'active');
      expect(
        (await t.client.api('POST', `/requests/${accepted.body.requestId}/revoke`, { token: carol, body: {} })).status,
      ).toBe(202);
      await t.client.waitForRequest(accepted.body.requestId, erin, (r) => r.status === 'ended');
    } finally {
      await t.client.api('DELETE', `/rules/${ruleId}`, { token: carol });
    }
  });
});

describe('GET/PATCH/DELETE /integrations/{id}', () => {
  /** A signed event whose body fails validation: 400 proves the delivery authenticated, 401 that it did not; nothing is ever made. */
  const probe = JSON.stringify({
    deliveryId: 'probe',
    type: 'access.requested',
    ticket: 'T-0',
    technician: {},
    tenantId: 'not-a-tenant',
    targetId: DEMO_TARGET_ID,
  });
  const signWith = (key: string, body = probe): Record<string, string> => {
    const ts = String(Math.floor(Date.now() / 1000));
    return {
      'Content-Type': 'application/json',
      'X-Jit-Timestamp': ts,
      'X-Jit-Signature': `sha256=${createHmac('sha256', key).update(`${ts}.${body}`).digest('hex')}`,
    };
  };
  const deliver = async (id: string, key: string): Promise<number> =>
    (await t.client.api('POST', `/webhooks/${id}`, { rawBody: probe, headers: signWith(key) })).status;

  async function newIntegration(
    carol: string,
    name: string,
  ): Promise<{ integrationId: string; signingSecret: string; etag: string }> {
    const created = await t.client.api<{ integrationId: string; signingSecret: string }>('POST', '/integrations', {
      token: carol,
      body: { name },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get('location')).toMatch(new RegExp(`/api/integrations/${created.body.integrationId}$`));
    return { ...created.body, etag: created.headers.get('etag') ?? '' };
  }

  it('reads one with its ETag; rotates its secret (shown once) with and without an overlap window; refuses a stale If-Match', async () => {
    const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const first = await newIntegration(carol, 'Rotating PSA');
    const id = first.integrationId;
    const read = await t.client.api('GET', `/integrations/${id}`, { token: carol });
    expect(read.status, read.text).toBe(200);
    expect(read.body).toMatchObject({ integrationId: id, name: 'Rotating PSA', kind: 'generic', enabled: true });
    expect(read.text).not.toContain(first.signingSecret);
    const etag = read.headers.get('etag') ?? '';
    expect(etag).toBe(first.etag);
    expect(await deliver(id, first.signingSecret)).toBe(400);

    // Rotation with an overlap: both secrets authenticate until the window ends.
    const rotated = await t.client.api<{ signingSecret: string; previousSecretValidUntil: string }>(
      'PATCH',
      `/integrations/${id}`,
      { token: carol, body: { rotateSecret: { overlap: 'PT1H' } }, headers: { 'If-Match': etag } },
    );
    expect(rotated.status, rotated.text).toBe(200);
    const second = rotated.body.signingSecret;
    expect(second).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second).not.toBe(first.signingSecret);
    expect(Date.parse(rotated.body.previousSecretValidUntil) - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(await deliver(id, second)).toBe(400);
    expect(await deliver(id, first.signingSecret)).toBe(400);
    expect(await deliver(id, 'not-the-secret')).toBe(401);
    // The ETag read before the rotation is stale now.
    const stale = await t.client.api('PATCH', `/integrations/${id}`, {
      token: carol,
      body: { name: 'x' },
      headers: { 'If-Match': etag },
    });
    expect(stale.status, stale.text).toBe(412);
    // Not shown again.
    const again = await t.client.api('GET', `/integrations/${id}`, { token: carol });
    expect(again.text).not.toContain(second);

    // Rotation without an overlap: the replaced secrets stop at once (even though they were just used and cached).
    const hard = await t.client.api<{ signingSecret: string }>('PATCH', `/integrations/${id}`, {
      token: carol,
      body: { rotateSecret: {} },
      headers: { 'If-Match': again.headers.get('etag') ?? '' },
    });
    expect(hard.status, hard.text).toBe(200);
    expect(hard.body).not.toHaveProperty('previousSecretValidUntil');
    expect(await deliver(id, hard.body.signingSecret)).toBe(400);
    expect(await deliver(id, second)).toBe(401);
    expect(await deliver(id, first.signingSecret)).toBe(401);
    const vault = (await t.client.state()).keyVault.secrets.filter(
      (s) => s.name.startsWith(`integration-${id}`) && !s.deleted,
    );
    expect(vault).toHaveLength(1);

    const bad = await t.client.api<{ errors: { field: string }[] }>('PATCH', `/integrations/${id}`, {
      token: carol,
      body: { rotateSecret: { overlap: 'P30D' }, mapping: {}, colour: 'red' },
    });
    expect(bad.status, bad.text).toBe(400);
    expect(bad.body.errors.map((e) => e.field)).toEqual(expect.arrayContaining(['rotateSecret.overlap', '(body)']));
    const audit = await t.client.api<{ items: { action: string; details: Record<string, unknown> }[] }>(
      'GET',
      '/audit?action=integration.updated&limit=50',
      { token: carol },
    );
    expect(audit.body.items.filter((e) => e.details.integrationId === id)).toHaveLength(2);
    expect(audit.text).not.toContain(second);
    expect(audit.text).not.toContain(hard.body.signingSecret);
  });

  it('a disabled integration refuses deliveries (404) and audits them until enabled again', async () => {
    const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const { integrationId: id, signingSecret } = await newIntegration(carol, 'Disabled PSA');
    const disabled = await t.client.api('PATCH', `/integrations/${id}`, { token: carol, body: { enabled: false } });
    expect(disabled.status, disabled.text).toBe(200);
    expect(disabled.body).toMatchObject({ enabled: false });
    expect(await deliver(id, signingSecret)).toBe(404);
    expect(await deliver(id, signingSecret)).toBe(404);
    const audit = await t.client.api<{
      items: { action: string; outcome: string; details: Record<string, unknown> }[];
    }>('GET', `/audit?actor=${id}&limit=50`, { token: carol });
    const refusals = audit.body.items.filter((e) => e.action === 'webhook.refused');
    // A stream of refused deliveries makes one record a minute, not one each.
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({
      outcome: 'failure',
      details: { integrationId: id, reason: 'the integration is disabled' },
    });
    expect((await t.client.api('PATCH', `/integrations/${id}`, { token: carol, body: { enabled: true } })).status).toBe(
      200,
    );
    expect(await deliver(id, signingSecret)).toBe(400);
  });

  it('a deleted integration is gone from reads, its secret from Key Vault, and its deliveries are refused (404) and audited', async () => {
    const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const { integrationId: id, signingSecret, etag } = await newIntegration(carol, 'Deleted PSA');
    expect(await deliver(id, signingSecret)).toBe(400);
    expect(
      (await t.client.api('DELETE', `/integrations/${id}`, { token: carol, headers: { 'If-Match': '"stale"' } }))
        .status,
    ).toBe(412);
    const deleted = await t.client.api('DELETE', `/integrations/${id}`, {
      token: carol,
      headers: { 'If-Match': etag },
    });
    expect(deleted.status, deleted.text).toBe(204);
    expect((await t.client.api('GET', `/integrations/${id}`, { token: carol })).status).toBe(404);
    expect((await t.client.api('DELETE', `/integrations/${id}`, { token: carol })).status).toBe(404);
    const list = await t.client.api<{ items: { integrationId: string }[] }>('GET', '/integrations', { token: carol });
    expect(list.body.items.map((i) => i.integrationId)).not.toContain(id);
    expect(
      (await t.client.state()).keyVault.secrets.filter((s) => s.name.startsWith(`integration-${id}`) && !s.deleted),
    ).toEqual([]);
    const refused = await t.client.api('POST', `/webhooks/${id}`, { rawBody: probe, headers: signWith(signingSecret) });
    expect(refused.status, refused.text).toBe(404);
    const audit = await t.client.api<{ items: { action: string; details: Record<string, unknown> }[] }>(
      'GET',
      `/audit?limit=100`,
      { token: carol },
    );
    expect(
      audit.body.items.find((e) => e.action === 'integration.deleted' && e.details.integrationId === id),
    ).toBeDefined();
    expect(
      audit.body.items.find((e) => e.action === 'webhook.refused' && e.details.integrationId === id),
    ).toMatchObject({ details: { reason: 'the integration is deleted' } });
  });
});

describe('what an unauthenticated caller can make the service do', () => {
  const keyVaultCalls = async (): Promise<number> => {
    const calls = await t.client.sandbox<{ keyVault: { total: number } }>('GET', '/_sandbox/calls');
    return calls.body.keyVault.total;
  };

  it('forged deliveries cost no Key Vault read each: the secret is read once and cached', async () => {
    const body = event(HOME_USERS.alice.userPrincipalName);
    // Warm: one read for this integration's secret.
    expect(
      (
        await t.client.api('POST', `/webhooks/${integrationId}`, {
          rawBody: body,
          headers: { ...sign(body), 'X-Jit-Signature': `sha256=${'0'.repeat(64)}` },
        })
      ).status,
    ).toBe(401);
    const before = await keyVaultCalls();
    for (let i = 0; i < 15; i++) {
      const forged = await t.client.api('POST', `/webhooks/${integrationId}`, {
        rawBody: body,
        headers: { ...sign(body), 'X-Jit-Signature': `sha256=${String(i % 10).repeat(64)}` },
      });
      expect(forged.status).toBe(401);
    }
    expect((await keyVaultCalls()) - before).toBeLessThanOrEqual(1);
  });

  it('GET /health is answered from a result a few seconds old: a flood of probes is not a flood of dependency calls', async () => {
    const before = await keyVaultCalls();
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.client.api('GET', '/health')));
    for (const health of answers) expect(health.status, health.text).toBe(200);
    for (let i = 0; i < 10; i++) expect((await t.client.api('GET', '/health')).status).toBe(200);
    // One check (two calls if the Key Vault challenge is repeated) instead of thirty.
    expect((await keyVaultCalls()) - before).toBeLessThanOrEqual(2);
  });

  it('a webhook body declared larger than 64 KiB is refused (413) before it is read', async () => {
    const request = new HttpRequest({
      method: 'POST',
      url: `${t.stack.apiBaseUrl}/webhooks/${integrationId}`,
      params: { integrationId },
      headers: { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) },
      body: { bytes: new Uint8Array(70 * 1024) },
    });
    const receiveWebhook = HTTP_OPERATIONS.find((op) => op.operationId === 'receiveWebhook');
    if (receiveWebhook === undefined) throw new Error('receiveWebhook is not in the operation table');
    const response = await serveOperation(
      receiveWebhook,
      request,
      new InvocationContext({ functionName: 'receiveWebhook', invocationId: randomUUID() }),
      {} as DurableClient,
    );
    expect(response.status).toBe(413);
    expect(request.bodyUsed).toBe(false);
    // Through the host too: an honest oversized body gets the same answer.
    const big = JSON.stringify({ padding: 'x'.repeat(70 * 1024) });
    expect(
      (await t.client.api('POST', `/webhooks/${integrationId}`, { rawBody: big, headers: sign(big) })).status,
    ).toBe(413);
  });
});

describe('Idempotency-Key on POST /requests', () => {
  it('replays a refusal too: the same key and body get the first problem, marked as a replay', async () => {
    const tech = await newTechnician(t.client, 'idem');
    const token = await t.client.token(tech.upn);
    const key = `portal-${randomUUID()}`;
    const body = { tenantId: CONTOSO.id, targetId: 'no-such-target', duration: 'PT1H' };
    const first = await t.client.api('POST', '/requests', { token, body, headers: { 'Idempotency-Key': key } });
    expect(first.status, first.text).toBe(404);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await t.client.api('POST', '/requests', { token, body, headers: { 'Idempotency-Key': key } });
    expect(again.status, again.text).toBe(404);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it('returns the first response to a retried submission, and refuses the same key with another body (422)', async () => {
    const tech = await newTechnician(t.client, 'idem');
    const token = await t.client.token(tech.upn);
    const key = `portal-${randomUUID()}`;
    const body = { tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID, duration: 'PT1H' };
    const first = await t.client.api('POST', '/requests', { token, body, headers: { 'Idempotency-Key': key } });
    expect(first.status, first.text).toBe(202);
    const again = await t.client.api('POST', '/requests', { token, body, headers: { 'Idempotency-Key': key } });
    expect(again.status, again.text).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await t.client.api<{ items: unknown[] }>('GET', '/requests', { token })).body.items).toHaveLength(1);

    const different = await t.client.api('POST', '/requests', {
      token,
      body: { ...body, duration: 'PT2H' },
      headers: { 'Idempotency-Key': key },
    });
    expect(different.status, different.text).toBe(422);
    // Another caller's identical key is theirs alone.
    const other = await newTechnician(t.client, 'idem');
    const otherToken = await t.client.token(other.upn);
    const theirs = await t.client.api('POST', '/requests', {
      token: otherToken,
      body,
      headers: { 'Idempotency-Key': key },
    });
    expect(theirs.status, theirs.text).toBe(202);
    expect(theirs.body.id).not.toBe(first.body.id);
    expect(
      (await t.client.api('POST', '/requests', { token, body, headers: { 'Idempotency-Key': 'bad key with spaces' } }))
        .status,
    ).toBe(400);
    for (const [tok, id] of [
      [token, String(first.body.id)],
      [otherToken, String(theirs.body.id)],
    ] as const) {
      expect((await t.client.api('POST', `/requests/${id}/revoke`, { token: tok, body: {} })).status).toBe(202);
      await t.client.waitForRequest(id, tok, (r) => r.status === 'ended');
    }
  });
});
