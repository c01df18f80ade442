import { odata } from '@azure/data-tables';
import type { AuditFilter, AuditLog, Page } from '../../app/ports';
import { auditEventSchema, type AuditEvent } from '../../domain/audit';
import { ValidationError } from '../../domain/errors';
import { DocumentTable } from './documentTable';
import { queryPage, type Column } from './rows';
import type { TableRef, TableSet } from './tableSet';

/**
 * Audit events, newest first. Row key = inverted timestamp + event id, so a partition scan
 * returns the newest events first and a time window is a row-key range. Each event is written to
 * two partitions:
 * - `all`: the admin's unfiltered view, newest first across tenants;
 * - `tenant_<tenantId>` (when the event names a tenant): one tenant's history without scanning
 *   the others'.
 * Both writes are upserts of the same keys, so a retried append (same id and time) rewrites the
 * same rows instead of duplicating them. The other filters (request, actor, action) are columns.
 */
const ALL_PARTITION = 'all';
const KIND = 'audit';
const MAX_TIME_MS = 9_999_999_999_999;

function tenantPartition(tenantId: string): string {
  return `tenant_${tenantId}`;
}

function invertedTime(ms: number): string {
  return String(MAX_TIME_MS - ms).padStart(13, '0');
}

function timeOf(field: 'from' | 'to', text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ValidationError([{ field, message: 'must be an ISO 8601 date-time' }]);
  return ms;
}

export class TableAuditLog implements AuditLog {
  private readonly ref: TableRef;
  private readonly rows: DocumentTable<typeof auditEventSchema>;

  constructor(tables: TableSet) {
    this.ref = tables.table('Audit');
    this.rows = new DocumentTable(this.ref, auditEventSchema, 'audit event');
  }

  async append(event: AuditEvent): Promise<void> {
    const valid = this.rows.validate(event);
    const rowKey = `${invertedTime(Date.parse(valid.at))}_${valid.id}`;
    const columns: Record<string, Column> = { at: valid.at, action: valid.action, actorId: valid.actor.id, outcome: valid.outcome };
    if (valid.requestId !== null) columns.requestId = valid.requestId;
    if (valid.tenantId !== null) columns.tenantId = valid.tenantId;
    if (valid.targetId !== null) columns.targetId = valid.targetId;
    const partitions = valid.tenantId === null ? [ALL_PARTITION] : [ALL_PARTITION, tenantPartition(valid.tenantId)];
    await Promise.all(partitions.map((partitionKey) => this.rows.upsert({ partitionKey, rowKey, columns }, valid)));
  }

  async list(filter: AuditFilter, options: { readonly limit: number; readonly continuationToken?: string | null }): Promise<Page<AuditEvent>> {
    const partition = filter.tenantId === undefined ? ALL_PARTITION : tenantPartition(filter.tenantId);
    const clauses = [odata`PartitionKey eq ${partition}`];
    // Newer events have smaller row keys: `to` bounds the start of the range, `from` its end.
    // Row keys start with 13 fixed-width digits, so comparing against a bare number works.
    if (filter.to !== undefined) clauses.push(odata`RowKey ge ${invertedTime(timeOf('to', filter.to))}`);
    if (filter.from !== undefined) clauses.push(odata`RowKey lt ${invertedTime(timeOf('from', filter.from) - 1)}`);
    if (filter.requestId !== undefined) clauses.push(odata`requestId eq ${filter.requestId}`);
    if (filter.actorId !== undefined) clauses.push(odata`actorId eq ${filter.actorId}`);
    if (filter.action !== undefined) clauses.push(odata`action eq ${filter.action}`);
    const client = await this.ref.client();
    return queryPage(client, KIND, clauses.join(' and '), options, (row) => this.rows.parse(row));
  }
}
