import type { Versioned } from './versioned';

/**
 * One live lease per account: the lock on (tenant, requester) names the request holding it.
 * `claim` is insert-if-absent; a lock held by an ended request can be taken over with its ETag.
 */
export interface LeaseLock {
  readonly tenantId: string;
  readonly requesterObjectId: string;
  readonly requestId: string;
}

export interface LeaseLockStore {
  claim(
    lock: LeaseLock,
  ): Promise<{ readonly claimed: true } | { readonly claimed: false; readonly holder: Versioned<LeaseLock> }>;
  /** ConcurrencyError when the ETag is stale. */
  takeOver(lock: LeaseLock, etag: string): Promise<void>;
  /** Releases only if held by requestId; succeeds when already released. */
  release(lock: LeaseLock): Promise<void>;
  /** The lock on (tenant, requester) as it is now; null when nobody holds it. */
  get(tenantId: string, requesterObjectId: string): Promise<LeaseLock | null>;
}
