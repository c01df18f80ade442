import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { leaseOrchestrationsOf } from '../adapters/durable/leaseOrchestrations';
import { getRequest, revealCredential, revokeRequest, revokeRequestBodySchema, submitRequest, submitRequestBodySchema } from '../app/requests';
import { NotFoundError } from '../domain/errors';
import { authenticated } from './endpoint';
import { guidParam, readJsonBody } from './parse';
import { json } from './respond';

export async function submitRequestHttp(request: HttpRequest, client: DurableClient, context: InvocationContext): Promise<HttpResponseInit> {
  return authenticated(request, context, async (caller, { deps }) => {
    const body = await readJsonBody(request, submitRequestBodySchema);
    const created = await submitRequest(deps, leaseOrchestrationsOf(client), caller, body);
    const location = new URL(`/api/requests/${created.id}`, request.url).toString();
    return json(202, created, { Location: location });
  });
}

export async function getRequestHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return authenticated(request, context, async (caller, { deps }) => json(200, await getRequest(deps, caller, requestIdOf(request))));
}

export async function revealCredentialHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return authenticated(request, context, async (caller, { deps }) => json(200, await revealCredential(deps, caller, requestIdOf(request))));
}

export async function revokeRequestHttp(request: HttpRequest, client: DurableClient, context: InvocationContext): Promise<HttpResponseInit> {
  return authenticated(request, context, async (caller, { deps }) => {
    const body = await readJsonBody(request, revokeRequestBodySchema);
    return json(202, await revokeRequest(deps, leaseOrchestrationsOf(client), caller, requestIdOf(request), body.reason));
  });
}

function requestIdOf(request: HttpRequest): string {
  const id = guidParam(request, 'id');
  if (id === null) throw new NotFoundError('request ids are GUIDs; no such request');
  return id;
}
