import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runOnce } from '../../src/app/idempotency';
import type { OnceClaim, OnceStore, StoredOutcome } from '../../src/app/ports';
import {
  ConflictError,
  DependencyError,
  ForbiddenError,
  messageOf,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionFailedError,
  TransientDependencyError,
  UnauthenticatedError,
  UnprocessableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../src/domain/errors';
import { problemResponse, refusalAnswer, toProblem } from '../../src/http/problem';

/** Errors say what kind of failure they are; src/http/problem.ts alone says how HTTP answers each. */
describe('problem details', () => {
  it('maps every kind of error to its status, title and problem type', () => {
    const cases = [
      [new ValidationError([{ field: 'duration', message: 'is required' }]), 400, 'validation'],
      [new UnauthenticatedError('no token'), 401, 'unauthenticated'],
      [new ForbiddenError('not yours'), 403, 'forbidden'],
      [new NotFoundError('no such rule'), 404, 'not-found'],
      [new ConflictError('live lease'), 409, 'conflict'],
      [new PreconditionFailedError('stale'), 412, 'precondition-failed'],
      [new PayloadTooLargeError('big'), 413, 'payload-too-large'],
      [new UnsupportedMediaTypeError('xml'), 415, 'unsupported-media-type'],
      [new UnprocessableError('key reused'), 422, 'unprocessable'],
      [new DependencyError('refused', 'graph'), 502, 'dependency-failed'],
      [new TransientDependencyError('throttled'), 503, 'dependency-unavailable'],
    ] as const;
    for (const [error, status, kind] of cases) {
      const problem = toProblem(error, '/api/x');
      expect(problem, kind).toMatchObject({
        type: `https://entra-jit.dev/problems/${kind}`,
        status,
        detail: error.message,
        instance: '/api/x',
      });
      expect(problem.title.length, kind).toBeGreaterThan(0);
      expect(error).not.toHaveProperty('status');
    }
  });

  it('names every failing field of a zod error, and lets no extension override a standard member', () => {
    const parsed = z.strictObject({ duration: z.string() }).safeParse({ duration: 1, extra: true });
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    const invalid = toProblem(parsed.error);
    expect(invalid.status).toBe(400);
    expect(invalid.errors?.map((e) => e.field)).toEqual(['duration', '(body)']);
    expect(invalid.errors?.[1]?.message).toBe('unknown field(s): extra');
    const problem = toProblem(new ConflictError('live lease', { status: 200, activeRequestId: 'r1' }));
    expect(problem).toMatchObject({ status: 409, activeRequestId: 'r1' });
  });

  it('answers anything unknown with a 500 that says nothing about it', () => {
    const response = problemResponse(new Error('connection string AccountKey=secret'), '/api/x');
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body as string)).toMatchObject({ status: 500, title: 'Internal error' });
    expect(response.body as string).not.toContain('secret');
    expect(problemResponse(new UnauthenticatedError('no token')).headers).toMatchObject({
      'WWW-Authenticate': 'Bearer error="invalid_token"',
    });
    expect(problemResponse(new TransientDependencyError('throttled')).headers).toMatchObject({ 'Retry-After': '5' });
  });
});

describe('Idempotency-Key outcomes', () => {
  class MemoryOnceStore implements OnceStore {
    readonly rows = new Map<string, { fingerprint: string; outcome: StoredOutcome | null }>();
    async claim(scope: string, key: string, fingerprint: string): Promise<OnceClaim> {
      const row = this.rows.get(`${scope}/${key}`);
      if (row !== undefined) return { claimed: false, fingerprint: row.fingerprint, outcome: row.outcome };
      this.rows.set(`${scope}/${key}`, { fingerprint, outcome: null });
      return { claimed: true };
    }
    async complete(scope: string, key: string, outcome: StoredOutcome): Promise<void> {
      const row = this.rows.get(`${scope}/${key}`);
      if (row !== undefined) row.outcome = outcome;
    }
    async release(scope: string, key: string): Promise<void> {
      this.rows.delete(`${scope}/${key}`);
    }
  }
  const options = { refusalAnswer: (error: unknown) => refusalAnswer(error, '/api/requests') };

  it('keeps a refusal as its problem answer and replays it; forgets a failure worth retrying', async () => {
    const store = new MemoryOnceStore();
    const refused = () => Promise.reject(new ForbiddenError('not entitled'));
    await expect(runOnce(store, 'alice', 'k1', 'f', refused, options)).rejects.toThrow('not entitled');
    const replay = await runOnce(store, 'alice', 'k1', 'f', () => Promise.reject(new Error('not run again')), options);
    expect(replay).toMatchObject({
      replayed: true,
      status: 403,
      body: { status: 403, detail: 'not entitled', instance: '/api/requests' },
      headers: { 'Content-Type': 'application/problem+json; charset=utf-8' },
    });

    const throttled = () => Promise.reject(new TransientDependencyError('throttled'));
    await expect(runOnce(store, 'alice', 'k2', 'f', throttled, options)).rejects.toThrow('throttled');
    expect(store.rows.has('alice/k2')).toBe(false);
    // Ticketing deliveries keep no refusal: a retry after the configuration is fixed is evaluated again.
    await expect(runOnce(store, 'psa', 'd1', 'f', refused, { ...options, keepRefusals: false })).rejects.toThrow();
    expect(store.rows.has('psa/d1')).toBe(false);
  });
});

describe('messageOf', () => {
  it("is an Error's message, a string as it is, anything else formatted; cut to the length asked", () => {
    expect(messageOf(new Error('boom'))).toBe('boom');
    expect(messageOf('plain')).toBe('plain');
    expect(messageOf({ code: 7 })).toBe('{ code: 7 }');
    expect(messageOf(new Error('x'.repeat(900)))).toHaveLength(500);
    expect(messageOf(new Error('abcdef'), 3)).toBe('abc');
  });
});
