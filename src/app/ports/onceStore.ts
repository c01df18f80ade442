/** The first outcome of something that must happen once (an Idempotency-Key, a webhook delivery). */
export interface StoredOutcome {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type OnceClaim =
  | { readonly claimed: true }
  | { readonly claimed: false; readonly fingerprint: string; readonly outcome: StoredOutcome | null };

export interface OnceStore {
  /** Insert-if-absent of (scope, key) with the fingerprint of what was asked. */
  claim(scope: string, key: string, fingerprint: string): Promise<OnceClaim>;
  /** Records the outcome for replays. */
  complete(scope: string, key: string, outcome: StoredOutcome): Promise<void>;
  /** Forgets a claim whose handling failed in a way worth retrying (a 5xx). */
  release(scope: string, key: string): Promise<void>;
}
