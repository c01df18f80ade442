import { ZodError } from 'zod';
import { JitError, ValidationError, type FieldProblem } from '../domain/errors';

/**
 * RFC 9457 problem details: the one place where errors become HTTP answers. Known errors keep their
 * status and message; anything else is a 500 whose detail says nothing about internals.
 */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly errors?: readonly FieldProblem[];
  readonly [extension: string]: unknown;
}

export const PROBLEM_TYPE_BASE = 'https://entra-jit.dev/problems/';

export function fieldProblemsOf(error: ZodError, prefix = ''): FieldProblem[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    if (issue.code === 'unrecognized_keys') {
      return { field: path || '(body)', message: `unknown field(s): ${issue.keys.join(', ')}` };
    }
    return { field: path || '(body)', message: issue.message };
  });
}

export function toProblem(error: unknown, instance?: string): Problem {
  const err = error instanceof ZodError ? new ValidationError(fieldProblemsOf(error)) : error;
  if (err instanceof JitError) {
    const base = {
      type: `${PROBLEM_TYPE_BASE}${err.type}`,
      title: err.title,
      status: err.status,
      detail: err.message,
      ...(instance ? { instance } : {}),
    };
    if (err instanceof ValidationError) return { ...base, errors: err.problems };
    // Extensions never override the standard members.
    if ('details' in err && typeof err.details === 'object' && err.details !== null)
      return { ...(err.details as Record<string, unknown>), ...base };
    return base;
  }
  return {
    type: `${PROBLEM_TYPE_BASE}internal`,
    title: 'Internal error',
    status: 500,
    detail: 'The service failed to handle the request. It has been logged; try again later.',
    ...(instance ? { instance } : {}),
  };
}
