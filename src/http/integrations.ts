import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import {
  createIntegration,
  deleteIntegration,
  getIntegration,
  listIntegrations,
  patchIntegration,
  patchIntegrationBodySchema,
} from '../app/integrations';
import { createIntegrationBodySchema } from '../app/ticketing';
import { NotFoundError } from '../domain/errors';
import type { Settings } from '../settings';
import { etagHeader, noContent, preconditionOf } from './admin/conditional';
import type { AuthenticatedCall } from './operations/operation';
import { guidParam, readJsonBody } from './parse';
import { json } from './respond';

/**
 * Local development is the local stack: only it signs in to Key Vault with the service's client
 * secret (a deployment uses its managed identity, and test/infra keeps that setting out of Azure).
 * There, and only there, a ConnectWise site may be on loopback (the tests' key server).
 */
export function isLocalDevelopment(settings: Pick<Settings, 'JIT_SERVICE_CLIENT_SECRET'>): boolean {
  return settings.JIT_SERVICE_CLIENT_SECRET !== undefined;
}

function integrationIdOf(request: HttpRequest): string {
  const id = guidParam(request, 'integrationId');
  if (id === null) throw new NotFoundError('integration ids are GUIDs; no such integration');
  return id;
}

export async function createIntegrationHttp({
  request,
  caller,
  services: { deps, settings },
}: AuthenticatedCall): Promise<HttpResponseInit> {
  const body = await readJsonBody(request, createIntegrationBodySchema);
  const created = await createIntegration(deps, caller, body, { localDevelopment: isLocalDevelopment(settings) });
  const location = new URL(`/api/integrations/${created.integration.integrationId}`, request.url).toString();
  return json(201, created.integration, { Location: location, ...etagHeader(created.etag) });
}

export async function listIntegrationsHttp({
  caller,
  services: { deps },
}: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, { items: await listIntegrations(deps, caller) });
}

export async function getIntegrationHttp({
  request,
  caller,
  services: { deps },
}: AuthenticatedCall): Promise<HttpResponseInit> {
  const found = await getIntegration(deps, caller, integrationIdOf(request));
  return json(200, found.integration, etagHeader(found.etag));
}

export async function patchIntegrationHttp({
  request,
  caller,
  services: { deps, settings },
}: AuthenticatedCall): Promise<HttpResponseInit> {
  const integrationId = integrationIdOf(request);
  const body = await readJsonBody(request, patchIntegrationBodySchema);
  const patched = await patchIntegration(deps, caller, integrationId, body, preconditionOf(request), {
    localDevelopment: isLocalDevelopment(settings),
  });
  return json(200, patched.integration, etagHeader(patched.etag));
}

export async function deleteIntegrationHttp({
  request,
  caller,
  services: { deps },
}: AuthenticatedCall): Promise<HttpResponseInit> {
  await deleteIntegration(deps, caller, integrationIdOf(request), preconditionOf(request));
  return noContent();
}
