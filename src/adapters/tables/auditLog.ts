import { odata, type TableClient, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import type { AuditFilter, AuditLog, Page } from '../../app/ports';
import { auditEventSchema, type AuditEvent } from '../../domain/audit';
import {
  auditRecordSchema,
  ChainVerifier,
  chainRecord,
  GENESIS_HASH,
  type AuditRecord,
  type ChainAnchor,
  type ChainVerification,
} from '../../domain/auditChain';
import { TransientDependencyError, ValidationError } from '../../domain/errors';
import { documentRow, parseRow, queryPage, type Column } from './rows';
import { tableStatus, toTableError } from './tableErrors';
import type { TableRef, TableSet } from './tableSet';

/**
 * Audit events as a hash chain per partition (src/domain/auditChain.ts). Each event is appended to
 * `all` (the admin's view across tenants) and, when it names a tenant, to `tenant_<tenantId>`.
 *
 * A partition holds:
 * - `head`: the chain's last sequence number and hash;
 * - `e_<inverted seq>`: record n, newest first when listed;
 * - `id_<event id>`: a marker, so a retried append of the same event is not appended twice.
 *
 * One append is ONE entity-group transaction in the partition: replace `head` under the ETag it
 * was read with, insert the record, insert the marker. Two concurrent appends read the same head;
 * the first commits, the second's ETag no longer matches (412), nothing of it is written, and it
 * reads the new head and tries again. So the chain never forks and never has a gap, without any
 * lock. Inside one process the appends waiting for a partition go out together (group commit): one
 * transaction chains up to MAX_GROUP of them behind one head update, so a burst of leases does not
 * queue behind one round trip per event.
 */
const ALL_PARTITION = 'all';
const HEAD = 'head';
const KIND = 'audit';
const MAX_SEQ = 9_999_999_999_999;
const APPEND_ATTEMPTS = 30;
/** Events per transaction: 2 rows each plus the head, inside Table Storage's 100 operations. */
const MAX_GROUP = 32;

function tenantPartition(tenantId: string): string {
  return `tenant_${tenantId}`;
}

/** The chain a reader means: one tenant's, or (no tenant named) the one of all events. */
function chainPartition(scope: { readonly tenantId?: string }): string {
  return scope.tenantId === undefined ? ALL_PARTITION : tenantPartition(scope.tenantId);
}

function recordKey(seq: number): string {
  return `e_${String(MAX_SEQ - seq).padStart(13, '0')}`;
}

function timeOf(field: 'from' | 'to', text: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ValidationError([{ field, message: 'must be an ISO 8601 date-time' }]);
  return new Date(ms).toISOString();
}

interface PendingAppend {
  readonly event: AuditEvent;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface Head {
  readonly seq: number;
  readonly hash: string;
  readonly etag: string;
}

export class TableAuditLog implements AuditLog {
  private readonly ref: TableRef;
  private readonly pending = new Map<string, PendingAppend[]>();
  private readonly flushing = new Set<string>();
  private readonly heads = new Map<string, Head>();

  constructor(tables: TableSet) {
    this.ref = tables.table('Audit');
  }

  async append(event: AuditEvent): Promise<void> {
    const parsed = auditEventSchema.safeParse(event);
    if (!parsed.success)
      throw new Error(
        `refusing to store an invalid audit event in ${this.ref.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const valid = parsed.data;
    const partitions = valid.tenantId === null ? [ALL_PARTITION] : [ALL_PARTITION, tenantPartition(valid.tenantId)];
    await Promise.all(partitions.map((partition) => this.appendTo(partition, valid)));
  }

  /**
   * Appends in one partition are written by one flusher at a time inside this process; whatever
   * arrives while a transaction is out goes in the next one, up to MAX_GROUP together. The head
   * each transaction leaves behind is remembered, so the next need not read it. Writers in other
   * processes are still kept apart by the head's ETag: a lost race re-reads and retries.
   */
  private appendTo(partition: string, event: AuditEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      const queue = this.pending.get(partition) ?? [];
      queue.push({ event, resolve, reject });
      this.pending.set(partition, queue);
      if (!this.flushing.has(partition)) void this.flush(partition);
    });
  }

  private async flush(partition: string): Promise<void> {
    this.flushing.add(partition);
    try {
      for (
        let queue = this.pending.get(partition);
        queue !== undefined && queue.length > 0;
        queue = this.pending.get(partition)
      ) {
        const group = queue.splice(0, MAX_GROUP);
        try {
          await this.appendGroup(
            partition,
            group.map((p) => p.event),
          );
          for (const p of group) p.resolve();
        } catch (error) {
          if (group.length === 1) {
            group[0]?.reject(error);
            continue;
          }
          // One bad event must not fail the others: each goes alone and gets its own answer.
          for (const p of group) await this.appendGroup(partition, [p.event]).then(p.resolve, p.reject);
        }
      }
    } finally {
      this.pending.delete(partition);
      this.flushing.delete(partition);
    }
  }

  /** Chains `events`, in order, onto the partition's head in one transaction. */
  private async appendGroup(partition: string, group: readonly AuditEvent[]): Promise<void> {
    // The same event twice (a retry while the first is still queued) is appended once.
    const events = group.filter((event, index) => group.findIndex((e) => e.id === event.id) === index);
    const client = await this.ref.client();
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
      const head = this.heads.get(partition) ?? (await this.readHead(client, partition));
      let last: { readonly seq: number; readonly hash: string } = head ?? { seq: 0, hash: GENESIS_HASH };
      const rows: TransactionAction[] = [];
      for (const event of events) {
        const record = chainRecord(event, last);
        rows.push(['create', documentRow(this.ref.name, partition, recordKey(record.seq), record, columnsOf(record))]);
        rows.push(['create', { partitionKey: partition, rowKey: `id_${event.id}`, seq: record.seq }]);
        last = record;
      }
      const headRow = { partitionKey: partition, rowKey: HEAD, seq: last.seq, hash: last.hash };
      const headAction: TransactionAction =
        head === null ? ['create', headRow] : ['update', headRow, 'Replace', { etag: head.etag }];
      try {
        const response = await client.submitTransaction([headAction, ...rows]);
        // Sub-responses come in the order of the actions, head first. (The SDK's
        // getResponseForEntity finds a row only by an insert's Location header, so it never found an
        // updated head: every append read the head again, two reads per audited step.)
        const etag = response.subResponses[0]?.etag?.trim();
        if (etag !== undefined && etag !== '') this.heads.set(partition, { seq: last.seq, hash: last.hash, etag });
        else this.heads.delete(partition);
        return;
      } catch (error) {
        this.heads.delete(partition);
        const status = tableStatus(error);
        if (status === 409) {
          // Some event of the group may have been appended by an earlier attempt (its marker
          // exists): one by one, each finds out for itself.
          if (events.length > 1) {
            for (const event of events) await this.appendGroup(partition, [event]);
            return;
          }
          const only = events[0];
          if (only !== undefined && (await this.exists(client, partition, `id_${only.id}`))) return;
        } else if (status !== 412) {
          throw toTableError(error, 'append audit event');
        }
      }
      // Lost the race for the head to another process: back off a little (with jitter) and chain onto the new head.
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, 5 * 2 ** Math.min(attempt, 5)) * Math.random()));
    }
    throw new TransientDependencyError(`the audit chain of ${partition} is changing too fast to append to; try again`);
  }

  async list(
    filter: AuditFilter,
    options: { readonly limit: number; readonly continuationToken?: string | null },
  ): Promise<Page<AuditRecord>> {
    const partition = chainPartition(filter);
    const clauses = [odata`PartitionKey eq ${partition} and RowKey ge ${'e_'} and RowKey lt ${'e`'}`];
    // ISO 8601 times of one format compare as text in time order.
    if (filter.from !== undefined) clauses.push(odata`at ge ${timeOf('from', filter.from)}`);
    if (filter.to !== undefined) clauses.push(odata`at le ${timeOf('to', filter.to)}`);
    if (filter.requestId !== undefined) clauses.push(odata`requestId eq ${filter.requestId}`);
    if (filter.actorId !== undefined) clauses.push(odata`actorId eq ${filter.actorId}`);
    if (filter.requesterId !== undefined) clauses.push(odata`requesterId eq ${filter.requesterId}`);
    if (filter.action !== undefined) clauses.push(odata`action eq ${filter.action}`);
    const client = await this.ref.client();
    return queryPage(client, KIND, clauses.join(' and '), options, (row) =>
      parseRow(auditRecordSchema, this.ref.name, row),
    );
  }

  async verify(scope: { readonly tenantId?: string }, anchor?: ChainAnchor): Promise<ChainVerification> {
    const partition = chainPartition(scope);
    const client = await this.ref.client();
    const head = await this.readHead(client, partition);
    const verifier = new ChainVerifier(head, anchor ?? null);
    // Records appended after the head was read are left out: they belong to a later verification.
    const from = head === null ? 'e_' : recordKey(head.seq);
    const filter = odata`PartitionKey eq ${partition} and RowKey ge ${from} and RowKey lt ${'e`'}`;
    try {
      for await (const row of client.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
        verifier.push(parseRow(auditRecordSchema, this.ref.name, row));
      }
    } catch (error) {
      throw toTableError(error, 'verify audit chain');
    }
    return verifier.result();
  }

  async head(scope: { readonly tenantId?: string }): Promise<ChainAnchor | null> {
    const partition = chainPartition(scope);
    const head = await this.readHead(await this.ref.client(), partition);
    return head === null ? null : { seq: head.seq, hash: head.hash };
  }

  private async readHead(client: TableClient, partition: string): Promise<Head | null> {
    let row: TableEntityResult<Record<string, unknown>>;
    try {
      row = await client.getEntity<Record<string, unknown>>(partition, HEAD);
    } catch (error) {
      if (tableStatus(error) === 404) return null;
      throw toTableError(error, 'read audit chain head');
    }
    if (typeof row.seq !== 'number' || typeof row.hash !== 'string' || row.etag === undefined)
      throw new Error(`the audit chain head of ${partition} in ${this.ref.name} is not valid`);
    return { seq: row.seq, hash: row.hash, etag: row.etag };
  }

  private async exists(client: TableClient, partition: string, rowKey: string): Promise<boolean> {
    try {
      await client.getEntity(partition, rowKey);
      return true;
    } catch (error) {
      if (tableStatus(error) === 404) return false;
      throw toTableError(error, 'read audit marker');
    }
  }
}

function columnsOf(record: AuditRecord): Record<string, Column> {
  const columns: Record<string, Column> = {
    at: record.at,
    action: record.action,
    actorId: record.actor.id,
    outcome: record.outcome,
    seq: record.seq,
  };
  if (record.requestId !== null) columns.requestId = record.requestId;
  if (record.tenantId !== null) columns.tenantId = record.tenantId;
  if (record.targetId !== null) columns.targetId = record.targetId;
  if (record.requesterId !== undefined && record.requesterId !== null) columns.requesterId = record.requesterId;
  return columns;
}
