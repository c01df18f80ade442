import type { AuditEvent } from '../../../src/domain/audit';
import {
  ChainVerifier,
  chainRecord,
  GENESIS_HASH,
  type AuditRecord,
  type ChainAnchor,
  type ChainVerification,
} from '../../../src/domain/auditChain';
import type { AuditFilter, AuditLog, Page } from '../../../src/app/ports';
import { pageOf } from './versionedMap';

/**
 * AuditLog in memory: one hash chain of every event and one per tenant, built with the domain's
 * chain functions, so `verify` checks what the table store's does.
 */
export class InMemoryAuditLog implements AuditLog {
  private readonly chains = new Map<string, AuditRecord[]>();
  private readonly ids = new Set<string>();

  /** Every event appended, oldest first (the all-events chain). */
  get events(): readonly AuditRecord[] {
    return this.chain('all');
  }

  append(event: AuditEvent): Promise<void> {
    if (this.ids.has(event.id)) return Promise.resolve();
    this.ids.add(event.id);
    for (const scope of event.tenantId === null ? ['all'] : ['all', `tenant:${event.tenantId}`]) {
      const records = this.chain(scope);
      const head = records.at(-1) ?? { seq: 0, hash: GENESIS_HASH };
      records.push(chainRecord(event, head));
    }
    return Promise.resolve();
  }

  list(
    filter: AuditFilter,
    options: { readonly limit: number; readonly continuationToken?: string | null },
  ): Promise<Page<AuditRecord>> {
    const matching = [...this.chain(filter.tenantId === undefined ? 'all' : `tenant:${filter.tenantId}`)]
      .reverse()
      .filter(
        (r) =>
          (filter.requestId === undefined || r.requestId === filter.requestId) &&
          (filter.actorId === undefined || r.actor.id === filter.actorId) &&
          (filter.requesterId === undefined || r.requesterId === filter.requesterId) &&
          (filter.action === undefined || r.action === filter.action) &&
          (filter.from === undefined || r.at >= filter.from) &&
          (filter.to === undefined || r.at <= filter.to),
      );
    return Promise.resolve(pageOf(matching, options));
  }

  verify(scope: { readonly tenantId?: string }, anchor?: ChainAnchor): Promise<ChainVerification> {
    const records = this.chain(this.scopeOf(scope));
    const head = records.at(-1);
    const verifier = new ChainVerifier(head === undefined ? null : { seq: head.seq, hash: head.hash }, anchor ?? null);
    for (const record of [...records].reverse()) verifier.push(record);
    return Promise.resolve(verifier.result());
  }

  head(scope: { readonly tenantId?: string }): Promise<ChainAnchor | null> {
    const head = this.chain(this.scopeOf(scope)).at(-1);
    return Promise.resolve(head === undefined ? null : { seq: head.seq, hash: head.hash });
  }

  private scopeOf(scope: { readonly tenantId?: string }): string {
    return scope.tenantId === undefined ? 'all' : `tenant:${scope.tenantId}`;
  }

  private chain(scope: string): AuditRecord[] {
    let records = this.chains.get(scope);
    if (records === undefined) {
      records = [];
      this.chains.set(scope, records);
    }
    return records;
  }
}
