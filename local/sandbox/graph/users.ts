import { z } from 'zod';
import { directoryRoleObjectId, graphTimestamp, hashSecret, newObjectId, type Group, type User } from '../directory';
import { json, noContent } from '../http';
import { ROLE_DISPLAY_NAMES, ROLE_TEMPLATES } from '../seed';
import {
  asRecord,
  badRequest,
  effectiveRoles,
  getUser,
  GraphError,
  INSUFFICIENT_PRIVILEGES,
  odataContext,
  READ_USERS,
  refuseIfProtected,
  requirePermission,
  visibleUsers,
  WRITE_USERS,
  type GraphContext,
} from './context';
import { groupView } from './groups';
import { paginate, parseFilter, parseSelect, project } from './odata';
import type { Route } from './route';
import { parseSearch } from './search';
import {
  checkMailNickname,
  checkPassword,
  checkUsageLocation,
  checkUserPrincipalName,
  invalidUserProperty,
} from './userRules';
import { defaultUserView, USER_FILTER_PROPERTIES, USER_PROPERTIES, userRow } from './userView';

/** /users: read, list, create, update, delete, revokeSignInSessions, memberOf. */

const USER_SEARCH_PROPERTIES = ['displayName', 'userPrincipalName', 'mail', 'mailNickname', 'givenName', 'surname'];

function selectContext(select: readonly string[] | undefined, suffix: string): string {
  return odataContext(select === undefined ? `users${suffix}` : `users(${select.join(',')})${suffix}`);
}

function viewOf(user: User, select: readonly string[] | undefined): Record<string, unknown> {
  return select === undefined ? defaultUserView(user) : project(userRow(user), select);
}

function getOne(ctx: GraphContext) {
  requirePermission(ctx, READ_USERS);
  const select = parseSelect(ctx.req.query.get('$select'), USER_PROPERTIES, 'user');
  const user = getUser(ctx, ctx.params.id ?? '');
  return json(200, { '@odata.context': selectContext(select, '/$entity'), ...viewOf(user, select) });
}

function list(ctx: GraphContext) {
  requirePermission(ctx, READ_USERS);
  const select = parseSelect(ctx.req.query.get('$select'), USER_PROPERTIES, 'user');
  const predicate = parseFilter(ctx.req.query.get('$filter'), USER_FILTER_PROPERTIES, 'user');
  const search = parseSearch(ctx, USER_SEARCH_PROPERTIES, 'user');
  const matching = visibleUsers(ctx).filter((u) => predicate(userRow(u)) && (search?.(userRow(u)) ?? true));
  const page = paginate(matching, ctx.req.query, `${ctx.store.url}/v1.0/users`);
  const body: Record<string, unknown> = { '@odata.context': selectContext(select, '') };
  if (page.nextLink !== undefined) body['@odata.nextLink'] = page.nextLink;
  body.value = page.items.map((u) => viewOf(u, select));
  return json(200, body);
}

const passwordProfileSchema = z.object({
  password: z.string(),
  forceChangePasswordNextSignIn: z.boolean().optional(),
  forceChangePasswordNextSignInWithMfa: z.boolean().optional(),
});

const createSchema = z.object({
  accountEnabled: z.boolean(),
  displayName: z.string().min(1).max(256),
  mailNickname: z.string(),
  userPrincipalName: z.string(),
  passwordProfile: passwordProfileSchema,
  usageLocation: z.string().nullable().optional(),
  onPremisesImmutableId: z.string().nullable().optional(),
  // Graph's user.employeeId: "The maximum length is 16 characters" (learn.microsoft.com/graph/api/resources/user).
  employeeId: z.string().max(16).nullable().optional(),
});

const updateSchema = z.object({
  accountEnabled: z.boolean().optional(),
  displayName: z.string().min(1).max(256).optional(),
  mailNickname: z.string().optional(),
  userPrincipalName: z.string().optional(),
  passwordProfile: passwordProfileSchema.optional(),
  usageLocation: z.string().nullable().optional(),
});

/** Graph names the first property it cannot accept. */
function parseUserBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (asRecord(body) === undefined) throw badRequest('Empty Payload. JSON content expected.', 'BadRequest');
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const property = String(parsed.error.issues[0]?.path[0] ?? 'user');
  throw invalidUserProperty(property);
}

function assertUniqueUpn(ctx: GraphContext, upn: string, exceptId?: string): void {
  // Uniqueness is checked against every user, including ones not yet replicated to this reader.
  if (ctx.tenant.users.some((u) => u.id !== exceptId && u.userPrincipalName.toLowerCase() === upn.toLowerCase())) {
    throw badRequest(
      'Another object with the same value for property userPrincipalName already exists.',
      'Request_BadRequest',
      [{ target: 'userPrincipalName', code: 'ObjectConflict' }],
    );
  }
}

/**
 * proxyAddresses are unique across the directory's objects, and every user's includes the address
 * its mailNickname makes on the tenant's initial domain: a second user with the same mailNickname
 * is refused as Graph refuses a proxyAddresses conflict (400 Request_BadRequest, an ObjectConflict
 * detail naming proxyAddresses: microsoftgraph/microsoft-graph-docs-contrib#8421; user resource,
 * "mail and proxyAddresses": proxyAddresses are unique across directory objects).
 */
function assertUniqueAddresses(ctx: GraphContext, mailNickname: string): void {
  if (ctx.tenant.users.some((u) => u.mailNickname.toLowerCase() === mailNickname.toLowerCase())) {
    const message = 'Another object with the same value for property proxyAddresses already exists.';
    throw badRequest(message, 'Request_BadRequest', [{ code: 'ObjectConflict', message, target: 'proxyAddresses' }]);
  }
}

function create(ctx: GraphContext) {
  requirePermission(ctx, WRITE_USERS);
  const body = parseUserBody(createSchema, ctx.body);
  checkUserPrincipalName(ctx.tenant, body.userPrincipalName, body.onPremisesImmutableId);
  checkMailNickname(body.mailNickname);
  checkUsageLocation(body.usageLocation);
  assertUniqueUpn(ctx, body.userPrincipalName);
  assertUniqueAddresses(ctx, body.mailNickname);
  checkPassword(body.passwordProfile.password, body.userPrincipalName);
  const now = graphTimestamp(ctx.now);
  const user: User = {
    id: newObjectId(),
    userPrincipalName: body.userPrincipalName,
    displayName: body.displayName,
    mailNickname: body.mailNickname,
    accountEnabled: body.accountEnabled,
    usageLocation: body.usageLocation?.toUpperCase() ?? null,
    onPremisesImmutableId: body.onPremisesImmutableId ?? null,
    employeeId: body.employeeId ?? null,
    passwordHash: hashSecret(body.passwordProfile.password),
    passwordVersion: 1,
    forceChangePasswordNextSignIn: body.passwordProfile.forceChangePasswordNextSignIn ?? true,
    lastPasswordChangeDateTime: now,
    signInSessionsValidFromDateTime: now,
    createdDateTime: now,
    createdAtMs: ctx.now.getTime(),
    protected: false,
    appRoles: [],
  };
  ctx.tenant.users.push(user);
  if (ctx.store.faults.drawLostResponse(ctx.tenant.id)) {
    // The user exists (the state is saved after every call); only the answer never arrives.
    throw new GraphError(504, 'GatewayTimeout', 'The request timed out.');
  }
  return json(
    201,
    { '@odata.context': odataContext('users/$entity'), ...defaultUserView(user) },
    { Location: `${ctx.store.url}/v1.0/users/${user.id}` },
  );
}

/**
 * What an app (app-only token) may change on a user, beyond User.ReadWrite.All
 * (learn.microsoft.com/en-us/graph/api/user-update, passwordProfile and the note on sensitive
 * properties; learn.microsoft.com/en-us/graph/api/resources/users#who-can-perform-sensitive-actions):
 * - passwordProfile of anyone: the app needs at least User Administrator;
 * - passwordProfile or accountEnabled of a user holding an admin role: a higher role, Privileged
 *   Authentication Administrator (or Global Administrator). The sandbox counts any directory role as
 *   an admin role, the strictest reading.
 */
const RESET_NON_ADMINS = new Set<string>([
  ROLE_TEMPLATES.userAdministrator,
  ROLE_TEMPLATES.privilegedAuthenticationAdministrator,
  ROLE_TEMPLATES.globalAdministrator,
]);
const CHANGE_ANY_ADMIN = new Set<string>([
  ROLE_TEMPLATES.privilegedAuthenticationAdministrator,
  ROLE_TEMPLATES.globalAdministrator,
]);

function refuseSensitiveChange(ctx: GraphContext, user: User, body: z.infer<typeof updateSchema>): void {
  if (body.passwordProfile === undefined && body.accountEnabled === undefined) return;
  const callerRoles = effectiveRoles(ctx.tenant, ctx.caller.servicePrincipalId);
  const holdsAny = (roles: ReadonlySet<string>): boolean => [...roles].some((r) => callerRoles.has(r));
  const targetIsAdmin = effectiveRoles(ctx.tenant, user.id).size > 0;
  if (body.passwordProfile !== undefined && !holdsAny(targetIsAdmin ? CHANGE_ANY_ADMIN : RESET_NON_ADMINS)) {
    throw new GraphError(403, 'Authorization_RequestDenied', INSUFFICIENT_PRIVILEGES);
  }
  if (body.accountEnabled !== undefined && targetIsAdmin && !holdsAny(CHANGE_ANY_ADMIN)) {
    throw new GraphError(403, 'Authorization_RequestDenied', INSUFFICIENT_PRIVILEGES);
  }
}

function update(ctx: GraphContext) {
  const user = getUser(ctx, ctx.params.id ?? '');
  refuseIfProtected(ctx, user.id);
  requirePermission(ctx, WRITE_USERS);
  const body = parseUserBody(updateSchema, ctx.body);
  if (
    body.userPrincipalName !== undefined &&
    body.userPrincipalName.toLowerCase() !== user.userPrincipalName.toLowerCase()
  ) {
    checkUserPrincipalName(ctx.tenant, body.userPrincipalName, user.onPremisesImmutableId);
    assertUniqueUpn(ctx, body.userPrincipalName, user.id);
  }
  if (body.mailNickname !== undefined) checkMailNickname(body.mailNickname);
  checkUsageLocation(body.usageLocation);
  refuseSensitiveChange(ctx, user, body);
  if (body.passwordProfile !== undefined)
    checkPassword(body.passwordProfile.password, body.userPrincipalName ?? user.userPrincipalName);
  if (body.accountEnabled !== undefined) user.accountEnabled = body.accountEnabled;
  if (body.displayName !== undefined) user.displayName = body.displayName;
  if (body.mailNickname !== undefined) user.mailNickname = body.mailNickname;
  if (body.userPrincipalName !== undefined) user.userPrincipalName = body.userPrincipalName;
  if (body.usageLocation !== undefined) user.usageLocation = body.usageLocation?.toUpperCase() ?? null;
  if (body.passwordProfile !== undefined) {
    user.passwordHash = hashSecret(body.passwordProfile.password);
    user.passwordVersion += 1;
    user.lastPasswordChangeDateTime = graphTimestamp(ctx.now);
    user.forceChangePasswordNextSignIn = body.passwordProfile.forceChangePasswordNextSignIn ?? true;
  }
  return noContent();
}

function remove(ctx: GraphContext) {
  const user = getUser(ctx, ctx.params.id ?? '');
  refuseIfProtected(ctx, user.id);
  requirePermission(ctx, WRITE_USERS);
  const t = ctx.tenant;
  t.users = t.users.filter((u) => u.id !== user.id);
  for (const g of t.groups) g.memberIds = g.memberIds.filter((m) => m !== user.id);
  t.roleAssignments = t.roleAssignments.filter((a) => a.principalId !== user.id);
  t.temporaryAccessPasses = t.temporaryAccessPasses.filter((p) => p.userId !== user.id);
  return noContent();
}

function revokeSignInSessions(ctx: GraphContext) {
  const user = getUser(ctx, ctx.params.id ?? '');
  refuseIfProtected(ctx, user.id);
  requirePermission(ctx, [...WRITE_USERS, 'User.RevokeSessions.All']);
  user.signInSessionsValidFromDateTime = graphTimestamp(ctx.now);
  return json(200, { '@odata.context': odataContext('Edm.Boolean'), value: true });
}

/**
 * memberOf and transitiveMemberOf: groups and directory roles. For another user, app-only, Graph
 * wants Directory.Read.All (learn.microsoft.com/en-us/graph/api/user-list-memberof,
 * learn.microsoft.com/en-us/graph/api/user-list-transitivememberof): User.Read.All and
 * GroupMember.Read.All are not enough. transitiveMemberOf follows nested groups, and roles held
 * through role-assignable groups.
 */
const READ_MEMBERSHIPS = ['Directory.Read.All', 'Directory.ReadWrite.All'];

function groupsContaining(tenant: GraphContext['tenant'], memberId: string, transitive: boolean): Group[] {
  const found = new Map<string, Group>();
  let frontier = [memberId];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const g of tenant.groups) {
      if (found.has(g.id) || !frontier.some((id) => g.memberIds.includes(id))) continue;
      found.set(g.id, g);
      next.push(g.id);
    }
    frontier = transitive ? next : [];
  }
  return [...found.values()];
}

function memberOf(ctx: GraphContext, segment: 'memberOf' | 'transitiveMemberOf') {
  requirePermission(ctx, READ_MEMBERSHIPS);
  const user = getUser(ctx, ctx.params.id ?? '');
  const memberGroups = groupsContaining(ctx.tenant, user.id, segment === 'transitiveMemberOf');
  const groups = memberGroups.map((g) => ({ '@odata.type': '#microsoft.graph.group', ...groupView(g) }));
  const holders = new Set([
    user.id,
    ...(segment === 'transitiveMemberOf' ? memberGroups.filter((g) => g.isAssignableToRole).map((g) => g.id) : []),
  ]);
  const roleIds = new Set(
    ctx.tenant.roleAssignments
      .filter((a) => holders.has(a.principalId) && a.directoryScopeId === '/')
      .map((a) => a.roleDefinitionId),
  );
  const roles = [...roleIds].map((roleDefinitionId) => ({
    '@odata.type': '#microsoft.graph.directoryRole',
    id: directoryRoleObjectId(ctx.tenant.id, roleDefinitionId),
    deletedDateTime: null,
    description: ROLE_DISPLAY_NAMES[roleDefinitionId] ?? 'Custom role',
    displayName: ROLE_DISPLAY_NAMES[roleDefinitionId] ?? 'Custom role',
    roleTemplateId: roleDefinitionId,
  }));
  const page = paginate([...groups, ...roles], ctx.req.query, `${ctx.store.url}/v1.0/users/${user.id}/${segment}`);
  const body: Record<string, unknown> = { '@odata.context': odataContext('directoryObjects') };
  if (page.nextLink !== undefined) body['@odata.nextLink'] = page.nextLink;
  body.value = page.items;
  return json(200, body);
}

export const userRoutes: readonly Route[] = [
  { method: 'GET', path: ['users'], handler: list },
  { method: 'POST', path: ['users'], handler: create },
  { method: 'GET', path: ['users', ':id'], handler: getOne },
  { method: 'PATCH', path: ['users', ':id'], handler: update },
  { method: 'DELETE', path: ['users', ':id'], handler: remove },
  { method: 'POST', path: ['users', ':id', 'revokeSignInSessions'], handler: revokeSignInSessions },
  { method: 'GET', path: ['users', ':id', 'memberOf'], handler: (ctx) => memberOf(ctx, 'memberOf') },
  {
    method: 'GET',
    path: ['users', ':id', 'transitiveMemberOf'],
    handler: (ctx) => memberOf(ctx, 'transitiveMemberOf'),
  },
];
