import type { TemporaryAccessPassPolicy, Tenant } from '../directory';
import { json } from '../http';
import { odataContext, requirePermission, type GraphContext } from './context';
import type { Route } from './route';

/**
 * GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass:
 * the tenant's Temporary Access Pass policy. App-only it needs Policy.Read.AuthenticationMethod (or
 * Policy.ReadWrite.AuthenticationMethod): learn.microsoft.com/en-us/graph/api/temporaryaccesspassauthenticationmethodconfiguration-get.
 * Shape: learn.microsoft.com/en-us/graph/api/resources/temporaryaccesspassauthenticationmethodconfiguration.
 */
export const READ_AUTH_METHOD_POLICY = ['Policy.Read.AuthenticationMethod', 'Policy.ReadWrite.AuthenticationMethod'];

export function temporaryAccessPassPolicyView(policy: TemporaryAccessPassPolicy): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration',
    id: 'TemporaryAccessPass',
    state: policy.state,
    defaultLifetimeInMinutes: policy.defaultLifetimeInMinutes,
    defaultLength: policy.defaultLength,
    minimumLifetimeInMinutes: policy.minimumLifetimeInMinutes,
    maximumLifetimeInMinutes: policy.maximumLifetimeInMinutes,
    isUsableOnce: policy.isUsableOnce,
    excludeTargets: policy.excludeTargets.map((t) => ({ id: t.id, targetType: t.targetType })),
    includeTargets: policy.includeTargets.map((t) => ({
      id: t.id,
      targetType: t.targetType,
      isRegistrationRequired: false,
    })),
  };
}

/** Whether the policy applies to the user: an included group (or all_users) and no excluded group. */
export function temporaryAccessPassPolicyCovers(tenant: Tenant, userId: string): boolean {
  const policy = tenant.temporaryAccessPassPolicy;
  const memberOf = (groupId: string): boolean =>
    groupId === 'all_users' ||
    tenant.groups.some((g) => g.id === groupId.toLowerCase() && g.memberIds.includes(userId));
  return (
    policy.state === 'enabled' &&
    policy.includeTargets.some((t) => memberOf(t.id)) &&
    !policy.excludeTargets.some((t) => memberOf(t.id))
  );
}

function getTemporaryAccessPassPolicy(ctx: GraphContext) {
  requirePermission(ctx, READ_AUTH_METHOD_POLICY);
  return json(200, {
    '@odata.context': odataContext('policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity'),
    ...temporaryAccessPassPolicyView(ctx.tenant.temporaryAccessPassPolicy),
  });
}

export const policyRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: ['policies', 'authenticationMethodsPolicy', 'authenticationMethodConfigurations', 'TemporaryAccessPass'],
    handler: getTemporaryAccessPassPolicy,
  },
];
