import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { z } from 'zod';
import type { Services } from '../../composition';
import type { Caller } from '../../domain/caller';
import type { SchemaName } from './schemas';

/**
 * One HTTP operation: what Azure registers (function name, route, method, whether it needs the
 * Durable client), who may call it (enforced by `serveOperation` before the handler runs), what the
 * OpenAPI document says about it, and the handler. Each operation is written once, in the table of
 * its area (src/http/operations/<area>.ts); functions/http/operations.ts registers them in a loop
 * and src/http/openapi.ts documents them.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * - `anonymous`: no token;
 * - `signature`: no token, the handler authenticates the sender by the integration's own means;
 * - `caller`: an Entra access token of the home tenant (what the caller may do is decided by the use case);
 * - `admin`: such a token with the Jit.Admin app role, checked before anything is read (403 before 400).
 */
export type Access = 'anonymous' | 'signature' | 'caller' | 'admin';

export type Tag =
  | 'service'
  | 'tenants'
  | 'targets'
  | 'templates'
  | 'directory'
  | 'rules'
  | 'entitlements'
  | 'requests'
  | 'approvals'
  | 'audit'
  | 'reports'
  | 'integrations'
  | 'webhooks'
  | 'customers'
  | 'teams';

/** What every handler gets: the request, its invocation and the process's services. */
export interface OperationCall {
  readonly request: HttpRequest;
  readonly context: InvocationContext;
  readonly services: Services;
}

/** `caller` and `admin` operations: the authenticated caller (groups overage already resolved). */
export interface AuthenticatedCall extends OperationCall {
  readonly caller: Caller;
}

/** Operations registered with `durableClient: true` (they start, signal or read orchestrations). */
export interface DurableCall {
  readonly client: DurableClient;
}

export type CallFor<A extends Access, D extends boolean> = (A extends 'caller' | 'admin'
  ? AuthenticatedCall
  : OperationCall) &
  (D extends true ? DurableCall : unknown);

export interface ApiParameter {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  readonly schema: Record<string, unknown>;
}

/** A response header; `required: false` for one that only some answers carry. */
export interface ApiResponseHeader {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
}

export interface ApiResponse {
  readonly description: string;
  readonly schema?: SchemaName;
  readonly headers?: readonly (string | ApiResponseHeader)[];
  /** Other media types the same answer comes in (a text rendering such as text/csv), each a string body. */
  readonly alternativeMediaTypes?: readonly string[];
}

interface OperationFields<A extends Access, D extends boolean> {
  /** The OpenAPI operationId, and the Azure function name unless `functionName` says otherwise. */
  readonly operationId: string;
  /** Only where the deployed function's name differs from the operationId: Azure function names never change. */
  readonly functionName?: string;
  readonly method: HttpMethod;
  /** The Functions route (under the `api` prefix), with {params}; the OpenAPI path is `/` + route. */
  readonly route: string;
  readonly tag: Tag;
  readonly summary: string;
  readonly description?: string;
  readonly access: A;
  /** Registered with `df.app.client.http`: the handler gets the Durable client. */
  readonly durableClient: D;
  readonly requestBody?: SchemaName;
  readonly requestBodyRequired?: boolean;
  readonly query?: readonly ApiParameter[];
  /** Request headers other than Authorization and If-Match. */
  readonly requestHeaders?: readonly ApiParameter[];
  /** Takes If-Match. */
  readonly conditional?: boolean;
  readonly responses: Readonly<Record<string, ApiResponse>>;
  readonly handler: (call: CallFor<A, D>) => Promise<HttpResponseInit>;
}

/** An operation of the table, as the registration loop and the document generator see it. */
export interface HttpOperation extends Omit<OperationFields<Access, boolean>, 'handler' | 'functionName'> {
  readonly functionName: string;
  readonly path: string;
  readonly handler: (call: OperationCall & Partial<AuthenticatedCall & DurableCall>) => Promise<HttpResponseInit>;
}

/**
 * Declares an operation, typing its handler by its access and client: an admin handler is given
 * the caller, a durable one the client. `serveOperation` supplies exactly those, which is what
 * makes the widening to `HttpOperation` sound.
 */
export function defineOperation<A extends Access, D extends boolean>(fields: OperationFields<A, D>): HttpOperation {
  return {
    ...fields,
    functionName: fields.functionName ?? fields.operationId,
    path: `/${fields.route}`,
    handler: fields.handler as HttpOperation['handler'],
  };
}

/**
 * Query parameters documented from the zod schema the handler validates them with (as input: what
 * a caller sends), with a description for each. Every key of the schema must be described.
 */
export function queryParameters<S extends z.ZodObject>(
  schema: S,
  descriptions: { readonly [K in keyof S['shape'] & string]: string },
): ApiParameter[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const generated = z.toJSONSchema(field as z.ZodType, {
      io: 'input',
      target: 'draft-2020-12',
      unrepresentable: 'any',
    }) as Record<string, unknown>;
    delete generated.$schema;
    return { name, description: descriptions[name as keyof typeof descriptions], schema: generated };
  });
}

const PROBLEM_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Bad input: every failing field is named in `errors`',
  401: 'No valid token',
  403: 'Not allowed (configuration needs Jit.Admin; requests need an entitlement)',
  404: 'No such tenant, target, rule or request',
  409: 'Conflicts with the current state (already exists, live leases)',
  412: 'If-Match names an ETag that is no longer current',
  413: 'Body larger than 64 KiB',
  415: 'Body is not JSON',
  422: 'The idempotency key (Idempotency-Key, or a webhook deliveryId) was used before with a different body',
  502: 'The customer tenant refused a directory read needed to validate the change',
  503: 'A dependency is unavailable; try again',
};

/** The documented problem answers of an operation, with the usual wording for each status. */
export function problems(...statuses: number[]): Record<string, { description: string; schema: 'Problem' }> {
  return Object.fromEntries(
    statuses.map((s) => [String(s), { description: PROBLEM_DESCRIPTIONS[s] ?? 'Error', schema: 'Problem' as const }]),
  );
}

/** What every admin operation can answer before it reads anything: no token, or not Jit.Admin. */
export const ADMIN_ERRORS = [401, 403] as const;
