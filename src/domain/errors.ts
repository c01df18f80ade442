import { format } from 'node:util';
import type { ZodError } from 'zod';

/**
 * Typed errors of the domain and use cases. Each says what kind of failure it is, never how a
 * protocol answers it: src/http/problem.ts is the one place that maps a kind to an HTTP status and
 * title, and turns anything unknown into a 500.
 */
export type ErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'step-up-required'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'dependency-unavailable'
  | 'dependency-failed'
  | 'precondition-failed'
  | 'unprocessable';

export interface FieldProblem {
  /** Dotted path of the field, e.g. "duration" or "connection.clientId". */
  readonly field: string;
  readonly message: string;
}

export abstract class JitError extends Error {
  abstract readonly kind: ErrorKind;
}

/** The fields a zod parse refused, each with its dotted path (under `prefix`) and what is wrong. */
export function fieldProblemsOf(error: ZodError, prefix = ''): FieldProblem[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    if (issue.code === 'unrecognized_keys') {
      return { field: path || '(body)', message: `unknown field(s): ${issue.keys.join(', ')}` };
    }
    return { field: path || '(body)', message: issue.message };
  });
}

/**
 * The one way to turn anything thrown into text for a log line, a report, a failure reason or
 * orchestration history: an Error's message (ours never hold secrets), cut to `maxLength` so
 * an SDK's long message does not bloat what keeps it.
 */
export function messageOf(error: unknown, maxLength = 500): string {
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : format(error);
  return text.slice(0, maxLength);
}

export class ValidationError extends JitError {
  override readonly name = 'ValidationError';
  readonly kind = 'validation';
  constructor(readonly problems: readonly FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  }
}

export class UnauthenticatedError extends JitError {
  override readonly name = 'UnauthenticatedError';
  readonly kind = 'unauthenticated';
}

export class ForbiddenError extends JitError {
  override readonly name = 'ForbiddenError';
  readonly kind = 'forbidden';
}

export class NotFoundError extends JitError {
  override readonly name = 'NotFoundError';
  readonly kind = 'not-found';
}

export class ConflictError extends JitError {
  override readonly name = 'ConflictError';
  readonly kind = 'conflict';
  constructor(
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export class PayloadTooLargeError extends JitError {
  override readonly name = 'PayloadTooLargeError';
  readonly kind = 'payload-too-large';
}

export class UnsupportedMediaTypeError extends JitError {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly kind = 'unsupported-media-type';
}

/** A directory or vault call failed in a way worth retrying (throttled, 5xx, replication lag). */
export class TransientDependencyError extends JitError {
  override readonly name = 'TransientDependencyError';
  readonly kind = 'dependency-unavailable';
}

/** A directory call failed in a way that retrying will not fix (permission missing, bad config). */
export class DependencyError extends JitError {
  override readonly name = 'DependencyError';
  readonly kind = 'dependency-failed';
  constructor(
    message: string,
    readonly dependency: 'graph' | 'keyVault' | 'tables' | 'login',
    readonly code?: string,
  ) {
    super(message);
  }
}

/** An If-Match precondition failed: the resource changed since the caller read it (optimistic concurrency). */
export class PreconditionFailedError extends JitError {
  override readonly name = 'PreconditionFailedError';
  readonly kind = 'precondition-failed';
  constructor(
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** The request is well-formed but cannot be processed as sent (an Idempotency-Key reused with another body). */
export class UnprocessableError extends JitError {
  override readonly name = 'UnprocessableError';
  readonly kind = 'unprocessable';
}

/**
 * A directory write may not go out before `retryAfterMs` (the app's own share of Graph's write
 * limit is used up): a caller that can come back later does so rather than hold its worker.
 */
export class WriteLimitReachedError extends TransientDependencyError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}
