/** A stored value with the ETag to write it back under optimistic concurrency. */
export interface Versioned<T> {
  readonly value: T;
  readonly etag: string;
}

/** Thrown by stores when a conditional write loses a race (ETag mismatch). */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
}

/** Thrown by stores when an insert finds the key already present. */
export class AlreadyExistsError extends Error {
  override readonly name = 'AlreadyExistsError';
}

export interface Page<T> {
  readonly items: T[];
  readonly continuationToken: string | null;
}
