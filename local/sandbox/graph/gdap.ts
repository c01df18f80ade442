import type { GdapAccessAssignment, GdapRelationship } from '../directory';
import { json } from '../http';
import { GraphError, notFound, odataContext, requirePermission, type GraphContext } from './context';
import { paginate } from './odata';
import type { Route } from './route';

/**
 * Microsoft Graph's GDAP reads for a partner tenant (`/tenantRelationships/...`), strict as Graph:
 * - permission DelegatedAdminRelationship.Read.All (or ReadWrite.All), else 403
 *   (learn.microsoft.com/graph/api/tenantrelationship-list-delegatedadminrelationships, "Permissions");
 * - `$top` at most 300 on the lists, further pages through `@odata.nextLink`
 *   (same page, "Optional query parameters": "$top supports up to 300 objects");
 * - a delegatedAdminCustomer exists while at least one relationship with the customer is active
 *   (learn.microsoft.com/graph/api/resources/delegatedadmincustomer: "automatically created by the
 *   system when at least one delegated admin relationship exists … deleted when no more active
 *   relationships exist"); its id is the customer's tenant id;
 * - an unknown relationship or customer id is a 404.
 * Only the home tenant (the MSP, a partner) has relationships; any other tenant lists none.
 */
const GDAP_READ = ['DelegatedAdminRelationship.Read.All', 'DelegatedAdminRelationship.ReadWrite.All'];
const MAX_TOP = 300;

function relationshipsOf(ctx: GraphContext): GdapRelationship[] {
  return ctx.tenant.delegatedAdminRelationships;
}

function etagOf(id: string, status: string): string {
  return `W/"${Buffer.from(`${id}:${status}`).toString('base64url').slice(-24)}"`;
}

function relationshipView(r: GdapRelationship): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.delegatedAdminRelationship',
    '@odata.etag': etagOf(r.id, r.status),
    id: r.id,
    displayName: r.displayName,
    duration: r.duration,
    status: r.status,
    autoExtendDuration: r.autoExtendDuration,
    createdDateTime: r.createdDateTime,
    lastModifiedDateTime: r.activatedDateTime ?? r.createdDateTime,
    activatedDateTime: r.activatedDateTime,
    endDateTime: r.endDateTime,
    customer: { displayName: r.customer.displayName, tenantId: r.customer.tenantId },
    accessDetails: { unifiedRoles: r.roleDefinitionIds.map((roleDefinitionId) => ({ roleDefinitionId })) },
  };
}

function accessAssignmentView(a: GdapAccessAssignment): Record<string, unknown> {
  return {
    '@odata.etag': etagOf(a.id, a.status),
    id: a.id,
    status: a.status,
    createdDateTime: a.createdDateTime,
    lastModifiedDateTime: a.createdDateTime,
    accessContainer: { accessContainerId: a.groupId, accessContainerType: 'securityGroup' },
    accessDetails: { unifiedRoles: a.roleDefinitionIds.map((roleDefinitionId) => ({ roleDefinitionId })) },
  };
}

/** Customers with at least one active relationship, one entry each (the first relationship's name for it). */
function customersOf(ctx: GraphContext): { id: string; tenantId: string; displayName: string }[] {
  const byTenant = new Map<string, { id: string; tenantId: string; displayName: string }>();
  for (const r of relationshipsOf(ctx)) {
    if (r.status !== 'active' || byTenant.has(r.customer.tenantId)) continue;
    byTenant.set(r.customer.tenantId, {
      id: r.customer.tenantId,
      tenantId: r.customer.tenantId,
      displayName: r.customer.displayName,
    });
  }
  return [...byTenant.values()];
}

function pageOf<T>(ctx: GraphContext, items: readonly T[], path: string, context: string, view: (t: T) => unknown) {
  const top = ctx.req.query.get('$top');
  if (top !== null && /^\d+$/.test(top) && Number(top) > MAX_TOP)
    throw new GraphError(400, 'BadRequest', `The value of $top must be at most ${MAX_TOP}.`);
  const page = paginate(items, ctx.req.query, `${ctx.store.url}/v1.0/${path}`);
  const body: Record<string, unknown> = { '@odata.context': odataContext(context) };
  if (page.nextLink !== undefined) body['@odata.nextLink'] = page.nextLink;
  body.value = page.items.map(view);
  return json(200, body);
}

function listCustomers(ctx: GraphContext) {
  requirePermission(ctx, GDAP_READ);
  return pageOf(
    ctx,
    customersOf(ctx),
    'tenantRelationships/delegatedAdminCustomers',
    'tenantRelationships/delegatedAdminCustomers',
    (c) => ({ '@odata.etag': etagOf(c.id, 'customer'), ...c }),
  );
}

function customer(ctx: GraphContext) {
  const id = (ctx.params.customerId ?? '').toLowerCase();
  const found = customersOf(ctx).find((c) => c.id === id);
  if (found === undefined) throw notFound(ctx.params.customerId ?? '');
  return found;
}

function getCustomer(ctx: GraphContext) {
  requirePermission(ctx, GDAP_READ);
  return json(200, {
    '@odata.context': odataContext('tenantRelationships/delegatedAdminCustomers/$entity'),
    '@odata.etag': etagOf(customer(ctx).id, 'customer'),
    ...customer(ctx),
  });
}

/** Where each service of the customer is managed; the sandbox knows the Entra admin center only. */
function listServiceManagementDetails(ctx: GraphContext) {
  requirePermission(ctx, GDAP_READ);
  const found = customer(ctx);
  return json(200, {
    '@odata.context': odataContext(
      `tenantRelationships/delegatedAdminCustomers('${found.id}')/serviceManagementDetails`,
    ),
    value: [
      {
        id: 'MicrosoftEntra',
        serviceId: 'MicrosoftEntra',
        serviceName: 'Microsoft Entra',
        serviceManagementUrl: `https://entra.microsoft.com/${found.tenantId}`,
      },
    ],
  });
}

function listRelationships(ctx: GraphContext) {
  requirePermission(ctx, GDAP_READ);
  return pageOf(
    ctx,
    relationshipsOf(ctx),
    'tenantRelationships/delegatedAdminRelationships',
    'tenantRelationships/delegatedAdminRelationships',
    relationshipView,
  );
}

function relationship(ctx: GraphContext): GdapRelationship {
  const id = ctx.params.relationshipId ?? '';
  const found = relationshipsOf(ctx).find((r) => r.id.toLowerCase() === id.toLowerCase());
  if (found === undefined) throw notFound(id);
  return found;
}

function getRelationship(ctx: GraphContext) {
  requirePermission(ctx, GDAP_READ);
  return json(200, {
    '@odata.context': odataContext('tenantRelationships/delegatedAdminRelationships/$entity'),
    ...relationshipView(relationship(ctx)),
  });
}

function listAccessAssignments(ctx: GraphContext) {
  requirePermission(ctx, GDAP_READ);
  const found = relationship(ctx);
  const path = `tenantRelationships/delegatedAdminRelationships/${found.id}/accessAssignments`;
  return pageOf(ctx, found.accessAssignments, path, path, accessAssignmentView);
}

export const gdapRoutes: readonly Route[] = [
  { method: 'GET', path: ['tenantRelationships', 'delegatedAdminCustomers'], handler: listCustomers },
  { method: 'GET', path: ['tenantRelationships', 'delegatedAdminCustomers', ':customerId'], handler: getCustomer },
  {
    method: 'GET',
    path: ['tenantRelationships', 'delegatedAdminCustomers', ':customerId', 'serviceManagementDetails'],
    handler: listServiceManagementDetails,
  },
  { method: 'GET', path: ['tenantRelationships', 'delegatedAdminRelationships'], handler: listRelationships },
  {
    method: 'GET',
    path: ['tenantRelationships', 'delegatedAdminRelationships', ':relationshipId'],
    handler: getRelationship,
  },
  {
    method: 'GET',
    path: ['tenantRelationships', 'delegatedAdminRelationships', ':relationshipId', 'accessAssignments'],
    handler: listAccessAssignments,
  },
];
