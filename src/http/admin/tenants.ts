import type { HttpResponseInit } from '@azure/functions';
import { leaseOrchestrationsOf } from '../../adapters/durable/leaseOrchestrations';
import { createTenantBodySchema, patchTenantBodySchema, readinessQuerySchema } from '../../app/config/schemas';
import {
  createTenant,
  deleteTenant,
  getConsentUrl,
  getTenant,
  listTenants,
  patchTenant,
  tenantReadiness,
  tenantView,
  verifyTenant,
  type OnboardingSettings,
} from '../../app/config/tenants';
import type { Services } from '../../composition';
import { ValidationError } from '../../domain/errors';
import type { AuthenticatedCall, DurableCall } from '../operations/operation';
import { readJsonBody } from '../parse';
import { readQuery } from '../query';
import { json } from '../respond';
import { etagHeader, preconditionOf, tenantIdOf } from './conditional';

/** How long DELETE ?force=true waits for the revoked leases to end before answering 202. */
const FORCED_DELETE_WAIT_MS = 20_000;

function onboarding({ settings }: Services): OnboardingSettings {
  return { authorityHost: settings.JIT_AUTHORITY_HOST, serviceAppId: settings.JIT_API_CLIENT_ID };
}

export async function createTenantHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  const body = await readJsonBody(request, createTenantBodySchema);
  const { tenant, verification } = await createTenant(services.deps, caller, body, onboarding(services));
  const location = new URL(`/api/tenants/${tenant.value.tenantId}`, request.url).toString();
  return json(201, { ...tenantView(tenant.value), verification }, { Location: location, ...etagHeader(tenant.etag) });
}

export async function listTenantsHttp({ caller, services: { deps } }: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, { items: (await listTenants(deps, caller)).map(tenantView) });
}

export async function tenantReadinessHttp({
  request,
  caller,
  services: { deps },
}: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, await tenantReadiness(deps, caller, readQuery(request, readinessQuerySchema)));
}

export async function getTenantHttp({
  request,
  caller,
  services: { deps },
}: AuthenticatedCall): Promise<HttpResponseInit> {
  const tenant = await getTenant(deps, caller, tenantIdOf(request));
  return json(200, tenantView(tenant.value), etagHeader(tenant.etag));
}

export async function patchTenantHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  const tenantId = tenantIdOf(request);
  const body = await readJsonBody(request, patchTenantBodySchema);
  const { tenant, verification } = await patchTenant(
    services.deps,
    caller,
    tenantId,
    body,
    preconditionOf(request),
    onboarding(services),
  );
  return json(
    200,
    { ...tenantView(tenant.value), ...(verification !== null ? { verification } : {}) },
    etagHeader(tenant.etag),
  );
}

export async function deleteTenantHttp({
  request,
  caller,
  client,
  services: { deps },
}: AuthenticatedCall & DurableCall): Promise<HttpResponseInit> {
  const tenantId = tenantIdOf(request);
  const force = request.query.get('force');
  if (force !== null && force !== 'true' && force !== 'false')
    throw new ValidationError([{ field: 'force', message: 'must be true or false' }]);
  const result = await deleteTenant(deps, leaseOrchestrationsOf(client), caller, tenantId, preconditionOf(request), {
    force: force === 'true',
    waitForRevocationMs: FORCED_DELETE_WAIT_MS,
  });
  return json(result.deleted ? 200 : 202, result);
}

export async function verifyTenantHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, await verifyTenant(services.deps, caller, tenantIdOf(request), onboarding(services)));
}

export async function consentUrlHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, await getConsentUrl(services.deps, caller, tenantIdOf(request), onboarding(services)));
}
