import type { LeaseRequest } from '../../../src/domain/request';
import type { Page, RequestFilter, RequestStore, Versioned } from '../../../src/app/ports';
import { pageOf, VersionedMap } from './versionedMap';

/** RequestStore in memory: the same contract as the Table Storage one (newest first, ETags). */
export class InMemoryRequestStore implements RequestStore {
  readonly rows = new VersionedMap<LeaseRequest>();

  create(request: LeaseRequest): Promise<Versioned<LeaseRequest>> {
    return Promise.resolve(this.rows.create(request.id, request, `request ${request.id}`));
  }

  get(id: string): Promise<Versioned<LeaseRequest> | null> {
    return Promise.resolve(this.rows.get(id));
  }

  replace(request: LeaseRequest, etag: string): Promise<Versioned<LeaseRequest>> {
    const stored = this.rows.get(request.id);
    // The table store keys its listing rows by createdAt, so it refuses a replace that changes it.
    if (stored !== null && stored.value.createdAt !== request.createdAt)
      return Promise.reject(new Error(`request ${request.id}: createdAt never changes`));
    return Promise.resolve(this.rows.replace(request.id, request, etag, `request ${request.id}`));
  }

  /** One process here: the last version written is the stored one. */
  lastWrittenHere(id: string): Versioned<LeaseRequest> | null {
    return this.rows.get(id);
  }

  list(
    filter: RequestFilter,
    options: { readonly limit: number; readonly continuationToken?: string | null },
  ): Promise<Page<LeaseRequest>> {
    const matching = this.rows
      .values()
      .filter(
        (r) =>
          (filter.requesterObjectId === undefined || r.requester.objectId === filter.requesterObjectId) &&
          (filter.tenantId === undefined || r.tenantId === filter.tenantId) &&
          (filter.statuses === undefined || filter.statuses.includes(r.status)),
      )
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    return Promise.resolve(pageOf(matching, options));
  }
}
