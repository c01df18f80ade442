import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_USERS } from '../../local/sandbox/seed';
import { DEMO_TARGET_ID } from '../../local/seedDemo';
import { getServices } from '../../src/composition';
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
  const created = await t.client.api<{ integrationId: string; signingSecret: string; webhookPath: string }>('POST', '/integrations', { token: carol, body: { name: 'PSA' } });
  expect(created.status, created.text).toBe(201);
  integrationId = created.body.integrationId;
  secret = created.body.signingSecret;
}, 90_000);

afterAll(async () => {
  await t?.stack.close();
});

function sign(body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const ts = String(timestamp);
  return { 'Content-Type': 'application/json', 'X-Jit-Timestamp': ts, 'X-Jit-Signature': `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}` };
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
    expect(list.body.items.find((i) => i.integrationId === integrationId)).toMatchObject({ name: 'PSA', kind: 'generic', enabled: true });
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
    const first = await t.client.api<{ requestId: string; technician: string }>('POST', `/webhooks/${integrationId}`, { rawBody: body, headers: sign(body) });
    expect(first.status, first.text).toBe(202);
    expect(first.body.technician).toBe(tech.upn);
    const token = await t.client.token(tech.upn);
    const active = await t.client.waitForRequest(first.body.requestId, token, (r) => r.status === 'active');
    expect(active).toMatchObject({ ticket: 'T-4711', requester: { objectId: tech.id }, origin: { integrationId } });

    // The same delivery again (freshly signed, as a sender's retry would be): the first answer, nothing new.
    const replay = await t.client.api<{ requestId: string }>('POST', `/webhooks/${integrationId}`, { rawBody: body, headers: sign(body) });
    expect(replay.status, replay.text).toBe(202);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const mine = await t.client.api<{ items: unknown[] }>('GET', `/requests?tenantId=${CONTOSO.id}&limit=200`, { token });
    expect(mine.body.items).toHaveLength(1);

    const audit = await t.client.api<{ items: { action: string; ticket: string | null; actor: { type: string; id: string } }[] }>('GET', `/audit?requestId=${first.body.requestId}`, { token: carol });
    expect(audit.status, audit.text).toBe(200);
    const submitted = audit.body.items.find((e) => e.action === 'request.submitted');
    expect(submitted).toMatchObject({ ticket: 'T-4711', actor: { type: 'integration', id: integrationId } });
    expect(audit.body.items.find((e) => e.action === 'lease.provisioned')?.ticket).toBe('T-4711');

    expect((await t.client.api('POST', `/requests/${first.body.requestId}/revoke`, { token, body: {} })).status).toBe(202);
    await t.client.waitForRequest(first.body.requestId, token, (r) => r.status === 'ended');
  });

  it('refuses a wrong signature, a stale or future timestamp, a missing header, and an unknown integration, creating nothing', async () => {
    const tech = await newTechnician(t.client, 'bad');
    const body = event(tech.upn);
    const good = sign(body);
    const wrong = { ...good, 'X-Jit-Signature': `sha256=${createHmac('sha256', 'not-the-secret').update(`${good['X-Jit-Timestamp']}.${body}`).digest('hex')}` };
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
    expect(String((await t.client.api('POST', `/webhooks/${integrationId}`, { rawBody: body, headers: sign(body, Math.floor(Date.now() / 1000) - 360) })).body.detail)).toMatch(/5 minutes/);
    expect((await t.client.api('POST', `/webhooks/${randomUUID()}`, { rawBody: body, headers: good })).status).toBe(404);
    const token = await t.client.token(tech.upn);
    expect((await t.client.api<{ items: unknown[] }>('GET', '/requests', { token })).body.items).toEqual([]);

    // Signed but malformed: 400 naming the field.
    const malformed = JSON.stringify({ deliveryId: 'd-1', type: 'access.requested', ticket: 'T-1', technician: {}, tenantId: 'nope', targetId: DEMO_TARGET_ID });
    const bad = await t.client.api<{ errors: { field: string }[] }>('POST', `/webhooks/${integrationId}`, { rawBody: malformed, headers: sign(malformed) });
    expect(bad.status, bad.text).toBe(400);
    expect(bad.body.errors.map((e) => e.field)).toEqual(expect.arrayContaining(['technician', 'tenantId']));
  });

  it('still checks the entitlement of the technician the integration names', async () => {
    const body = event(HOME_USERS.erin.userPrincipalName);
    const refused = await t.client.api('POST', `/webhooks/${integrationId}`, { rawBody: body, headers: sign(body) });
    expect(refused.status, refused.text).toBe(403);
    // The refusal is the delivery's first outcome: a replay gets the same answer.
    const replay = await t.client.api('POST', `/webhooks/${integrationId}`, { rawBody: body, headers: sign(body) });
    expect(replay.status).toBe(403);
    expect(replay.body).toEqual(refused.body);
  });
});

describe('Idempotency-Key on POST /requests', () => {
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

    const different = await t.client.api('POST', '/requests', { token, body: { ...body, duration: 'PT2H' }, headers: { 'Idempotency-Key': key } });
    expect(different.status, different.text).toBe(422);
    // Another caller's identical key is theirs alone.
    const other = await newTechnician(t.client, 'idem');
    const otherToken = await t.client.token(other.upn);
    const theirs = await t.client.api('POST', '/requests', { token: otherToken, body, headers: { 'Idempotency-Key': key } });
    expect(theirs.status, theirs.text).toBe(202);
    expect(theirs.body.id).not.toBe(first.body.id);
    expect((await t.client.api('POST', '/requests', { token, body, headers: { 'Idempotency-Key': 'bad key with spaces' } })).status).toBe(400);
    for (const [tok, id] of [[token, String(first.body.id)], [otherToken, String(theirs.body.id)]] as const) {
      expect((await t.client.api('POST', `/requests/${id}/revoke`, { token: tok, body: {} })).status).toBe(202);
      await t.client.waitForRequest(id, tok, (r) => r.status === 'ended');
    }
  });
});
