import type { AuditEvent } from '../../domain/audit';
import type { AuditRecord, ChainAnchor, ChainVerification } from '../../domain/auditChain';
import type { Page } from './versioned';

export interface AuditFilter {
  readonly tenantId?: string;
  readonly requestId?: string;
  readonly actorId?: string;
  /** The requester of the lease the event is about. */
  readonly requesterId?: string;
  readonly action?: string;
  readonly from?: string;
  readonly to?: string;
}

export interface AuditLog {
  /** Appends to the hash chain of each partition the event belongs to; a retried id is not appended twice. */
  append(event: AuditEvent): Promise<void>;
  list(
    filter: AuditFilter,
    options: { readonly limit: number; readonly continuationToken?: string | null },
  ): Promise<Page<AuditRecord>>;
  /**
   * Walks one chain (all events, or one tenant's) and reports the first broken link; with an
   * anchor, also checks that record anchor.seq still has anchor.hash.
   */
  verify(scope: { readonly tenantId?: string }, anchor?: ChainAnchor): Promise<ChainVerification>;
  /** The chain's last seq and hash (null when empty): what to note as an anchor. */
  head(scope: { readonly tenantId?: string }): Promise<ChainAnchor | null>;
}
