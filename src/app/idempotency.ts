import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/auditChain';
import { ConflictError, UnprocessableError, ValidationError } from '../domain/errors';
import type { OnceStore, StoredOutcome } from './ports';

/**
 * Do something once per key, and answer every repeat with the first outcome (Idempotency-Key on
 * POST /requests, delivery ids of webhooks). The same key with a different body is a 422 (as the
 * IETF Idempotency-Key draft says); a repeat while the first is still running is a 409. Outcomes
 * of 5xx failures are not kept: the caller may retry them. With `keepRefusals: false` no refusal is
 * kept either, only successes: for callers whose refusals depend on configuration that an admin may
 * fix (ticketing deliveries), so a retry after the fix is evaluated again rather than replayed.
 */
export interface RunOnceOptions {
  /** The path of the first request (the HTTP layer keeps it in the refusal it stores). */
  readonly instance?: string;
  /** Keep refusals for replay (default true). */
  readonly keepRefusals?: boolean;
  /**
   * The answer to keep for a refusal, made by the HTTP layer (src/http/problem.ts); null for a
   * failure worth retrying, which is not kept. Without it nothing but successes is kept.
   */
  readonly refusalAnswer?: (error: unknown) => StoredOutcome | null;
}

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

export function fingerprintOf(value: unknown): string {
  return createHash('sha256')
    .update(typeof value === 'string' ? value : canonicalJson(value))
    .digest('hex');
}

export function checkIdempotencyKey(key: string): string {
  if (!/^[\x21-\x7e]{1,200}$/.test(key))
    throw new ValidationError([
      { field: IDEMPOTENCY_KEY_HEADER, message: 'must be 1 to 200 visible ASCII characters' },
    ]);
  return key;
}

export async function runOnce(
  store: OnceStore,
  scope: string,
  key: string,
  fingerprint: string,
  run: () => Promise<StoredOutcome>,
  options: RunOnceOptions = {},
): Promise<StoredOutcome & { readonly replayed: boolean }> {
  const claim = await store.claim(scope, key, fingerprint);
  if (!claim.claimed) {
    if (claim.fingerprint !== fingerprint)
      throw new UnprocessableError(
        `key '${key}' was already used with a different body; use a new key for a new request`,
      );
    if (claim.outcome === null)
      throw new ConflictError(`the first request with key '${key}' is still being processed; retry shortly`);
    return { ...claim.outcome, replayed: true };
  }
  let outcome: StoredOutcome;
  try {
    outcome = await run();
  } catch (error) {
    const refusal = options.keepRefusals === false ? null : (options.refusalAnswer?.(error) ?? null);
    if (refusal === null) await store.release(scope, key).catch(() => undefined);
    else await store.complete(scope, key, refusal);
    throw error;
  }
  await store.complete(scope, key, outcome);
  return { ...outcome, replayed: false };
}
