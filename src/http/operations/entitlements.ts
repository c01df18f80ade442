import { checkEntitlementHttp, listEntitlementsHttp } from '../admin/entitlements';
import { defineOperation, problems, type HttpOperation } from './operation';

export const ENTITLEMENT_OPERATIONS: readonly HttpOperation[] = [
  defineOperation({
    operationId: 'listEntitlements',
    method: 'GET',
    route: 'entitlements',
    tag: 'entitlements',
    summary: "The caller's requestable targets, with their effective policy",
    access: 'caller',
    durableClient: false,
    responses: { '200': { description: 'What the caller may request', schema: 'EntitlementList' }, ...problems(401) },
    handler: listEntitlementsHttp,
  }),
  defineOperation({
    operationId: 'checkEntitlement',
    method: 'POST',
    route: 'entitlements/check',
    tag: 'entitlements',
    summary: 'Would this request be allowed, and under which policy?',
    description:
      '`principal` (checking for someone else) needs Jit.Admin. It is a question: a duration above the effective cap (or below the minimum) is answered `allowed: false` with the bound among the `reasons` (POST /requests refuses it with a 400); only a malformed body is a 400.',
    access: 'caller',
    durableClient: false,
    requestBody: 'EntitlementCheckBody',
    responses: {
      '200': {
        description: 'The evaluation',
        schema: 'EntitlementCheckResult',
      },
      ...problems(400, 401, 403, 404),
    },
    handler: checkEntitlementHttp,
  }),
];
