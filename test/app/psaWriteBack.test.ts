import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { notifyLease } from '../../src/app/notifications';
import { FIRST_BACKOFF_MS, runPsaWriteBacks } from '../../src/app/psaWriteBack';
import { submitRequest } from '../../src/app/requests';
import { ticketDeliveryId } from '../../src/app/ticketing/mapping';
import type { Integration } from '../../src/domain/integration';
import type { WriteBackEvent } from '../../src/domain/psaWriteBack';
import { fakeDeps, type FakeDeps } from '../support/fakes/deps';
import { CUSTOMER_TENANT_ID, markProvisioned, seedConfig, technician } from '../support/fakes/fixtures';
import { FakeLeaseOrchestrations } from '../support/fakes/leaseOrchestrations';

/**
 * PSA write-back over in-memory ports: which requests queue notes, the order of a ticket's notes,
 * retry with back-off, and a refusal given up at once (the PSAs themselves: test/e2e/psaWriteBack.test.ts).
 */
const PSA_SECRET = `autotask-secret-${randomUUID()}`;

async function setUp(
  events: WriteBackEvent[] = ['activated', 'ended'],
): Promise<{ deps: FakeDeps; integrationId: string }> {
  const deps = fakeDeps({ workflow: { publicBaseUrl: 'https://portal.example/' } });
  await seedConfig(deps);
  const integrationId = randomUUID();
  const writeBackSecretName = await deps.vault.putIntegrationSecret(
    integrationId,
    JSON.stringify({ username: 'api@msp.example', secret: PSA_SECRET, apiIntegrationCode: 'CODE' }),
    { version: 'psa1' },
  );
  const integration: Integration = {
    integrationId,
    name: 'Autotask',
    kind: 'autotask',
    enabled: true,
    createdAt: deps.clock.now().toISOString(),
    createdBy: 'carol@msp.example',
    secretName: 'integration-x',
    mapping: {
      tenants: { '250': CUSTOMER_TENANT_ID },
      technicians: { '7': 'alice@msp.example' },
      accessRequestedStatuses: ['21'],
      target: { fixed: 'helpdesk' },
    },
    writeBack: { apiUrl: 'https://webservices5.autotask.net', events },
    writeBackSecretName,
  };
  await deps.integrations.create(integration);
  return { deps, integrationId };
}

/** An active lease asked for by Autotask ticket 4711 through the integration (or typed by the requester). */
async function activeLease(deps: FakeDeps, integrationId: string | null): Promise<string> {
  const alice = technician('alice');
  const request = await submitRequest(
    deps,
    new FakeLeaseOrchestrations(),
    alice,
    { tenantId: CUSTOMER_TENANT_ID, targetId: 'helpdesk', ticket: 'T20261203.4711' },
    integrationId === null
      ? {}
      : {
          origin: {
            integrationId,
            deliveryId: ticketDeliveryId('autotask', '4711', CUSTOMER_TENANT_ID, 'helpdesk', alice.userPrincipalName),
          },
        },
  );
  await markProvisioned(deps, request.id);
  return request.id;
}

function noteCalls(deps: FakeDeps): string[] {
  return deps.psaHttp.calls.filter((c) => c.url.endsWith('/Notes')).map((c) => String(c.body));
}

describe('which requests write back', () => {
  it('queues a note for the ticket whose delivery made the request, never for a ticket the requester typed', async () => {
    const typed = await setUp();
    const typedId = await activeLease(typed.deps, null);
    await notifyLease(typed.deps, { requestId: typedId, kind: 'active' });
    expect(typed.deps.psaWriteBacks.jobs.size).toBe(0);

    const { deps, integrationId } = await setUp();
    const id = await activeLease(deps, integrationId);
    await notifyLease(deps, { requestId: id, kind: 'active' });
    await notifyLease(deps, { requestId: id, kind: 'active' }); // the activity run again: still one job
    expect([...deps.psaWriteBacks.jobs.values()].map((j) => j.job)).toEqual([
      expect.objectContaining({ jobId: `${id}:activated`, ticketId: '4711', event: 'activated', integrationId }),
    ]);
    const job = [...deps.psaWriteBacks.jobs.values()][0]?.job;
    expect(job?.text).toContain('Audit record: https://portal.example/audit?requestId=' + id);
    expect(job?.text).toContain('Technician: alice@msp.example');
  });

  it('queues only the events the integration chose, and nothing once it is disabled', async () => {
    const { deps, integrationId } = await setUp(['ended']);
    const id = await activeLease(deps, integrationId);
    await notifyLease(deps, { requestId: id, kind: 'active' });
    expect(deps.psaWriteBacks.jobs.size).toBe(0);
    const stored = await deps.integrations.get(integrationId);
    if (stored === null) throw new Error('integration not stored');
    await deps.integrations.replace({ ...stored.value, enabled: false }, stored.etag);
    await notifyLease(deps, { requestId: id, kind: 'ended' });
    expect(deps.psaWriteBacks.jobs.size).toBe(0);
  });
});

describe('runPsaWriteBacks', () => {
  it('retries a failing PSA with back-off (5 s, then 10 s) and audits the note once written', async () => {
    const { deps, integrationId } = await setUp();
    const id = await activeLease(deps, integrationId);
    await notifyLease(deps, { requestId: id, kind: 'active' });
    let failures = 2;
    deps.psaHttp.answer = () => (failures-- > 0 ? { status: 503, body: '' } : { status: 200, body: '{"itemId":1}' });

    await runPsaWriteBacks(deps);
    expect(noteCalls(deps)).toHaveLength(1);
    deps.clock.advance(FIRST_BACKOFF_MS - 1);
    await runPsaWriteBacks(deps);
    expect(noteCalls(deps)).toHaveLength(1); // not due yet
    deps.clock.advance(1);
    await runPsaWriteBacks(deps);
    expect(noteCalls(deps)).toHaveLength(2);
    deps.clock.advance(2 * FIRST_BACKOFF_MS);
    await runPsaWriteBacks(deps);
    expect(noteCalls(deps)).toHaveLength(3);
    expect(deps.psaWriteBacks.jobs.size).toBe(0);
    expect(deps.logs.filter((l) => l.event === 'psa_writeback_failed').map((l) => l.fields.willRetry)).toEqual([
      true,
      true,
    ]);
    const audit = await deps.audit.list({ requestId: id, action: 'psa.writeback_written' }, { limit: 10 });
    expect(audit.items).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ event: 'activated', attempts: 3 }) as unknown }),
    ]);
  });

  it("writes a ticket's notes in the order of their events: a later one waits while an older one waits for its retry", async () => {
    const { deps, integrationId } = await setUp();
    const id = await activeLease(deps, integrationId);
    await notifyLease(deps, { requestId: id, kind: 'active' });
    deps.clock.advance(1_000);
    await notifyLease(deps, { requestId: id, kind: 'ended' });
    let failures = 1;
    deps.psaHttp.answer = () => (failures-- > 0 ? { status: 503, body: '' } : { status: 200, body: '{}' });

    await runPsaWriteBacks(deps);
    // The activation note failed: the end note is due but must not overtake it.
    expect(noteCalls(deps)).toHaveLength(1);
    deps.clock.advance(FIRST_BACKOFF_MS);
    await runPsaWriteBacks(deps);
    const titles = noteCalls(deps).map((body) => (JSON.parse(body) as { title: string }).title);
    expect(titles).toEqual([
      'Just-in-time access activated',
      'Just-in-time access activated',
      'Just-in-time access ended',
    ]);
  });

  it('gives up at once on a refusal (wrong credentials): audited and logged without the secret, nothing else changes', async () => {
    const { deps, integrationId } = await setUp();
    const id = await activeLease(deps, integrationId);
    const before = await deps.requests.get(id);
    await notifyLease(deps, { requestId: id, kind: 'active' });
    deps.psaHttp.answer = () => ({ status: 401, body: '{"errors":["Unauthorized"]}' });

    await runPsaWriteBacks(deps);
    deps.clock.advance(3600_000);
    await runPsaWriteBacks(deps);
    expect(noteCalls(deps)).toHaveLength(1);
    expect(deps.psaWriteBacks.jobs.size).toBe(0);
    const failed = await deps.audit.list({ requestId: id, action: 'psa.writeback_failed' }, { limit: 10 });
    expect(failed.items).toEqual([
      expect.objectContaining({
        outcome: 'failure',
        details: expect.objectContaining({
          reason: 'adding a note to Autotask ticket 4711: the PSA answered 401',
        }) as unknown,
      }),
    ]);
    expect(deps.logs.find((l) => l.event === 'psa_writeback_failed')).toMatchObject({
      level: 'error',
      fields: { willRetry: false, leaseEvent: 'activated' },
    });
    expect(JSON.stringify(deps.logs)).not.toContain(PSA_SECRET);
    expect(JSON.stringify(failed.items)).not.toContain(PSA_SECRET);
    expect((await deps.requests.get(id))?.value).toEqual(before?.value);
  });
});
