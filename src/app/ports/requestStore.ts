import type { LeaseRequest, RequestStatus } from '../../domain/request';
import type { Page, Versioned } from './versioned';

export interface RequestFilter {
  readonly requesterObjectId?: string;
  readonly tenantId?: string;
  readonly statuses?: readonly RequestStatus[];
}

export interface RequestStore {
  /** Insert-if-absent: AlreadyExistsError when the id exists. */
  create(request: LeaseRequest): Promise<Versioned<LeaseRequest>>;
  get(id: string): Promise<Versioned<LeaseRequest> | null>;
  /** ConcurrencyError when the ETag is stale. */
  replace(request: LeaseRequest, etag: string): Promise<Versioned<LeaseRequest>>;
  /**
   * The version of the request this process last wrote (create or replace) with its ETag, while it
   * remembers it; no round trip. Another process may have written a newer one since: only for
   * readers that can tell from the status that it is the version they need (a terminal request
   * never changes), or whose next step is a replace under that ETag (refused if it is stale).
   */
  lastWrittenHere(id: string): Versioned<LeaseRequest> | null;
  list(
    filter: RequestFilter,
    options: { readonly limit: number; readonly continuationToken?: string | null },
  ): Promise<Page<LeaseRequest>>;
}
