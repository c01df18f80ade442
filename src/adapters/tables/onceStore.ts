import { gunzipSync, gzipSync } from 'node:zlib';
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
 *
 * An outcome body larger than BODY_INLINE_LIMIT is kept gzipped (base64): a row's JSON may hold at
 * most 64 KiB (rows.ts), and a bulk answer (POST /customers/connect: 50 tenants, each with its
 * verification, about 95 KB of JSON) is larger, yet repetitive enough to shrink tenfold. Without it
 * the work was done, the outcome could not be recorded, and the key stayed claimed with no outcome.
 */
const BODY_INLINE_LIMIT = 16 * 1024;

const onceSchema = z.strictObject({
  fingerprint: z.string(),
  claimedAt: z.iso.datetime(),
  outcome: z
    .strictObject({
      status: z.number().int(),
      body: z.unknown(),
      bodyGzip: z.base64().optional(),
      headers: z.record(z.string(), z.string()).optional(),
    })
    .nullable(),
});
type KeptOutcome = NonNullable<z.infer<typeof onceSchema>['outcome']>;

function kept(outcome: StoredOutcome): KeptOutcome {
  const json = JSON.stringify(outcome.body);
  if (json === undefined || json.length <= BODY_INLINE_LIMIT) return outcome;
  return { ...outcome, body: null, bodyGzip: gzipSync(json).toString('base64') };
}

function replayed(outcome: KeptOutcome | null): StoredOutcome | null {
  if (outcome === null) return null;
  const { bodyGzip, ...rest } = outcome;
  if (bodyGzip === undefined) return rest;
  return { ...rest, body: JSON.parse(gunzipSync(Buffer.from(bodyGzip, 'base64')).toString('utf8')) as unknown };
}

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
    return { claimed: false, fingerprint: existing.value.fingerprint, outcome: replayed(existing.value.outcome) };
  }

  async complete(scope: string, key: string, outcome: StoredOutcome): Promise<void> {
    const keys = { partitionKey: keyOf(scope), rowKey: keyOf(key) };
    const existing = await this.rows.get(keys.partitionKey, keys.rowKey);
    await this.rows.upsert(keys, {
      fingerprint: existing?.value.fingerprint ?? '',
      claimedAt: existing?.value.claimedAt ?? new Date().toISOString(),
      outcome: kept(outcome),
    });
  }

  release(scope: string, key: string): Promise<void> {
    return this.rows.delete(keyOf(scope), keyOf(key));
  }
}
