import type { Domain } from '../directory';
import { json } from '../http';
import { notFound, odataContext, READ_DOMAINS, requirePermission, type GraphContext } from './context';
import type { Route } from './route';

/** /domains: the tenant's domains with their authentication type (Managed or Federated). */
function domainView(d: Domain): Record<string, unknown> {
  return {
    authenticationType: d.authenticationType,
    availabilityStatus: null,
    id: d.id,
    isAdminManaged: true,
    isDefault: d.isDefault,
    isInitial: d.id.includes('.onmicrosoft.'),
    isRoot: true,
    isVerified: d.isVerified,
    passwordNotificationWindowInDays: 14,
    passwordValidityPeriodInDays: 2147483647,
    supportedServices: d.isVerified ? ['Email', 'OfficeCommunicationsOnline'] : [],
    state: null,
  };
}

function list(ctx: GraphContext) {
  requirePermission(ctx, READ_DOMAINS);
  return json(200, { '@odata.context': odataContext('domains'), value: ctx.tenant.domains.map(domainView) });
}

function getOne(ctx: GraphContext) {
  requirePermission(ctx, READ_DOMAINS);
  const name = (ctx.params.name ?? '').toLowerCase();
  const domain = ctx.tenant.domains.find((d) => d.id.toLowerCase() === name);
  if (domain === undefined) throw notFound(ctx.params.name ?? '');
  return json(200, { '@odata.context': odataContext('domains/$entity'), ...domainView(domain) });
}

export const domainRoutes: readonly Route[] = [
  { method: 'GET', path: ['domains'], handler: list },
  { method: 'GET', path: ['domains', ':name'], handler: getOne },
];
