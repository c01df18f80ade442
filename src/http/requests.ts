import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { leaseOrchestrationsOf } from '../adapters/durable/leaseOrchestrations';
import { decideRequest, decisionBodySchema } from '../app/approvals';
import { extendBodySchema, extendRequest } from '../app/extend';
import { checkIdempotencyKey, fingerprintOf, IDEMPOTENCY_KEY_HEADER, runOnce } from '../app/idempotency';
import {
  getRequest,
  listRequests,
  listRequestsQuerySchema,
  revealCredential,
  revokeRequest,
  revokeRequestBodySchema,
  submitRequest,
  submitRequestBodySchema,
} from '../app/requests';
import { NotFoundError } from '../domain/errors';
import type { AuthenticatedCall, DurableCall } from './operations/operation';
import { guidParam, readJsonBody } from './parse';
import { refusalAnswer } from './problem';
import { readQuery } from './query';
import { json } from './respond';

export async function submitRequestHttp({
  request,
  caller,
  client,
  services: { deps },
}: AuthenticatedCall & DurableCall): Promise<HttpResponseInit> {
  const body = await readJsonBody(request, submitRequestBodySchema);
  const submit = async () => {
    const created = await submitRequest(deps, leaseOrchestrationsOf(client), caller, body);
    return {
      status: 202,
      body: created,
      headers: { Location: new URL(`/api/requests/${created.id}`, request.url).toString() },
    };
  };
  const key = request.headers.get(IDEMPOTENCY_KEY_HEADER);
  if (key === null) {
    const outcome = await submit();
    return json(outcome.status, outcome.body, outcome.headers);
  }
  // Scoped to the caller: two users' keys never meet. The fingerprint is the validated body.
  const instance = new URL(request.url).pathname;
  const outcome = await runOnce(
    deps.idempotency,
    caller.objectId,
    checkIdempotencyKey(key),
    fingerprintOf(body),
    submit,
    {
      instance,
      refusalAnswer: (error) => refusalAnswer(error, instance),
    },
  );
  return json(outcome.status, outcome.body, {
    ...(outcome.headers ?? {}),
    ...(outcome.replayed ? { 'Idempotent-Replayed': 'true' } : {}),
  });
}

export async function listRequestsHttp({
  request,
  caller,
  services: { deps },
}: AuthenticatedCall): Promise<HttpResponseInit> {
  const page = await listRequests(deps, caller, readQuery(request, listRequestsQuerySchema));
  return json(200, page);
}

export async function approveRequestHttp(call: AuthenticatedCall & DurableCall): Promise<HttpResponseInit> {
  return decide(call, true);
}

export async function denyRequestHttp(call: AuthenticatedCall & DurableCall): Promise<HttpResponseInit> {
  return decide(call, false);
}

async function decide(
  { request, caller, client, services: { deps } }: AuthenticatedCall & DurableCall,
  approved: boolean,
): Promise<HttpResponseInit> {
  const body = await readJsonBody(request, decisionBodySchema);
  const decided = await decideRequest(deps, leaseOrchestrationsOf(client), caller, requestIdOf(request), {
    approved,
    comment: body.comment,
  });
  return json(202, decided, { Location: new URL(`/api/requests/${decided.id}`, request.url).toString() });
}

export async function extendRequestHttp({
  request,
  caller,
  client,
  services: { deps },
}: AuthenticatedCall & DurableCall): Promise<HttpResponseInit> {
  const body = await readJsonBody(request, extendBodySchema);
  return json(
    202,
    await extendRequest(deps, leaseOrchestrationsOf(client), caller, requestIdOf(request), body.duration),
  );
}

export async function getRequestHttp({
  request,
  caller,
  services: { deps },
}: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, await getRequest(deps, caller, requestIdOf(request)));
}

export async function revealCredentialHttp({
  request,
  caller,
  services: { deps },
}: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, await revealCredential(deps, caller, requestIdOf(request)));
}

export async function revokeRequestHttp({
  request,
  caller,
  client,
  services: { deps },
}: AuthenticatedCall & DurableCall): Promise<HttpResponseInit> {
  const body = await readJsonBody(request, revokeRequestBodySchema);
  const revoked = await revokeRequest(deps, leaseOrchestrationsOf(client), caller, requestIdOf(request), body.reason);
  return json(202, revoked, { Location: new URL(`/api/requests/${revoked.id}`, request.url).toString() });
}

function requestIdOf(request: HttpRequest): string {
  const id = guidParam(request, 'id');
  if (id === null) throw new NotFoundError('request ids are GUIDs; no such request');
  return id;
}
