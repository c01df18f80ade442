import type { HttpResponseInit } from '@azure/functions';
import { ZodError } from 'zod';
import {
  ConflictError,
  fieldProblemsOf,
  JitError,
  PreconditionFailedError,
  ValidationError,
  type ErrorKind,
  type FieldProblem,
} from '../domain/errors';
import { claimsRequestFor, StepUpRequiredError } from '../domain/stepUp';
import { SECURITY_HEADERS } from './respond';

/**
 * RFC 9457 problem details: the one place where errors become HTTP answers. Each kind of error
 * has its status and title here; the detail is the error's own message. Anything else is a 500
 * whose detail says nothing about internals.
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

const ANSWER_BY_KIND: Readonly<Record<ErrorKind, { readonly status: number; readonly title: string }>> = {
  validation: { status: 400, title: 'The request is not valid' },
  unauthenticated: { status: 401, title: 'Authentication is required' },
  'step-up-required': { status: 401, title: 'A stronger authentication is required' },
  forbidden: { status: 403, title: 'Not allowed' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  'precondition-failed': { status: 412, title: 'The resource changed since it was read' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'The request body must be JSON' },
  unprocessable: { status: 422, title: 'The request cannot be processed as sent' },
  'dependency-failed': { status: 502, title: 'A dependency refused the operation' },
  'dependency-unavailable': { status: 503, title: 'A dependency is unavailable; try again' },
};

export function toProblem(error: unknown, instance?: string): Problem {
  const err = error instanceof ZodError ? new ValidationError(fieldProblemsOf(error)) : error;
  if (err instanceof JitError) {
    const { status, title } = ANSWER_BY_KIND[err.kind];
    const base = {
      type: `${PROBLEM_TYPE_BASE}${err.kind}`,
      title,
      status,
      detail: err.message,
      ...(instance ? { instance } : {}),
    };
    if (err instanceof ValidationError) return { ...base, errors: err.problems };
    // The claims request in the body too: a browser reads no WWW-Authenticate across origins (the
    // platform's CORS exposes no response header), so the portal takes it from here.
    if (err instanceof StepUpRequiredError)
      return {
        ...base,
        authenticationContext: err.authenticationContext,
        claims: claimsRequestFor(err.authenticationContext),
      };
    // Extensions never override the standard members.
    if (err instanceof ConflictError || err instanceof PreconditionFailedError) return { ...err.details, ...base };
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

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Where a claims challenge sends the client to sign in again: the home tenant's authorize endpoint. */
export interface ChallengeOptions {
  /** The home tenant's id: the API accepts its tokens only. */
  readonly realm: string;
  readonly authorizationUri: string;
}

export function problemResponse(error: unknown, instance?: string, challenge?: ChallengeOptions): HttpResponseInit {
  const problem = toProblem(error, instance);
  const headers: Record<string, string> = { ...SECURITY_HEADERS, 'Content-Type': PROBLEM_CONTENT_TYPE };
  if (error instanceof StepUpRequiredError && challenge !== undefined) {
    headers['WWW-Authenticate'] = claimsChallenge(error, challenge);
  } else if (problem.status === 401) headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
  if (problem.status === 503) headers['Retry-After'] = '5';
  return { status: problem.status, body: JSON.stringify(problem), headers };
}

/**
 * The claims challenge Entra documents for an authentication context
 * (https://learn.microsoft.com/entra/identity-platform/claims-challenge#claims-challenge-header-format):
 * `realm` the tenant (the API is single-tenant), then `authorization_uri` must name the tenant too,
 * `error="insufficient_claims"`, `claims` the base64 claims request MSAL passes back as `claims`.
 */
export function claimsChallenge(error: StepUpRequiredError, challenge: ChallengeOptions): string {
  return `Bearer realm="${challenge.realm}", authorization_uri="${challenge.authorizationUri}", error="insufficient_claims", claims="${claimsRequestFor(error.authenticationContext)}"`;
}

/**
 * For Idempotency-Key replays: the answer a refusal (4xx) gets, to be stored and replayed alike;
 * null for a failure worth retrying (5xx), which is not kept.
 */
export function refusalAnswer(
  error: unknown,
  instance?: string,
): { status: number; body: Problem; headers: Record<string, string> } | null {
  const problem = toProblem(error, instance);
  // A step-up refusal is not kept: the retry with the stronger token and the same key must go through.
  if (problem.status >= 500 || error instanceof StepUpRequiredError) return null;
  return { status: problem.status, body: problem, headers: { 'Content-Type': PROBLEM_CONTENT_TYPE } };
}
