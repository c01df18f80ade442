import type { HttpResponseInit } from '@azure/functions';
import { checkEntitlement, listEntitlements } from '../../app/config/entitlements';
import { entitlementCheckBodySchema } from '../../app/config/schemas';
import type { AuthenticatedCall } from '../operations/operation';
import { readJsonBody } from '../parse';
import { json } from '../respond';

export async function listEntitlementsHttp({ caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, { items: await listEntitlements(services.deps, caller) });
}

export async function checkEntitlementHttp({
  request,
  caller,
  services,
}: AuthenticatedCall): Promise<HttpResponseInit> {
  const body = await readJsonBody(request, entitlementCheckBodySchema);
  return json(200, await checkEntitlement(services.deps, caller, body));
}
