import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { checkEntitlement, listEntitlements } from '../../app/config/entitlements';
import { entitlementCheckBodySchema } from '../../app/config/schemas';
import { authenticated } from '../endpoint';
import { readJsonBody } from '../parse';
import { json } from '../respond';

export async function listEntitlementsHttp(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return authenticated(request, context, async (caller, { deps }) =>
    json(200, { items: await listEntitlements(deps, caller) }),
  );
}

export async function checkEntitlementHttp(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return authenticated(request, context, async (caller, { deps }) => {
    const body = await readJsonBody(request, entitlementCheckBodySchema);
    return json(200, await checkEntitlement(deps, caller, body));
  });
}
