/**
 * Typed errors of the domain and use cases. `toProblem` (src/app/problem.ts) is the one place that
 * turns them, and anything unknown, into RFC 9457 problem details.
 */
export interface FieldProblem {
  /** Dotted path of the field, e.g. "duration" or "connection.clientId". */
  readonly field: string;
  readonly message: string;
}

export abstract class JitError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  abstract readonly title: string;
}

export class ValidationError extends JitError {
  override readonly name = 'ValidationError';
  readonly status = 400;
  readonly type = 'validation';
  readonly title = 'The request is not valid';
  constructor(readonly problems: readonly FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  }
}

export class UnauthenticatedError extends JitError {
  override readonly name = 'UnauthenticatedError';
  readonly status = 401;
  readonly type = 'unauthenticated';
  readonly title = 'Authentication is required';
}

export class ForbiddenError extends JitError {
  override readonly name = 'ForbiddenError';
  readonly status = 403;
  readonly type = 'forbidden';
  readonly title = 'Not allowed';
}

export class NotFoundError extends JitError {
  override readonly name = 'NotFoundError';
  readonly status = 404;
  readonly type = 'not-found';
  readonly title = 'Not found';
}

export class ConflictError extends JitError {
  override readonly name = 'ConflictError';
  readonly status = 409;
  readonly type = 'conflict';
  readonly title = 'Conflict with the current state';
  constructor(
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export class PayloadTooLargeError extends JitError {
  override readonly name = 'PayloadTooLargeError';
  readonly status = 413;
  readonly type = 'payload-too-large';
  readonly title = 'The request body is too large';
}

export class UnsupportedMediaTypeError extends JitError {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly status = 415;
  readonly type = 'unsupported-media-type';
  readonly title = 'The request body must be JSON';
}

/** A directory or vault call failed in a way worth retrying (throttled, 5xx, replication lag). */
export class TransientDependencyError extends JitError {
  override readonly name = 'TransientDependencyError';
  readonly status = 503;
  readonly type = 'dependency-unavailable';
  readonly title = 'A dependency is unavailable; try again';
}

/** A directory call failed in a way that retrying will not fix (permission missing, bad config). */
export class DependencyError extends JitError {
  override readonly name = 'DependencyError';
  readonly status = 502;
  readonly type = 'dependency-failed';
  readonly title = 'A dependency refused the operation';
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
  readonly status = 412;
  readonly type = 'precondition-failed';
  readonly title = 'The resource changed since it was read';
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
  readonly status = 422;
  readonly type = 'unprocessable';
  readonly title = 'The request cannot be processed as sent';
}
