import { AlreadyExistsError, ConcurrencyError, type Versioned } from '../../../src/app/ports';

/**
 * Rows under optimistic concurrency, as Table Storage keeps them: insert-if-absent, replace only
 * under the ETag last read, a fresh ETag on every write. Values are copied in and out, so a caller
 * holding a value cannot change what is stored.
 */
export class VersionedMap<T> {
  private readonly rows = new Map<string, Versioned<T>>();
  private writes = 0;

  get(key: string): Versioned<T> | null {
    const row = this.rows.get(key);
    return row === undefined ? null : { value: structuredClone(row.value), etag: row.etag };
  }

  values(): T[] {
    return [...this.rows.values()].map((row) => structuredClone(row.value));
  }

  create(key: string, value: T, what: string): Versioned<T> {
    if (this.rows.has(key)) throw new AlreadyExistsError(`${what} already exists`);
    return this.write(key, value);
  }

  replace(key: string, value: T, etag: string, what: string): Versioned<T> {
    if (this.rows.get(key)?.etag !== etag) throw new ConcurrencyError(`${what} changed since it was read`);
    return this.write(key, value);
  }

  /** Writes whatever is there (an upsert). */
  put(key: string, value: T): Versioned<T> {
    return this.write(key, value);
  }

  delete(key: string): boolean {
    return this.rows.delete(key);
  }

  private write(key: string, value: T): Versioned<T> {
    this.writes += 1;
    const row = { value: structuredClone(value), etag: `W/"${this.writes}"` };
    this.rows.set(key, row);
    return { value: structuredClone(value), etag: row.etag };
  }
}

/** A page of `items` from the offset a continuation token names (the fakes' tokens are offsets). */
export function pageOf<T>(
  items: readonly T[],
  options: { readonly limit: number; readonly continuationToken?: string | null },
): { items: T[]; continuationToken: string | null } {
  const start = options.continuationToken == null ? 0 : Number(options.continuationToken);
  const end = start + options.limit;
  return { items: items.slice(start, end), continuationToken: end < items.length ? String(end) : null };
}
