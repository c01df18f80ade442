import type { components } from './schema';

export type Problem = components['schemas']['Problem'];

/** An API call that did not succeed, in words a person can act on (the problem's `detail` first). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(describe(status, problem));
    this.name = 'ApiError';
  }
}

function describe(status: number, problem: Problem | undefined): string {
  if (!problem) return `The API answered ${status}.`;
  const fields = (problem.errors ?? []).map((e) => `${e.field}: ${e.message}`);
  return [problem.detail || problem.title, ...fields].join(' ');
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'status' in value && 'title' in value;
}

/** openapi-fetch's answer as data, or an ApiError carrying the problem. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  throw new ApiError(result.response.status, isProblem(result.error) ? result.error : undefined);
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
