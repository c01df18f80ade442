import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { createTargetBodySchema, patchTargetBodySchema } from '../../app/config/schemas';
import { createTarget, deleteTarget, getTarget, listTargets, patchTarget } from '../../app/config/targets';
import { readJsonBody } from '../parse';
import { json } from '../respond';
import { asAdmin, etagHeader, noContent, preconditionOf, slugOf, tenantIdOf } from './conditional';

export async function createTargetHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) => {
    const tenantId = tenantIdOf(request);
    const body = await readJsonBody(request, createTargetBodySchema);
    const target = await createTarget(deps, caller, tenantId, body);
    const location = new URL(`/api/tenants/${tenantId}/targets/${target.value.targetId}`, request.url).toString();
    return json(201, target.value, { Location: location, ...etagHeader(target.etag) });
  });
}

export async function listTargetsHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) =>
    json(200, { items: await listTargets(deps, caller, tenantIdOf(request)) }),
  );
}

export async function getTargetHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) => {
    const target = await getTarget(deps, caller, tenantIdOf(request), slugOf(request, 'targetId'));
    return json(200, target.value, etagHeader(target.etag));
  });
}

export async function patchTargetHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) => {
    const tenantId = tenantIdOf(request);
    const targetId = slugOf(request, 'targetId');
    const body = await readJsonBody(request, patchTargetBodySchema);
    const target = await patchTarget(deps, caller, tenantId, targetId, body, preconditionOf(request));
    return json(200, target.value, etagHeader(target.etag));
  });
}

export async function deleteTargetHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) => {
    await deleteTarget(deps, caller, tenantIdOf(request), slugOf(request, 'targetId'), preconditionOf(request));
    return noContent();
  });
}
