import type { HttpResponseInit } from '@azure/functions';
import { createTargetBodySchema, patchTargetBodySchema } from '../../app/config/schemas';
import { createTarget, deleteTarget, getTarget, listTargets, patchTarget } from '../../app/config/targets';
import type { AuthenticatedCall } from '../operations/operation';
import { readJsonBody } from '../parse';
import { json } from '../respond';
import { etagHeader, noContent, preconditionOf, slugOf, tenantIdOf } from './conditional';

export async function createTargetHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  const tenantId = tenantIdOf(request);
  const body = await readJsonBody(request, createTargetBodySchema);
  const target = await createTarget(services.deps, caller, tenantId, body);
  const location = new URL(`/api/tenants/${tenantId}/targets/${target.value.targetId}`, request.url).toString();
  return json(201, target.value, { Location: location, ...etagHeader(target.etag) });
}

export async function listTargetsHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, { items: await listTargets(services.deps, caller, tenantIdOf(request)) });
}

export async function getTargetHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  const target = await getTarget(services.deps, caller, tenantIdOf(request), slugOf(request, 'targetId'));
  return json(200, target.value, etagHeader(target.etag));
}

export async function patchTargetHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  const tenantId = tenantIdOf(request);
  const targetId = slugOf(request, 'targetId');
  const body = await readJsonBody(request, patchTargetBodySchema);
  const target = await patchTarget(services.deps, caller, tenantId, targetId, body, preconditionOf(request));
  return json(200, target.value, etagHeader(target.etag));
}

export async function deleteTargetHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  await deleteTarget(services.deps, caller, tenantIdOf(request), slugOf(request, 'targetId'), preconditionOf(request));
  return noContent();
}
