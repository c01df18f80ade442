import type { LeaseLock, LeaseLockStore, Versioned } from '../../../src/app/ports';
import { VersionedMap } from './versionedMap';

const keyOf = (tenantId: string, requesterObjectId: string): string => `${tenantId}|${requesterObjectId}`;

/** LeaseLockStore in memory, with the table store's rules (a retried claim by the holder succeeds). */
export class InMemoryLeaseLockStore implements LeaseLockStore {
  readonly rows = new VersionedMap<LeaseLock>();

  claim(
    lock: LeaseLock,
  ): Promise<{ readonly claimed: true } | { readonly claimed: false; readonly holder: Versioned<LeaseLock> }> {
    const key = keyOf(lock.tenantId, lock.requesterObjectId);
    const holder = this.rows.get(key);
    if (holder === null) {
      this.rows.create(key, lock, 'lease lock');
      return Promise.resolve({ claimed: true });
    }
    if (holder.value.requestId === lock.requestId) return Promise.resolve({ claimed: true });
    return Promise.resolve({ claimed: false, holder });
  }

  takeOver(lock: LeaseLock, etag: string): Promise<void> {
    this.rows.replace(keyOf(lock.tenantId, lock.requesterObjectId), lock, etag, 'lease lock');
    return Promise.resolve();
  }

  release(lock: LeaseLock): Promise<void> {
    const key = keyOf(lock.tenantId, lock.requesterObjectId);
    if (this.rows.get(key)?.value.requestId === lock.requestId) this.rows.delete(key);
    return Promise.resolve();
  }

  get(tenantId: string, requesterObjectId: string): Promise<LeaseLock | null> {
    return Promise.resolve(this.rows.get(keyOf(tenantId, requesterObjectId))?.value ?? null);
  }
}
