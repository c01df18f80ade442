import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { createIntegration, createIntegrationBodySchema, listIntegrations } from '../app/integrations';
import { asAdmin } from './endpoint';
import { readJsonBody } from './parse';
import { json } from './respond';

export async function createIntegrationHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) => {
    const body = await readJsonBody(request, createIntegrationBodySchema);
    const created = await createIntegration(deps, caller, body);
    // No Location: integrations are read through the list (there is no single-integration route).
    return json(201, created);
  });
}

export async function listIntegrationsHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) => json(200, { items: await listIntegrations(deps, caller) }));
}
