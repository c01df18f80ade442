import type { TableEntityResult } from '@azure/data-tables';
import { ConcurrencyError, type LeaseLock, type LeaseLockStore, type Versioned } from '../../app/ports';
import { TransientDependencyError } from '../../domain/errors';
import { etagOf } from './rows';
import { InvalidRowError, tableStatus, toTableError } from './tableErrors';
import type { TableRef, TableSet } from './tableSet';

/**
 * One live lease per account: partition = customer tenant id, row key = requester object id, so
 * the lock is exactly one row that insert-if-absent and ETag-conditional writes arbitrate.
 */
type LockRow = { partitionKey: string; rowKey: string; requestId: string };

/** A claim or release that keeps losing races is contention, not a state to report. */
const CLAIM_ATTEMPTS = 3;

/**
 * Locks this process wrote, remembered until released, so that a release here is one delete
 * conditional on that ETag instead of a read and a delete. Bounded: past this many (leases whose
 * end runs in another process), the oldest are forgotten and their release reads first.
 */
const REMEMBERED_LOCKS = 10_000;

export class TableLeaseLockStore implements LeaseLockStore {
  private readonly ref: TableRef;
  /** `<tenant>|<requester>|<request>` → the ETag of the row this process wrote for that lock. */
  private readonly written = new Map<string, string>();

  constructor(tables: TableSet) {
    this.ref = tables.table('LeaseLocks');
  }

  async claim(
    lock: LeaseLock,
  ): Promise<{ readonly claimed: true } | { readonly claimed: false; readonly holder: Versioned<LeaseLock> }> {
    const client = await this.ref.client();
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      try {
        const created = await client.createEntity<LockRow>(rowOf(lock));
        this.remember(lock, created.etag);
        return { claimed: true };
      } catch (error) {
        if (tableStatus(error) !== 409) throw toTableError(error, 'claim lease lock');
      }
      const holder = await this.read(lock);
      // A retried activity claiming again for the same request already holds the lock.
      if (holder?.value.requestId === lock.requestId) return { claimed: true };
      if (holder !== null) return { claimed: false, holder };
      // Released between our insert and our read: try the insert again.
    }
    throw new TransientDependencyError(
      `lease lock for ${lock.requesterObjectId} in tenant ${lock.tenantId} is changing too fast to claim; try again`,
    );
  }

  async takeOver(lock: LeaseLock, etag: string): Promise<void> {
    const client = await this.ref.client();
    try {
      const replaced = await client.updateEntity<LockRow>(rowOf(lock), 'Replace', { etag });
      this.remember(lock, replaced.etag);
    } catch (error) {
      const status = tableStatus(error);
      if (status === 412 || status === 404)
        throw new ConcurrencyError(
          `lease lock for ${lock.requesterObjectId} in tenant ${lock.tenantId} changed since it was read`,
        );
      throw toTableError(error, 'take over lease lock');
    }
  }

  async release(lock: LeaseLock): Promise<void> {
    const client = await this.ref.client();
    const key = lockKey(lock);
    const written = this.written.get(key);
    if (written !== undefined) {
      this.written.delete(key);
      try {
        // The row is unchanged since this process wrote it naming our request: it is still ours.
        await client.deleteEntity(lock.tenantId, lock.requesterObjectId, { etag: written });
        return;
      } catch (error) {
        const status = tableStatus(error);
        if (status === 404) return;
        // 412: changed since (taken over after our request ended): read it, as without the ETag.
        if (status !== 412) throw toTableError(error, 'release lease lock');
      }
    }
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const holder = await this.read(lock);
      if (holder === null || holder.value.requestId !== lock.requestId) return;
      try {
        // Conditional on the ETag we saw naming our request: never deletes a lock taken over since.
        await client.deleteEntity(lock.tenantId, lock.requesterObjectId, { etag: holder.etag });
        return;
      } catch (error) {
        const status = tableStatus(error);
        if (status === 404) return;
        if (status !== 412) throw toTableError(error, 'release lease lock');
      }
    }
    throw new TransientDependencyError(
      `lease lock for ${lock.requesterObjectId} in tenant ${lock.tenantId} is changing too fast to release; try again`,
    );
  }

  async get(tenantId: string, requesterObjectId: string): Promise<LeaseLock | null> {
    return (await this.read({ tenantId, requesterObjectId }))?.value ?? null;
  }

  private async read(lock: Pick<LeaseLock, 'tenantId' | 'requesterObjectId'>): Promise<Versioned<LeaseLock> | null> {
    const client = await this.ref.client();
    let row: TableEntityResult<Record<string, unknown>>;
    try {
      row = await client.getEntity<Record<string, unknown>>(lock.tenantId, lock.requesterObjectId);
    } catch (error) {
      if (tableStatus(error) === 404) return null;
      throw toTableError(error, 'read lease lock');
    }
    if (typeof row.requestId !== 'string' || row.requestId === '') {
      throw new InvalidRowError(this.ref.name, lock.tenantId, lock.requesterObjectId, 'requestId is missing');
    }
    return {
      value: { tenantId: lock.tenantId, requesterObjectId: lock.requesterObjectId, requestId: row.requestId },
      etag: etagOf(row, this.ref.name),
    };
  }

  private remember(lock: LeaseLock, etag: string | undefined): void {
    if (etag === undefined || etag === '') return;
    const key = lockKey(lock);
    this.written.delete(key);
    this.written.set(key, etag);
    if (this.written.size > REMEMBERED_LOCKS) {
      const oldest = this.written.keys().next().value;
      if (oldest !== undefined) this.written.delete(oldest);
    }
  }
}

function lockKey(lock: LeaseLock): string {
  return `${lock.tenantId}|${lock.requesterObjectId}|${lock.requestId}`;
}

function rowOf(lock: LeaseLock): LockRow {
  return { partitionKey: lock.tenantId, rowKey: lock.requesterObjectId, requestId: lock.requestId };
}
