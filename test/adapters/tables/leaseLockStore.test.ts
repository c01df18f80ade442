import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConcurrencyError, type LeaseLock } from '../../../src/app/ports';
import { TableSet } from '../../../src/adapters/tables';
import { TableLeaseLockStore } from '../../../src/adapters/tables/leaseLockStore';
import { testEnv, uniqueName } from '../../support/env';
import { TableRoundTrips } from '../../support/tableRoundTrips';
import { freshStores } from './fixtures';

function lockFor(requestId: string, base?: LeaseLock): LeaseLock {
  return {
    tenantId: base?.tenantId ?? randomUUID(),
    requesterObjectId: base?.requesterObjectId ?? randomUUID(),
    requestId,
  };
}

describe('TableLeaseLockStore', () => {
  it('get reads the lock as it is now: null when free, the holder while held, null again once released', async () => {
    const { locks } = freshStores();
    const lock = lockFor(randomUUID());
    expect(await locks.get(lock.tenantId, lock.requesterObjectId)).toBeNull();
    await locks.claim(lock);
    expect(await locks.get(lock.tenantId, lock.requesterObjectId)).toEqual(lock);
    await locks.release(lock);
    expect(await locks.get(lock.tenantId, lock.requesterObjectId)).toBeNull();
  });

  it('claims once; a second request sees the holder; the holder claiming again keeps it', async () => {
    const { locks } = freshStores();
    const first = lockFor(randomUUID());
    expect(await locks.claim(first)).toEqual({ claimed: true });
    expect(await locks.claim(first)).toEqual({ claimed: true });

    const second = lockFor(randomUUID(), first);
    const result = await locks.claim(second);
    expect(result.claimed).toBe(false);
    if (result.claimed) throw new Error('unreachable');
    expect(result.holder.value).toEqual(first);
    expect(result.holder.etag).toMatch(/^W\/"/);

    // Another account in the same tenant is not blocked.
    expect(await locks.claim({ ...second, requesterObjectId: randomUUID() })).toEqual({ claimed: true });
  });

  it('takes over with the holder ETag, once', async () => {
    const { locks } = freshStores();
    const ended = lockFor(randomUUID());
    await locks.claim(ended);
    const next = lockFor(randomUUID(), ended);
    const seen = await locks.claim(next);
    if (seen.claimed) throw new Error('expected the lock to be held');

    await locks.takeOver(next, seen.holder.etag);
    const third = lockFor(randomUUID(), ended);
    await expect(locks.takeOver(third, seen.holder.etag)).rejects.toBeInstanceOf(ConcurrencyError);
    const now = await locks.claim(third);
    expect(now.claimed ? null : now.holder.value.requestId).toBe(next.requestId);
  });

  it('releases only the lock its request holds, and succeeds when already released', async () => {
    const { locks } = freshStores();
    const held = lockFor(randomUUID());
    await locks.claim(held);
    await locks.release(lockFor(randomUUID(), held)); // another request: no effect
    const still = await locks.claim(lockFor(randomUUID(), held));
    expect(still.claimed ? null : still.holder.value.requestId).toBe(held.requestId);

    await locks.release(held);
    await locks.release(held);
    expect(await locks.claim(lockFor(randomUUID(), held))).toEqual({ claimed: true });
  });

  it('a takeover after release is refused (the ETag names a row that is gone)', async () => {
    const { locks } = freshStores();
    const held = lockFor(randomUUID());
    await locks.claim(held);
    const seen = await locks.claim(lockFor(randomUUID(), held));
    if (seen.claimed) throw new Error('expected the lock to be held');
    await locks.release(held);
    await expect(locks.takeOver(lockFor(randomUUID(), held), seen.holder.etag)).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const { locks } = freshStores();
    const base = lockFor(randomUUID());
    const contenders = Array.from({ length: 8 }, () => lockFor(randomUUID(), base));
    const results = await Promise.all(contenders.map((l) => locks.claim(l)));
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
  });

  it('releases a lock this process claimed with one conditional delete, no read', async () => {
    const prefix = uniqueName('t');
    const locks = new TableLeaseLockStore(
      new TableSet({ connectionString: testEnv('JIT_TEST_TABLES_CONNECTION_STRING') }, prefix),
    );
    const held = lockFor(randomUUID());
    await locks.claim(held);
    const trips = new TableRoundTrips(prefix);
    try {
      await locks.release(held);
    } finally {
      trips.close();
    }
    expect(trips.requests).toEqual([
      `DELETE ${prefix}LeaseLocks(PartitionKey='${held.tenantId}',RowKey='${held.requesterObjectId}')`,
    ]);
    expect(await locks.get(held.tenantId, held.requesterObjectId)).toBeNull();
  });

  it('a release with the ETag it remembers never deletes a lock another process took over since', async () => {
    const prefix = uniqueName('t');
    const connectionString = testEnv('JIT_TEST_TABLES_CONNECTION_STRING');
    const here = new TableLeaseLockStore(new TableSet({ connectionString }, prefix));
    const elsewhere = new TableLeaseLockStore(new TableSet({ connectionString }, prefix));
    const ended = lockFor(randomUUID());
    await here.claim(ended);
    // Another process finds the holder ended and takes the lock over for a new request.
    const next = lockFor(randomUUID(), ended);
    const seen = await elsewhere.claim(next);
    if (seen.claimed) throw new Error('expected the lock to be held');
    await elsewhere.takeOver(next, seen.holder.etag);
    // The ended request's release (an activity retried here) finds its ETag stale and leaves the lock.
    await here.release(ended);
    expect(await here.get(ended.tenantId, ended.requesterObjectId)).toEqual(next);
    await elsewhere.release(next);
    expect(await here.get(ended.tenantId, ended.requesterObjectId)).toBeNull();
  });
});
