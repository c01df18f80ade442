import type { TableClient, TableEntityResult } from '@azure/data-tables';
import type { z } from 'zod';
import { PayloadTooLargeError, ValidationError } from '../../domain/errors';
import type { Page } from '../../app/ports';
import { InvalidRowError, toTableError } from './tableErrors';

/**
 * Rows keep the zod-validated object as JSON in one `data` column, plus plain columns copied from
 * it for server-side filters. Reads parse `data` with the domain schema, so the schema stays the
 * single source of truth and a column can never disagree with the object it indexes.
 */
export type Column = string | number | boolean;
export type DocumentRow = { partitionKey: string; rowKey: string; data: string } & Record<string, Column>;

/**
 * Table Storage limits: a string property holds at most 64 KiB, i.e. 32 Ki UTF-16 code units
 * (a JS string's length), and a whole entity at most 1 MiB. `data` is the only big property, so
 * checking it against 64 KiB keeps every row well inside both limits.
 */
export const MAX_STRING_PROPERTY_UTF16_UNITS = 32 * 1024;

export function documentRow(
  table: string,
  partitionKey: string,
  rowKey: string,
  value: unknown,
  columns: Record<string, Column>,
): DocumentRow {
  const data = JSON.stringify(value);
  if (data.length > MAX_STRING_PROPERTY_UTF16_UNITS) {
    throw new PayloadTooLargeError(
      `row (${partitionKey}, ${rowKey}) of table ${table} would hold ${data.length} UTF-16 code units of JSON; ` +
        `Table Storage allows at most ${MAX_STRING_PROPERTY_UTF16_UNITS} (64 KiB) in one property`,
    );
  }
  return { ...columns, partitionKey, rowKey, data };
}

export function parseRow<S extends z.ZodType>(
  schema: S,
  table: string,
  row: TableEntityResult<Record<string, unknown>>,
): z.output<S> {
  const partitionKey = row.partitionKey ?? '';
  const rowKey = row.rowKey ?? '';
  if (typeof row.data !== 'string')
    throw new InvalidRowError(table, partitionKey, rowKey, 'the data column is missing');
  let json: unknown;
  try {
    json = JSON.parse(row.data);
  } catch {
    throw new InvalidRowError(table, partitionKey, rowKey, 'the data column is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new InvalidRowError(table, partitionKey, rowKey, issues);
  }
  return parsed.data;
}

export function etagOf(row: { etag?: string }, table: string): string {
  if (row.etag === undefined || row.etag === '')
    throw new Error(`Table Storage returned no ETag for a row of ${table}`);
  return row.etag;
}

// ── Paging ───────────────────────────────────────────────────────────────────────────────────────

/**
 * Callers get an opaque token: base64url of the SDK's continuation plus the kind of listing it
 * belongs to, so a token from one listing is refused by another instead of silently misread.
 */
export function encodeContinuation(kind: string, sdkToken: string | undefined): string | null {
  if (sdkToken === undefined || sdkToken === '') return null;
  return Buffer.from(JSON.stringify({ k: kind, c: sdkToken }), 'utf8').toString('base64url');
}

export function decodeContinuation(kind: string, token: string | null | undefined): string | undefined {
  if (token === null || token === undefined || token === '') return undefined;
  const invalid = new ValidationError([
    { field: 'continuationToken', message: 'is not a continuation token of this listing' },
  ]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (typeof decoded !== 'object' || decoded === null) throw invalid;
  const { k, c } = decoded as Record<string, unknown>;
  if (k !== kind || typeof c !== 'string' || c === '') throw invalid;
  return c;
}

export const MAX_PAGE_SIZE = 1000;

export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationError([{ field: 'limit', message: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` }]);
  }
}

/**
 * One page of up to `limit` rows. A filtered query may come back with fewer rows (even none) and a
 * continuation, so we keep asking, each time for what is still missing, until the page is full or
 * the listing ends: callers get full pages and never overshoot the continuation.
 */
export async function queryPage<T>(
  client: TableClient,
  kind: string,
  filter: string,
  options: { readonly limit: number; readonly continuationToken?: string | null },
  toItem: (row: TableEntityResult<Record<string, unknown>>) => T,
): Promise<Page<T>> {
  checkLimit(options.limit);
  let sdkToken = decodeContinuation(kind, options.continuationToken);
  const items: T[] = [];
  try {
    do {
      const pages = client
        .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
        .byPage({ maxPageSize: options.limit - items.length, continuationToken: sdkToken });
      const next = await pages.next();
      if (next.done === true) {
        sdkToken = undefined;
        break;
      }
      for (const row of next.value) items.push(toItem(row));
      sdkToken = next.value.continuationToken;
    } while (items.length < options.limit && sdkToken !== undefined);
  } catch (error) {
    throw toTableError(error, `list ${kind}`);
  }
  return { items, continuationToken: encodeContinuation(kind, sdkToken) };
}

/** Every row matching the filter, for the small listings (configuration, accounts). */
export async function queryAll<T>(
  client: TableClient,
  kind: string,
  filter: string | undefined,
  toItem: (row: TableEntityResult<Record<string, unknown>>) => T,
): Promise<T[]> {
  const items: T[] = [];
  try {
    for await (const row of client.listEntities<Record<string, unknown>>(
      filter === undefined ? {} : { queryOptions: { filter } },
    )) {
      items.push(toItem(row));
    }
  } catch (error) {
    throw toTableError(error, `list ${kind}`);
  }
  return items;
}
