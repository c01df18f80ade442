import type { OnceClaim, OnceStore, StoredOutcome } from '../../../src/app/ports';

export class InMemoryOnceStore implements OnceStore {
  readonly claims = new Map<string, { fingerprint: string; outcome: StoredOutcome | null }>();

  claim(scope: string, key: string, fingerprint: string): Promise<OnceClaim> {
    const existing = this.claims.get(`${scope}|${key}`);
    if (existing === undefined) {
      this.claims.set(`${scope}|${key}`, { fingerprint, outcome: null });
      return Promise.resolve({ claimed: true });
    }
    return Promise.resolve({ claimed: false, fingerprint: existing.fingerprint, outcome: existing.outcome });
  }

  complete(scope: string, key: string, outcome: StoredOutcome): Promise<void> {
    const fingerprint = this.claims.get(`${scope}|${key}`)?.fingerprint ?? '';
    this.claims.set(`${scope}|${key}`, { fingerprint, outcome: structuredClone(outcome) });
    return Promise.resolve();
  }

  release(scope: string, key: string): Promise<void> {
    this.claims.delete(`${scope}|${key}`);
    return Promise.resolve();
  }
}
