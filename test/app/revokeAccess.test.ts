import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordRevocationFailure } from '../../src/app/revokeAccess';
import { submitRequest } from '../../src/app/requests';
import { transition } from '../../src/domain/lease';
import { structuredLog } from '../../src/structuredLog';
import { fakeDeps } from '../support/fakes/deps';
import { CUSTOMER_TENANT_ID, markProvisioned, seedConfig, technician } from '../support/fakes/fixtures';
import { FakeLeaseOrchestrations } from '../support/fakes/leaseOrchestrations';

/**
 * What a failed revocation round leaves behind: the status, an audit record and the alert's log
 * line, written by the service's own structured logger (the alert rule in infra/ matches it).
 */
afterEach(() => {
  vi.restoreAllMocks();
});

describe('recordRevocationFailure', () => {
  it('marks the request revocation_failed, audits it and logs the line the alert rule matches', async () => {
    const errorLines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation(
      (...args: unknown[]) => void errorLines.push(args.map(String).join(' ')),
    );
    const deps = { ...fakeDeps(), log: structuredLog };
    await seedConfig(deps);
    const request = await submitRequest(deps, new FakeLeaseOrchestrations(), technician('dave'), {
      tenantId: CUSTOMER_TENANT_ID,
      targetId: 'helpdesk',
    });
    await markProvisioned(deps, request.id);
    const stored = await deps.requests.get(request.id);
    if (stored === null) throw new Error('request missing');
    // As the orchestration leaves it when a revocation round has begun.
    await deps.requests.replace(
      transition(stored.value, { type: 'startRevocation', cause: 'expired', by: null }, deps.clock.now()),
      stored.etag,
    );

    await recordRevocationFailure(deps, { requestId: request.id, failure: 'Graph unavailable', attempt: 3 });

    expect((await deps.requests.get(request.id))?.value).toMatchObject({
      status: 'revocation_failed',
      failure: 'Graph unavailable',
      revokeCause: 'expired',
    });
    const audit = await deps.audit.list({ requestId: request.id }, { limit: 20 });
    expect(audit.items.find((r) => r.action === 'lease.revocation_failed')).toMatchObject({
      outcome: 'failure',
      details: { failure: 'Graph unavailable', attempt: 3 },
    });
    const line = errorLines.find((l) => l.includes('"event":"revocation_failed"'));
    expect(line).toBeDefined();
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      level: 'error',
      requestId: request.id,
      tenantId: CUSTOMER_TENANT_ID,
      attempt: 3,
      reason: 'Graph unavailable',
    });
  });
});
