import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
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
import { readJsonBody } from '../parse';
import { readQuery } from '../query';
import { json } from '../respond';
import { asAdmin, etagHeader, preconditionOf, tenantIdOf } from './conditional';

/** How long DELETE ?force=true waits for the revoked leases to end before answering 202. */
const FORCED_DELETE_WAIT_MS = 20_000;

function onboarding({ settings }: Services): OnboardingSettings {
  return { authorityHost: settings.JIT_AUTHORITY_HOST, serviceAppId: settings.JIT_API_CLIENT_ID };
}

export async function createTenantHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, services) => {
    const body = await readJsonBody(request, createTenantBodySchema);
    const { tenant, verification } = await createTenant(services.deps, caller, body, onboarding(services));
    const location = new URL(`/api/tenants/${tenant.value.tenantId}`, request.url).toString();
    return json(201, { ...tenantView(tenant.value), verification }, { Location: location, ...etagHeader(tenant.etag) });
  });
}

export async function listTenantsHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) =>
    json(200, { items: (await listTenants(deps, caller)).map(tenantView) }),
  );
}

export async function tenantReadinessHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) =>
    json(200, await tenantReadiness(deps, caller, readQuery(request, readinessQuerySchema))),
  );
}

export async function getTenantHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) => {
    const tenant = await getTenant(deps, caller, tenantIdOf(request));
    return json(200, tenantView(tenant.value), etagHeader(tenant.etag));
  });
}

export async function patchTenantHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, services) => {
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
  });
}

export async function deleteTenantHttp(
  request: HttpRequest,
  client: DurableClient,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) => {
    const tenantId = tenantIdOf(request);
    const force = request.query.get('force');
    if (force !== null && force !== 'true' && force !== 'false')
      throw new ValidationError([{ field: 'force', message: 'must be true or false' }]);
    const result = await deleteTenant(deps, leaseOrchestrationsOf(client), caller, tenantId, preconditionOf(request), {
      force: force === 'true',
      waitForRevocationMs: FORCED_DELETE_WAIT_MS,
    });
    return json(result.deleted ? 200 : 202, result);
  });
}

export async function verifyTenantHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, services) =>
    json(200, await verifyTenant(services.deps, caller, tenantIdOf(request), onboarding(services))),
  );
}

export async function consentUrlHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, services) =>
    json(200, await getConsentUrl(services.deps, caller, tenantIdOf(request), onboarding(services))),
  );
}
