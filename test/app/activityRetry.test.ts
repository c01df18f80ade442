import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONTOSO, HOME_USERS } from '../../local/sandbox/seed';
import { provisionAccess } from '../../src/app/provisionAccess';
import { recordRevocationFailure, revokeAccess } from '../../src/app/revokeAccess';
import { getServices } from '../../src/composition';
import { transition } from '../../src/domain/lease';
import { withRevokeReason, type LeaseRequest } from '../../src/domain/request';
import { QUICK_TARGET_ID } from '../support/quickTargets';
import { useQuickStack } from '../support/stack';

/**
 * Activities run at least once: one cut off after its last table write runs again. What follows
 * that write (the audit record, the lock given back) must happen then, and exactly once.
 */
const t = useQuickStack();

async function activeLease(user: string): Promise<LeaseRequest> {
  const token = await t.client.token(user);
  const submit = await t.client.api('POST', '/requests', {
    token,
    body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration: 'PT1H' },
  });
  expect(submit.status).toBe(202);
  const id = String(submit.body.id);
  await t.client.waitForRequest(id, token, (r) => r.status === 'active');
  const stored = await getServices().deps.requests.get(id);
  if (stored === null) throw new Error('request missing');
  return stored.value;
}

async function actions(requestId: string): Promise<string[]> {
  return (await getServices().deps.audit.list({ requestId }, { limit: 50 })).items.map((r) => r.action);
}

const count = (list: string[], action: string): number => list.filter((a) => a === action).length;

describe('an activity run again after its last write', () => {
  it('provisionAccess: a lease recorded active but never audited gets its one lease.provisioned record', async () => {
    const deps = getServices().deps;
    const lease = await activeLease(HOME_USERS.dave.userPrincipalName);
    // Run again on a lease that went through: nothing is written twice.
    await provisionAccess(deps, lease.id);
    await provisionAccess(deps, lease.id);
    expect(count(await actions(lease.id), 'lease.provisioned')).toBe(1);

    // The same lease as a crash right after `requests.replace(active)` would leave it: no record.
    const copy = { ...lease, id: randomUUID() } as LeaseRequest;
    await deps.requests.create(copy);
    expect(await actions(copy.id)).toEqual([]);
    await provisionAccess(deps, copy.id);
    await provisionAccess(deps, copy.id);
    const recovered = await deps.audit.list({ requestId: copy.id }, { limit: 10 });
    expect(recovered.items.map((r) => r.action)).toEqual(['lease.provisioned']);
    expect(recovered.items[0]?.details).toMatchObject({
      userPrincipalName: lease.status === 'active' ? lease.account.userPrincipalName : '',
      expiresAt: lease.status === 'active' ? lease.expiresAt : '',
    });
  });

  it('revokeAccess: a lease recorded ended but never audited, its lock still held, is finished once', async () => {
    const deps = getServices().deps;
    const lease = await activeLease(HOME_USERS.alice.userPrincipalName);
    const input = { requestId: lease.id, cause: 'revoked' as const, by: lease.requester.objectId };
    await revokeAccess(deps, input);
    await revokeAccess(deps, input);
    expect(count(await actions(lease.id), 'lease.ended')).toBe(1);

    // A crash right after `requests.replace(ended)`: the lock is still held by the request, no record.
    const ended = transition(
      transition(lease, { type: 'startRevocation', cause: 'revoked', by: input.by }, new Date()),
      { type: 'revoked' },
      new Date(),
    );
    const copy = { ...ended, id: randomUUID() } as LeaseRequest;
    await deps.requests.create(copy);
    const lock = { tenantId: copy.tenantId, requesterObjectId: copy.requester.objectId, requestId: copy.id };
    const held = await deps.locks.claim(lock);
    if (!held.claimed) await deps.locks.takeOver(lock, held.holder.etag);

    await revokeAccess(deps, { ...input, requestId: copy.id });
    await revokeAccess(deps, { ...input, requestId: copy.id });
    expect(await actions(copy.id)).toEqual(['lease.ended']);
    const next = await deps.locks.claim({ ...lock, requestId: randomUUID() });
    expect(next.claimed).toBe(true);
  });

  it('recordRevocationFailure: one record per failed round, however often the activity runs', async () => {
    const deps = getServices().deps;
    const lease = await activeLease(HOME_USERS.alice.userPrincipalName);
    const stored = await deps.requests.get(lease.id);
    if (stored === null) throw new Error('request missing');
    await deps.requests.replace(
      transition(stored.value, { type: 'startRevocation', cause: 'expired', by: null }, new Date()),
      stored.etag,
    );
    const round = {
      requestId: lease.id,
      failure: 'Graph unavailable',
      attempt: 1,
      failedAt: '2026-12-02T10:00:00.000Z',
    };
    await recordRevocationFailure(deps, round);
    await recordRevocationFailure(deps, round);
    // After a history restart the round numbers start again; the orchestration's clock does not.
    await recordRevocationFailure(deps, { ...round, failedAt: '2026-12-02T10:30:00.000Z' });
    expect(count(await actions(lease.id), 'lease.revocation_failed')).toBe(2);
  });
});

/** The leases above still hold their technicians' locks: let them ask again. */
async function freeLock(requesterObjectId: string): Promise<void> {
  const locks = getServices().deps.locks;
  const held = await locks.get(CONTOSO.id, requesterObjectId);
  if (held !== null) await locks.release(held);
}

describe('revokeAccess from the version this process wrote', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('ends a lease activated in this process without reading the request first', async () => {
    const deps = getServices().deps;
    await freeLock(HOME_USERS.dave.id);
    const lease = await activeLease(HOME_USERS.dave.userPrincipalName);
    // Only the reads revokeAccess makes: the lease's own orchestration runs its activities meanwhile.
    const insideRevoke = new AsyncLocalStorage<true>();
    const reads: string[] = [];
    const read = deps.requests.get.bind(deps.requests);
    vi.spyOn(deps.requests, 'get').mockImplementation((id) => {
      if (insideRevoke.getStore() === true) reads.push(id);
      return read(id);
    });
    await insideRevoke.run(true, () => revokeAccess(deps, { requestId: lease.id, cause: 'expired', by: null }));
    expect(reads).toEqual([]);
    vi.restoreAllMocks();
    expect((await deps.requests.get(lease.id))?.value).toMatchObject({ status: 'ended', endReason: 'expired' });
    expect(count(await actions(lease.id), 'lease.ended')).toBe(1);
  });

  it('a remembered version another process replaced since is refused by its ETag: the request is read, nothing written elsewhere is lost', async () => {
    const deps = getServices().deps;
    await freeLock(HOME_USERS.alice.id);
    const lease = await activeLease(HOME_USERS.alice.userPrincipalName);
    const remembered = await deps.requests.get(lease.id);
    if (remembered === null) throw new Error('request missing');
    // Another process (the API answering DELETE) records why, after this one last wrote the request.
    const annotated = withRevokeReason(remembered.value, 'the ticket was closed', new Date());
    if (annotated === null) throw new Error('expected a reason to be recordable');
    await deps.requests.replace(annotated, remembered.etag);
    vi.spyOn(deps.requests, 'lastWrittenHere').mockReturnValue(remembered);

    await revokeAccess(deps, { requestId: lease.id, cause: 'revoked', by: lease.requester.objectId });
    expect((await deps.requests.get(lease.id))?.value).toMatchObject({
      status: 'ended',
      endReason: 'revoked',
      revokeReason: 'the ticket was closed',
    });
    expect(count(await actions(lease.id), 'lease.ended')).toBe(1);
  });
});

/** A copy of `lease` (a new id) as it stood before it was provisioned. */
function provisioningCopyOf(lease: LeaseRequest): LeaseRequest {
  if (lease.status !== 'active') throw new Error(`expected an active lease, got ${lease.status}`);
  const { activatedAt: _activatedAt, expiresAt: _expiresAt, account: _account, ...common } = lease;
  return { ...common, id: randomUUID(), status: 'provisioning' };
}

describe('provisionAccess from the version this process wrote', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('provisions a request submitted in this process without reading it first', async () => {
    const deps = getServices().deps;
    await freeLock(HOME_USERS.dave.id);
    const copy = provisioningCopyOf(await activeLease(HOME_USERS.dave.userPrincipalName));
    await deps.requests.create(copy);
    const insideProvision = new AsyncLocalStorage<true>();
    const reads: string[] = [];
    const read = deps.requests.get.bind(deps.requests);
    vi.spyOn(deps.requests, 'get').mockImplementation((id) => {
      if (insideProvision.getStore() === true) reads.push(id);
      return read(id);
    });
    const result = await insideProvision.run(true, () => provisionAccess(deps, copy.id));
    expect(result.status).toBe('active');
    expect(reads).toEqual([]);
    vi.restoreAllMocks();
    expect((await deps.requests.get(copy.id))?.value.status).toBe('active');
    expect(count(await actions(copy.id), 'lease.provisioned')).toBe(1);
  });

  it('a remembered version another process replaced since is refused by its ETag: the request is read and provisioned, what the other process wrote is kept', async () => {
    const deps = getServices().deps;
    await freeLock(HOME_USERS.alice.id);
    const copy = provisioningCopyOf(await activeLease(HOME_USERS.alice.userPrincipalName));
    const remembered = await deps.requests.create(copy);
    // Another process (the API answering DELETE) records why, after this one last wrote the request.
    const annotated = withRevokeReason(copy, 'the ticket was closed', new Date());
    if (annotated === null) throw new Error('expected a reason to be recordable');
    await deps.requests.replace(annotated, remembered.etag);
    vi.spyOn(deps.requests, 'lastWrittenHere').mockReturnValue(remembered);

    const result = await provisionAccess(deps, copy.id);
    expect(result.status).toBe('active');
    expect((await deps.requests.get(copy.id))?.value).toMatchObject({
      status: 'active',
      revokeReason: 'the ticket was closed',
    });
    expect(count(await actions(copy.id), 'lease.provisioned')).toBe(1);
  });
});
