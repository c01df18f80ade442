import { randomUUID } from 'node:crypto';
import { findTenant, graphTimestamp, type Tenant } from '../directory';
import { delay } from '../faults';
import { json, parseJsonBody, type SandboxRequest, type SandboxResponse } from '../http';
import type { SandboxStore } from '../store';
import { GRAPH_RESOURCE, stringArrayClaim, stringClaim, verifyBearer, type VerifyFailure } from '../tokens';
import { handleBatch } from './batch';
import { GraphError, type GraphCaller, type GraphContext } from './context';
import { domainRoutes } from './domains';
import { gdapRoutes } from './gdap';
import { groupListRoutes } from './groupList';
import { groupRoutes } from './groups';
import { mailRoutes } from './mail';
import { policyRoutes } from './policies';
import { roleRoutes } from './roles';
import type { Route } from './route';
import { servicePrincipalRoutes } from './servicePrincipals';
import { signInLogRoutes } from './signInLogs';
import { tapRoutes } from './tap';
import { userRoutes } from './users';

/**
 * graph.microsoft.com/v1.0 for the sandbox: token validation, per-tenant call counting, injected
 * faults, routing, and Graph's error envelope. The tenant is always the token's `tid`.
 */
const ROUTES: readonly Route[] = [
  ...userRoutes,
  ...tapRoutes,
  ...groupRoutes,
  ...groupListRoutes,
  ...roleRoutes,
  ...domainRoutes,
  ...servicePrincipalRoutes,
  ...policyRoutes,
  ...mailRoutes,
  ...gdapRoutes,
  ...signInLogRoutes,
];

// Messages as Graph's token validation reports them (InvalidAuthenticationToken, 401).
const TOKEN_MESSAGES: Record<VerifyFailure, string> = {
  missing: 'Access token is empty.',
  malformed: 'CompactToken parsing failed with error code: 80049217',
  signature: 'Access token validation failure.',
  expired: 'Lifetime validation failed, the token is expired.',
  notYetValid: 'Lifetime validation failed, the token is not yet valid.',
  audience: 'Access token validation failure. Invalid audience.',
};

export function graphErrorResponse(error: GraphError, req: SandboxRequest): SandboxResponse {
  const requestId = randomUUID();
  const clientRequestId = req.headers['client-request-id'] ?? requestId;
  const body: Record<string, unknown> = {
    code: error.code,
    message: error.message,
    innerError: {
      date: graphTimestamp(new Date()).slice(0, -1),
      'request-id': requestId,
      'client-request-id': clientRequestId,
    },
  };
  if (error.details !== undefined) body.details = error.details;
  return json(
    error.status,
    { error: body },
    { 'request-id': requestId, 'client-request-id': clientRequestId, ...error.headers },
  );
}

function withRequestIds(res: SandboxResponse, req: SandboxRequest): SandboxResponse {
  const requestId = res.headers['request-id'] ?? randomUUID();
  res.headers['request-id'] = requestId;
  res.headers['client-request-id'] = req.headers['client-request-id'] ?? requestId;
  return res;
}

function injectedFault(store: SandboxStore, tenant: Tenant, caller: GraphCaller): GraphError | undefined {
  const fault = store.faults.draw(tenant.id);
  if (fault === undefined) return undefined;
  if (fault.kind === 'throttle') {
    // Graph's directory throttling answer (429, TooManyRequests, Retry-After in seconds).
    return new GraphError(
      429,
      'TooManyRequests',
      `Too many requests from Identifier:${caller.appId}+${tenant.id} under category:throttle.aad.ags.appId.large. Please try again later.`,
      undefined,
      { 'Retry-After': '1' },
    );
  }
  switch (fault.status) {
    case 503:
      return new GraphError(
        503,
        'serviceNotAvailable',
        'The service is not available. Try the request again after a delay. There may be a Retry-After header.',
        undefined,
        { 'Retry-After': '1' },
      );
    case 502:
      return new GraphError(
        502,
        'BadGateway',
        'The server, while acting as a gateway or proxy, received an invalid response from the upstream server.',
      );
    case 504:
      return new GraphError(504, 'GatewayTimeout', 'The request timed out.');
    default:
      return new GraphError(500, 'generalException', 'An unspecified error has occurred.');
  }
}

function matchRoute(
  segments: readonly string[],
  method: string,
): { route: Route; params: Record<string, string> } | GraphError {
  let methodMismatch = false;
  for (const route of ROUTES) {
    if (route.path.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = route.path.every((p, i) => {
      const seg = segments[i] ?? '';
      if (typeof p === 'string') {
        if (p.startsWith(':')) {
          params[p.slice(1)] = seg;
          return true;
        }
        return p.toLowerCase() === seg.toLowerCase();
      }
      const m = p.re.exec(seg);
      if (m === null) return false;
      params[p.name] = m[1] ?? '';
      return true;
    });
    if (!ok) continue;
    if (route.method !== method) {
      methodMismatch = true;
      continue;
    }
    return { route, params };
  }
  if (methodMismatch)
    return new GraphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
  // Graph names the first segment it could not resolve.
  let index = 0;
  while (
    index < segments.length &&
    ROUTES.some((r) => {
      const p = r.path[index];
      const seg = segments[index] ?? '';
      if (p === undefined) return false;
      if (typeof p === 'string') return p.startsWith(':') || p.toLowerCase() === seg.toLowerCase();
      return p.re.test(seg);
    })
  ) {
    index += 1;
  }
  return new GraphError(
    400,
    'BadRequest',
    `Resource not found for the segment '${segments[Math.min(index, segments.length - 1)] ?? ''}'.`,
  );
}

/** One Graph call (a whole request, or one item of a $batch): counted, maybe faulted, then routed. */
export async function executeGraphRequest(
  store: SandboxStore,
  tenant: Tenant,
  caller: GraphCaller,
  req: SandboxRequest,
): Promise<SandboxResponse> {
  tenant.calls.total += 1;
  if (req.method !== 'GET') tenant.calls.writes += 1;
  try {
    const fault = injectedFault(store, tenant, caller);
    if (fault !== undefined) throw fault;
    const matched = matchRoute(req.segments, req.method);
    if (matched instanceof GraphError) throw matched;
    let body: unknown;
    try {
      body = parseJsonBody(req.rawBody);
    } catch {
      throw new GraphError(
        400,
        'BadRequest',
        'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
      );
    }
    const ctx: GraphContext = {
      store,
      tenant,
      caller,
      req,
      body,
      params: matched.params,
      now: new Date(),
      replicationLagMs: store.faults.for(tenant.id).replicationLagMs,
    };
    return withRequestIds(await matched.route.handler(ctx), req);
  } catch (error) {
    if (error instanceof GraphError) return graphErrorResponse(error, req);
    throw error;
  }
}

/** `/v1.0/...`: authenticate the caller from its token, then run the call (or the batch). */
export async function handleGraph(store: SandboxStore, req: SandboxRequest): Promise<SandboxResponse> {
  const inner: SandboxRequest = { ...req, segments: req.segments.slice(1) };
  const verified = await verifyBearer(req.headers.authorization, store.keys, GRAPH_RESOURCE);
  const unauthenticated = (message: string): SandboxResponse => {
    const res = graphErrorResponse(new GraphError(401, 'InvalidAuthenticationToken', message), req);
    res.headers['WWW-Authenticate'] =
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';
    return res;
  };
  if (!verified.ok) return unauthenticated(TOKEN_MESSAGES[verified.reason]);
  const tid = stringClaim(verified.claims, 'tid');
  const tenant = tid === undefined ? undefined : findTenant(store.state, tid);
  const appId = stringClaim(verified.claims, 'appid') ?? stringClaim(verified.claims, 'azp');
  const app = tenant?.apps.find((a) => a.clientId === appId);
  if (tenant === undefined || app === undefined) return unauthenticated('Access token validation failure.');
  const caller: GraphCaller = {
    appId: app.clientId,
    servicePrincipalId: app.servicePrincipalId,
    roles: new Set(stringArrayClaim(verified.claims, 'roles')),
  };
  tenant.calls.roundTrips += 1;
  await delay(store.faults.for(tenant.id).latencyMs);
  try {
    if (inner.segments.length === 1 && inner.segments[0] === '$batch') {
      if (req.method !== 'POST')
        return graphErrorResponse(
          new GraphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.'),
          req,
        );
      return withRequestIds(await handleBatch(inner, (item) => executeGraphRequest(store, tenant, caller, item)), req);
    }
    return await executeGraphRequest(store, tenant, caller, inner);
  } catch (error) {
    if (error instanceof GraphError) return graphErrorResponse(error, req);
    throw error;
  } finally {
    store.save();
  }
}
