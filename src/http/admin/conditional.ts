import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Precondition } from '../../app/config/adminChange';
import { slugSchema } from '../../domain/config';
import { NotFoundError } from '../../domain/errors';
import { guidParam } from '../parse';
import { SECURITY_HEADERS } from '../respond';

/** The admin's `If-Match` (the ETag they read), for optimistic concurrency on PATCH, PUT and DELETE. */
export function preconditionOf(request: HttpRequest): Precondition {
  const value = request.headers.get('if-match');
  return { ifMatch: value === null || value.trim() === '' ? null : value.trim() };
}

export function etagHeader(etag: string): Record<string, string> {
  return { ETag: etag };
}

export function noContent(): HttpResponseInit {
  return { status: 204, headers: { ...SECURITY_HEADERS } };
}

/** A tenant id in the path: GUIDs only; anything else names no tenant. */
export function tenantIdOf(request: HttpRequest): string {
  const id = guidParam(request, 'tenantId');
  if (id === null) throw new NotFoundError('tenant ids are GUIDs; no such tenant');
  return id;
}

export function slugOf(request: HttpRequest, name: 'targetId' | 'ruleId'): string {
  const value = request.params[name];
  const parsed = slugSchema.safeParse(value);
  if (!parsed.success)
    throw new NotFoundError(
      `no such ${name === 'targetId' ? 'target' : 'rule'}: ids are lowercase letters, digits and dashes`,
    );
  return parsed.data;
}
