import { describe, expect, it } from 'vitest';
import { checkPrecondition, conditionally } from '../../../src/app/config/adminChange';
import { ConcurrencyError } from '../../../src/app/ports';
import { targetDurationProblems } from '../../../src/domain/config';
import { ConflictError, PreconditionFailedError } from '../../../src/domain/errors';

describe('optimistic concurrency for admins', () => {
  const stored = { value: { id: 'x' }, etag: 'W/"datetime\'2026-01-01T00%3A00%3A00Z\'"' };

  it('accepts no If-Match, * or the current ETag, and refuses a stale one with 412 naming the current', () => {
    expect(checkPrecondition(stored, { ifMatch: null }, 'rule x')).toBe(stored.etag);
    expect(checkPrecondition(stored, { ifMatch: '*' }, 'rule x')).toBe(stored.etag);
    expect(checkPrecondition(stored, { ifMatch: stored.etag }, 'rule x')).toBe(stored.etag);
    expect(() => checkPrecondition(stored, { ifMatch: 'W/"old"' }, 'rule x')).toThrow(PreconditionFailedError);
    try {
      checkPrecondition(stored, { ifMatch: 'W/"old"' }, 'rule x');
    } catch (error) {
      expect((error as PreconditionFailedError).details).toEqual({ currentETag: stored.etag });
    }
  });

  it('a write that loses the race is 412 when the admin sent If-Match, 409 when not', async () => {
    const lose = (): Promise<never> => Promise.reject(new ConcurrencyError('stale'));
    await expect(conditionally({ ifMatch: stored.etag }, 'rule x', lose)).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await expect(conditionally({ ifMatch: null }, 'rule x', lose)).rejects.toBeInstanceOf(ConflictError);
    await expect(conditionally({ ifMatch: null }, 'rule x', () => Promise.resolve(7))).resolves.toBe(7);
    await expect(conditionally({ ifMatch: null }, 'rule x', () => Promise.reject(new Error('other')))).rejects.toThrow(
      'other',
    );
  });
});

describe('targetDurationProblems', () => {
  it('wants min ≤ default ≤ max ≤ P7D and names every field that is off', () => {
    expect(targetDurationProblems({ minDuration: 'PT15M', defaultDuration: 'PT4H', maxDuration: 'P7D' })).toEqual([]);
    expect(targetDurationProblems({ minDuration: 'PT15M', defaultDuration: 'PT4H', maxDuration: 'P7DT1S' })).toEqual([
      { field: 'maxDuration', message: 'must be at most P7D' },
    ]);
    expect(
      targetDurationProblems({ minDuration: 'PT2H', defaultDuration: 'PT30M', maxDuration: 'PT1H' }).map(
        (p) => p.field,
      ),
    ).toEqual(['minDuration', 'defaultDuration']);
    expect(targetDurationProblems({ minDuration: 'PT1M', defaultDuration: 'PT9H', maxDuration: 'PT8H' })).toEqual([
      { field: 'defaultDuration', message: 'must be at most maxDuration (PT8H)' },
    ]);
  });
});
