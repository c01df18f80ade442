import type { Group } from '../directory';
import { json, noContent } from '../http';
import {
  asRecord,
  badRequest,
  directoryObjectKind,
  getGroup,
  odataContext,
  READ_GROUPS,
  refuseIfProtected,
  requirePermission,
  visibleUsers,
  WRITE_GROUP_MEMBERS,
  WRITE_ROLES,
  notFound,
  type GraphContext,
} from './context';
import { paginate, parseFilter, parseSelect, project, type EntityProperties } from './odata';
import type { Route } from './route';
import { parseSearch } from './search';
import { defaultUserView } from './userView';

/**
 * /groups/{id}, its members, and member add/remove through `$ref`. Answers as Graph gives them: a
 * malformed `@odata.id` is 400 BadRequest "Invalid URL format specified in @odata.bind for members"
 * (microsoft-graph-docs-contrib#4794), removing a non-member is a 404 Request_ResourceNotFound that
 * names the group (microsoft-graph-docs-contrib#4847), a second add is the "already exist" 400.
 */

export function groupView(group: Group): Record<string, unknown> {
  return {
    id: group.id,
    deletedDateTime: null,
    description: null,
    displayName: group.displayName,
    groupTypes: [...group.groupTypes],
    isAssignableToRole: group.isAssignableToRole,
    mailEnabled: group.mailEnabled,
    mailNickname: group.displayName.replace(/[^A-Za-z0-9]/g, '').toLowerCase(),
    membershipRule: group.groupTypes.includes('DynamicMembership') ? '(user.accountEnabled -eq true)' : null,
    onPremisesSyncEnabled: group.onPremisesSyncEnabled,
    securityEnabled: !group.groupTypes.includes('Unified'),
    visibility: group.isAssignableToRole ? 'Private' : null,
  };
}

/**
 * Groups whose members Graph does not manage (learn.microsoft.com/en-us/graph/api/group-post-members:
 * "mail-enabled security groups and distribution groups" are managed in Exchange; dynamic groups take
 * their members from the rule; on-premises synced groups are mastered in AD). Messages: the
 * directory's answers for synced objects and mail-enabled groups as reported in
 * microsoftgraph/msgraph-sdk-powershell and MicrosoftDocs/azure-docs issues; the dynamic-group text
 * is the sandbox's own (unverified).
 */
function refuseUnmanagedMembers(group: Group): void {
  if (group.onPremisesSyncEnabled === true) {
    throw badRequest(
      'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.',
    );
  }
  if (group.groupTypes.includes('DynamicMembership')) {
    throw badRequest(
      'Insufficient privileges to complete the operation. The group has dynamic membership: its members come from its membership rule.',
    );
  }
  if (group.mailEnabled && !group.groupTypes.includes('Unified')) {
    throw badRequest('Cannot Update a mail-enabled security groups and or distribution list.');
  }
}

/** The properties of groupView: what `$select` may name. */
const GROUP_PROPERTIES = [
  'id',
  'deletedDateTime',
  'description',
  'displayName',
  'groupTypes',
  'isAssignableToRole',
  'mailEnabled',
  'mailNickname',
  'membershipRule',
  'onPremisesSyncEnabled',
  'securityEnabled',
  'visibility',
];
const GROUP_FILTER_PROPERTIES: EntityProperties = {
  id: 'string',
  displayName: 'string',
  mailNickname: 'string',
  mailEnabled: 'boolean',
  securityEnabled: 'boolean',
  isAssignableToRole: 'boolean',
  onPremisesSyncEnabled: 'boolean',
};
const GROUP_SEARCH_PROPERTIES = ['displayName', 'description', 'mailNickname'];

/** GET /groups: `$filter`, `$search` (with ConsistencyLevel: eventual), `$select`, `$top` paging. */
function list(ctx: GraphContext) {
  requirePermission(ctx, READ_GROUPS);
  const select = parseSelect(ctx.req.query.get('$select'), GROUP_PROPERTIES, 'group');
  const predicate = parseFilter(ctx.req.query.get('$filter'), GROUP_FILTER_PROPERTIES, 'group');
  const search = parseSearch(ctx, GROUP_SEARCH_PROPERTIES, 'group');
  const rows = ctx.tenant.groups.map(groupView).filter((g) => predicate(g) && (search?.(g) ?? true));
  const page = paginate(rows, ctx.req.query, `${ctx.store.url}/v1.0/groups`);
  const body: Record<string, unknown> = {
    '@odata.context': odataContext(select === undefined ? 'groups' : `groups(${select.join(',')})`),
  };
  if (page.nextLink !== undefined) body['@odata.nextLink'] = page.nextLink;
  body.value = page.items.map((g) => project(g, select));
  return json(200, body);
}

function getOne(ctx: GraphContext) {
  requirePermission(ctx, READ_GROUPS);
  const group = getGroup(ctx, ctx.params.id ?? '');
  return json(200, { '@odata.context': odataContext('groups/$entity'), ...groupView(group) });
}

function members(ctx: GraphContext) {
  requirePermission(ctx, READ_GROUPS);
  const group = getGroup(ctx, ctx.params.id ?? '');
  const users = visibleUsers(ctx);
  const objects = group.memberIds.flatMap((id): Record<string, unknown>[] => {
    const user = users.find((u) => u.id === id);
    if (user !== undefined) return [{ '@odata.type': '#microsoft.graph.user', ...defaultUserView(user) }];
    const nested = ctx.tenant.groups.find((g) => g.id === id);
    if (nested !== undefined) return [{ '@odata.type': '#microsoft.graph.group', ...groupView(nested) }];
    const app = ctx.tenant.apps.find((a) => a.servicePrincipalId === id);
    if (app !== undefined)
      return [
        { '@odata.type': '#microsoft.graph.servicePrincipal', id, appId: app.clientId, displayName: app.displayName },
      ];
    return [];
  });
  const page = paginate(objects, ctx.req.query, `${ctx.store.url}/v1.0/groups/${group.id}/members`);
  const body: Record<string, unknown> = { '@odata.context': odataContext('directoryObjects') };
  if (page.nextLink !== undefined) body['@odata.nextLink'] = page.nextLink;
  body.value = page.items;
  return json(200, body);
}

const REFERENCE =
  /\/(?:directoryObjects|users|groups|servicePrincipals)\/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

function requireMemberWrite(ctx: GraphContext, group: Group): void {
  requirePermission(ctx, WRITE_GROUP_MEMBERS);
  // Membership of a role-assignable group is a role grant: Graph also wants RoleManagement.ReadWrite.Directory.
  if (group.isAssignableToRole) requirePermission(ctx, WRITE_ROLES);
}

function addMember(ctx: GraphContext) {
  const group = getGroup(ctx, ctx.params.id ?? '');
  const ref = asRecord(ctx.body)?.['@odata.id'];
  const memberId = typeof ref === 'string' ? REFERENCE.exec(ref)?.[1]?.toLowerCase() : undefined;
  if (memberId === undefined) throw badRequest('Invalid URL format specified in @odata.bind for members', 'BadRequest');
  refuseIfProtected(ctx, memberId);
  requireMemberWrite(ctx, group);
  refuseUnmanagedMembers(group);
  const kind = directoryObjectKind(ctx, memberId);
  if (kind === undefined) throw notFound(memberId);
  if (kind === 'group' && group.isAssignableToRole) {
    throw badRequest('Nesting is currently not supported for groups that can be assigned to a role.');
  }
  if (group.memberIds.includes(memberId)) {
    throw badRequest(
      "One or more added object references already exist for the following modified properties: 'members'.",
    );
  }
  group.memberIds.push(memberId);
  return noContent();
}

function removeMember(ctx: GraphContext) {
  const group = getGroup(ctx, ctx.params.id ?? '');
  const memberId = (ctx.params.memberId ?? '').toLowerCase();
  refuseIfProtected(ctx, memberId);
  requireMemberWrite(ctx, group);
  refuseUnmanagedMembers(group);
  if (!group.memberIds.includes(memberId)) throw notFound(group.id);
  group.memberIds = group.memberIds.filter((m) => m !== memberId);
  return noContent();
}

export const groupRoutes: readonly Route[] = [
  { method: 'GET', path: ['groups'], handler: list },
  { method: 'GET', path: ['groups', ':id'], handler: getOne },
  { method: 'GET', path: ['groups', ':id', 'members'], handler: members },
  { method: 'POST', path: ['groups', ':id', 'members', '$ref'], handler: addMember },
  { method: 'DELETE', path: ['groups', ':id', 'members', ':memberId', '$ref'], handler: removeMember },
];
