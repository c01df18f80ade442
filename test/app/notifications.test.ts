import { describe, expect, it, vi } from 'vitest';
import { notifyLease } from '../../src/app/notifications';
import { submitRequest } from '../../src/app/requests';
import { transition } from '../../src/domain/lease';
import type { LeaseRequest } from '../../src/domain/request';
import { fakeDeps, type FakeDeps } from '../support/fakes/deps';
import { CUSTOMER_TENANT_ID, markProvisioned, seedConfig, technician } from '../support/fakes/fixtures';
import { FakeLeaseOrchestrations } from '../support/fakes/leaseOrchestrations';

/**
 * notifyLease takes the request from the write this process just made when its status shows it is
 * the version the notification is about, and reads the stored one otherwise (the Table Storage
 * side of lastWrittenHere: test/adapters/tables/requestStore.test.ts).
 */
async function activeLease(): Promise<{ deps: FakeDeps; active: LeaseRequest }> {
  const deps = fakeDeps();
  await seedConfig(deps);
  const request = await submitRequest(deps, new FakeLeaseOrchestrations(), technician('alice'), {
    tenantId: CUSTOMER_TENANT_ID,
    targetId: 'helpdesk',
  });
  return { deps, active: await markProvisioned(deps, request.id) };
}

describe('notifyLease', () => {
  it('an `active` or `ended` notification after the write here that made it so reads nothing', async () => {
    const { deps, active } = await activeLease();
    const get = vi.spyOn(deps.requests, 'get');
    await notifyLease(deps, { requestId: active.id, kind: 'active' });
    const stored = await deps.requests.get(active.id);
    if (stored === null) throw new Error('request not stored');
    const ended = transition(
      transition(active, { type: 'startRevocation', cause: 'expired', by: null }, deps.clock.now()),
      { type: 'revoked' },
      deps.clock.now(),
    );
    await deps.requests.replace(ended, stored.etag);
    get.mockClear();
    await notifyLease(deps, { requestId: active.id, kind: 'ended' });
    expect(get).not.toHaveBeenCalled();
    expect(deps.notifier.sent.map((n) => [n.kind, n.status, n.endReason])).toEqual([
      ['active', 'active', null],
      ['ended', 'ended', 'expired'],
    ]);
  });

  it('reads the stored request when the version written here is not the one the notification is about', async () => {
    const { deps, active } = await activeLease();
    const stored = await deps.requests.get(active.id);
    if (stored === null) throw new Error('request not stored');
    const ended = transition(
      transition(active, { type: 'startRevocation', cause: 'revoked', by: 'bob@msp.example' }, deps.clock.now()),
      { type: 'revoked' },
      deps.clock.now(),
    );
    await deps.requests.replace(ended, stored.etag);
    // As if another process wrote the end: this one remembers only the active version.
    vi.spyOn(deps.requests, 'lastWrittenHere').mockReturnValue({ value: active, etag: stored.etag });
    await notifyLease(deps, { requestId: active.id, kind: 'ended' });
    // ending_soon: an extension written elsewhere may have moved the expiry; always read.
    await notifyLease(deps, { requestId: active.id, kind: 'ending_soon' });
    expect(deps.notifier.sent.map((n) => [n.kind, n.status, n.endReason])).toEqual([
      ['ended', 'ended', 'revoked'],
      ['ending_soon', 'ended', 'revoked'],
    ]);
  });
});
