import { odata, type TableTransactionResponse } from '@azure/data-tables';
import {
  AlreadyExistsError,
  ConcurrencyError,
  type Page,
  type RequestFilter,
  type RequestStore,
  type Versioned,
} from '../../app/ports';
import { leaseRequestSchema, type LeaseRequest } from '../../domain/request';
import { DocumentTable } from './documentTable';
import { documentRow, queryPage, type Column } from './rows';
import { tableStatus, toTableError } from './tableErrors';
import type { TableRef, TableSet } from './tableSet';

/**
 * Requests, two rows each in ONE partition, written together in an entity-group transaction:
 * - `r_<id>`: the request by id, for point reads; its ETag is the request's version.
 * - `t_<inverted createdAt>_<id>`: the same document keyed by creation time, newest first, for
 *   listings by requester, tenant and status (filters on its columns) without sorting in memory.
 * Both rows must live in one partition for the transaction to keep them in step; one partition
 * serves about 2,000 entity operations a second, orders of magnitude above what access requests
 * need. `createdAt` never changes (the index row key depends on it): a replace that changes it
 * finds no index row and fails instead of leaving a stray one.
 */
const PARTITION = 'requests';
const KIND = 'requests';
const MAX_TIME_MS = 9_999_999_999_999;
/** Versions remembered for lastWrittenHere: a little over the leases in flight in one process. */
const REMEMBERED_WRITES = 5_000;

function idKey(id: string): string {
  return `r_${id}`;
}

function timeKey(request: LeaseRequest): string {
  const ms = Date.parse(request.createdAt);
  return `t_${String(MAX_TIME_MS - ms).padStart(13, '0')}_${request.id}`;
}

function columnsOf(request: LeaseRequest): Record<string, Column> {
  return {
    requestId: request.id,
    status: request.status,
    tenantId: request.tenantId,
    targetId: request.targetId,
    requesterObjectId: request.requester.objectId,
    createdAt: request.createdAt,
  };
}

export class TableRequestStore implements RequestStore {
  private readonly ref: TableRef;
  private readonly rows: DocumentTable<typeof leaseRequestSchema>;
  private readonly writtenHere = new Map<string, Versioned<LeaseRequest>>();

  constructor(tables: TableSet) {
    this.ref = tables.table('Requests');
    this.rows = new DocumentTable(this.ref, leaseRequestSchema, 'request');
  }

  async create(request: LeaseRequest): Promise<Versioned<LeaseRequest>> {
    const valid = this.rows.validate(request);
    const [main, index] = this.rowsOf(valid);
    const client = await this.ref.client();
    try {
      const result = await client.submitTransaction([
        ['create', main],
        ['create', index],
      ]);
      return this.remember({ value: valid, etag: etagFor(result, main.rowKey) });
    } catch (error) {
      if (tableStatus(error) === 409) throw new AlreadyExistsError(`request ${request.id} already exists`);
      throw toTableError(error, 'create request');
    }
  }

  get(id: string): Promise<Versioned<LeaseRequest> | null> {
    return this.rows.get(PARTITION, idKey(id));
  }

  async replace(request: LeaseRequest, etag: string): Promise<Versioned<LeaseRequest>> {
    const valid = this.rows.validate(request);
    const [main, index] = this.rowsOf(valid);
    const client = await this.ref.client();
    try {
      // The index row is replaced unconditionally ("*"), but only if it exists: it is guarded by
      // the main row's ETag in the same transaction.
      const result = await client.submitTransaction([
        ['update', main, 'Replace', { etag }],
        ['update', index, 'Replace'],
      ]);
      return this.remember({ value: valid, etag: etagFor(result, main.rowKey) });
    } catch (error) {
      const status = tableStatus(error);
      if (status === 412 || status === 404) {
        throw new ConcurrencyError(
          `request ${request.id} changed or was deleted since it was read (or its createdAt was changed)`,
        );
      }
      throw toTableError(error, 'replace request');
    }
  }

  lastWrittenHere(id: string): Versioned<LeaseRequest> | null {
    return this.writtenHere.get(id) ?? null;
  }

  private remember(written: Versioned<LeaseRequest>): Versioned<LeaseRequest> {
    this.writtenHere.delete(written.value.id);
    this.writtenHere.set(written.value.id, written);
    if (this.writtenHere.size > REMEMBERED_WRITES) {
      const oldest = this.writtenHere.keys().next().value;
      if (oldest !== undefined) this.writtenHere.delete(oldest);
    }
    return written;
  }

  async list(
    filter: RequestFilter,
    options: { readonly limit: number; readonly continuationToken?: string | null },
  ): Promise<Page<LeaseRequest>> {
    const clauses = [odata`PartitionKey eq ${PARTITION} and RowKey ge ${'t_'} and RowKey lt ${'t`'}`];
    if (filter.requesterObjectId !== undefined) clauses.push(odata`requesterObjectId eq ${filter.requesterObjectId}`);
    if (filter.tenantId !== undefined) clauses.push(odata`tenantId eq ${filter.tenantId}`);
    // An empty list of statuses is read as "any status", like an absent one.
    if (filter.statuses !== undefined && filter.statuses.length > 0) {
      clauses.push(`(${filter.statuses.map((s) => odata`status eq ${s}`).join(' or ')})`);
    }
    const client = await this.ref.client();
    return queryPage(client, KIND, clauses.join(' and '), options, (row) => this.rows.parse(row));
  }

  private rowsOf(request: LeaseRequest): [ReturnType<typeof documentRow>, ReturnType<typeof documentRow>] {
    const main = documentRow(this.ref.name, PARTITION, idKey(request.id), request, columnsOf(request));
    // The same document under the time key: serialized once, not once per row.
    return [main, { ...main, rowKey: timeKey(request) }];
  }
}

/** Sub-responses come in the order of the actions (the SDK only names the row for inserts). */
function etagFor(result: TableTransactionResponse, rowKey: string): string {
  const etag = (result.subResponses.find((r) => r.rowKey === rowKey) ?? result.subResponses[0])?.etag?.trim();
  if (etag === undefined) throw new Error('Table Storage returned no ETag for the request row');
  return etag;
}
