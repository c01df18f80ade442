import { z } from 'zod';
import { AlreadyExistsError, type OnceClaim, type OnceStore, type StoredOutcome } from '../../app/ports';
import { DocumentTable } from './documentTable';
import type { TableRef } from './tableSet';

/**
 * First outcomes of things that must happen once: Idempotency-Keys (scope = the caller) and
 * webhook deliveries (scope = the integration). Partition = scope, row key = the key. `claim` is
 * insert-if-absent, so of two concurrent deliveries exactly one does the work; the other sees the
 * claim (and, once recorded, the outcome). Keys are hashed into the row key: callers choose them,
 * and Table Storage refuses '/', '\\', '#', '?' and control characters in keys.
 */
const onceSchema = z.strictObject({
  fingerprint: z.string(),
  claimedAt: z.iso.datetime(),
  outcome: z
    .strictObject({ status: z.number().int(), body: z.unknown(), headers: z.record(z.string(), z.string()).optional() })
    .nullable(),
});

function keyOf(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

export class TableOnceStore implements OnceStore {
  private readonly rows: DocumentTable<typeof onceSchema>;

  constructor(ref: TableRef, noun: string) {
    this.rows = new DocumentTable(ref, onceSchema, noun);
  }

  async claim(scope: string, key: string, fingerprint: string): Promise<OnceClaim> {
    const keys = { partitionKey: keyOf(scope), rowKey: keyOf(key) };
    try {
      await this.rows.create(keys, { fingerprint, claimedAt: new Date().toISOString(), outcome: null });
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
    }
    const existing = await this.rows.get(keys.partitionKey, keys.rowKey);
    // Released between our insert and our read: the caller may try again.
    if (existing === null) return this.claim(scope, key, fingerprint);
    return { claimed: false, fingerprint: existing.value.fingerprint, outcome: existing.value.outcome };
  }

  async complete(scope: string, key: string, outcome: StoredOutcome): Promise<void> {
    const keys = { partitionKey: keyOf(scope), rowKey: keyOf(key) };
    const existing = await this.rows.get(keys.partitionKey, keys.rowKey);
    await this.rows.upsert(keys, {
      fingerprint: existing?.value.fingerprint ?? '',
      claimedAt: existing?.value.claimedAt ?? new Date().toISOString(),
      outcome,
    });
  }

  release(scope: string, key: string): Promise<void> {
    return this.rows.delete(keyOf(scope), keyOf(key));
  }
}
