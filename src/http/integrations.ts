import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { createIntegration, createIntegrationBodySchema, listIntegrations } from '../app/integrations';
import { asAdmin } from './endpoint';
import { readJsonBody } from './parse';
import { json } from './respond';

export async function createIntegrationHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) => {
    const body = await readJsonBody(request, createIntegrationBodySchema);
    const created = await createIntegration(deps, caller, body);
    return json(201, created, { Location: new URL(`/api/integrations/${created.integrationId}`, request.url).toString() });
  });
}

export async function listIntegrationsHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) => json(200, { items: await listIntegrations(deps, caller) }));
}
