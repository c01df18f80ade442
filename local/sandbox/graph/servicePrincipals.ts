import { createHash } from 'node:crypto';
import type { App } from '../directory';
import { json } from '../http';
import { APP_ROLES, HOME_TENANT_ID, SERVICE_APP } from '../seed';
import { notFound, odataContext, READ_APPS, requirePermission, type GraphContext } from './context';
import { paginate, parseFilter, type EntityProperties } from './odata';
import type { Route } from './route';

/**
 * /servicePrincipals: the service's own principal in each tenant, found by appId (list filter or
 * the `servicePrincipals(appId='…')` alternate key), so the product can check its directory roles.
 */
function stableGuid(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function appRoles(app: App): Record<string, unknown>[] {
  if (app.clientId !== SERVICE_APP.clientId) return [];
  return Object.values(APP_ROLES).map((value) => ({
    allowedMemberTypes: ['User'],
    description: value,
    displayName: value,
    id: stableGuid(`${app.clientId}/${value}`),
    isEnabled: true,
    origin: 'Application',
    value,
  }));
}

function view(app: App): Record<string, unknown> {
  return {
    id: app.servicePrincipalId,
    accountEnabled: true,
    appDisplayName: app.displayName,
    appId: app.clientId,
    appOwnerOrganizationId: HOME_TENANT_ID,
    displayName: app.displayName,
    servicePrincipalType: 'Application',
    appRoles: appRoles(app),
  };
}

const FILTER: EntityProperties = {
  id: 'string',
  appId: 'string',
  displayName: 'string',
  servicePrincipalType: 'string',
  accountEnabled: 'boolean',
};

function list(ctx: GraphContext) {
  requirePermission(ctx, READ_APPS);
  const predicate = parseFilter(ctx.req.query.get('$filter'), FILTER, 'servicePrincipal');
  const page = paginate(
    ctx.tenant.apps.map(view).filter(predicate),
    ctx.req.query,
    `${ctx.store.url}/v1.0/servicePrincipals`,
  );
  const body: Record<string, unknown> = { '@odata.context': odataContext('servicePrincipals') };
  if (page.nextLink !== undefined) body['@odata.nextLink'] = page.nextLink;
  body.value = page.items;
  return json(200, body);
}

function getOne(ctx: GraphContext, match: (app: App) => boolean, key: string) {
  requirePermission(ctx, READ_APPS);
  const app = ctx.tenant.apps.find(match);
  if (app === undefined) throw notFound(key);
  return json(200, { '@odata.context': odataContext('servicePrincipals/$entity'), ...view(app) });
}

/**
 * `GET /servicePrincipals/{id}/appRoleAssignedTo`: the users (and groups) granted the app's roles
 * (https://learn.microsoft.com/graph/api/serviceprincipal-list-approleassignedto; Application.Read.All
 * or Directory.Read.All). The sandbox's users hold app roles by value; their assignments are derived.
 */
function appRoleAssignedTo(ctx: GraphContext) {
  requirePermission(ctx, READ_APPS);
  const key = (ctx.params.id ?? '').toLowerCase();
  const app = ctx.tenant.apps.find((a) => a.servicePrincipalId === key);
  if (app === undefined) throw notFound(ctx.params.id ?? '');
  const roles = appRoles(app);
  const assignments = ctx.tenant.users.flatMap((user) =>
    roles
      .filter((role) => user.appRoles.includes(String(role.value)))
      .map((role) => ({
        id: stableGuid(`${user.id}/${String(role.id)}`),
        deletedDateTime: null,
        appRoleId: role.id,
        createdDateTime: user.createdDateTime,
        principalDisplayName: user.displayName,
        principalId: user.id,
        principalType: 'User',
        resourceDisplayName: app.displayName,
        resourceId: app.servicePrincipalId,
      })),
  );
  const page = paginate(
    assignments,
    ctx.req.query,
    `${ctx.store.url}/v1.0/servicePrincipals/${app.servicePrincipalId}/appRoleAssignedTo`,
  );
  const body: Record<string, unknown> = {
    '@odata.context': odataContext(`servicePrincipals('${app.servicePrincipalId}')/appRoleAssignedTo`),
  };
  if (page.nextLink !== undefined) body['@odata.nextLink'] = page.nextLink;
  body.value = page.items;
  return json(200, body);
}

export const servicePrincipalRoutes: readonly Route[] = [
  { method: 'GET', path: ['servicePrincipals', ':id', 'appRoleAssignedTo'], handler: appRoleAssignedTo },
  { method: 'GET', path: ['servicePrincipals'], handler: list },
  {
    method: 'GET',
    path: [{ re: /^servicePrincipals\(appId='([^']*)'\)$/, name: 'appId' }],
    handler: (ctx) => getOne(ctx, (a) => a.clientId === (ctx.params.appId ?? '').toLowerCase(), ctx.params.appId ?? ''),
  },
  {
    method: 'GET',
    path: ['servicePrincipals', ':id'],
    handler: (ctx) =>
      getOne(ctx, (a) => a.servicePrincipalId === (ctx.params.id ?? '').toLowerCase(), ctx.params.id ?? ''),
  },
];
