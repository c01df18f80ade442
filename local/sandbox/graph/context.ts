import type { Group, Tenant, User } from '../directory';
import type { SandboxRequest } from '../http';
import type { SandboxStore } from '../store';

/** An error as Graph reports it; the router renders `{ error: { code, message, innerError } }`. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: readonly Record<string, string>[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface GraphCaller {
  readonly appId: string;
  readonly servicePrincipalId: string;
  /** Graph application permissions from the token's `roles`. */
  readonly roles: ReadonlySet<string>;
}

/** What a Graph handler gets: the caller's tenant, its permissions and the request. */
export interface GraphContext {
  readonly store: SandboxStore;
  readonly tenant: Tenant;
  readonly caller: GraphCaller;
  readonly req: SandboxRequest;
  readonly body: unknown;
  readonly params: Readonly<Record<string, string>>;
  readonly now: Date;
  /** Replication lag in force: users younger than this are not visible yet. */
  readonly replicationLagMs: number;
}

export const INSUFFICIENT_PRIVILEGES = 'Insufficient privileges to complete the operation.';

export function requirePermission(ctx: GraphContext, anyOf: readonly string[]): void {
  if (!anyOf.some((p) => ctx.caller.roles.has(p)))
    throw new GraphError(403, 'Authorization_RequestDenied', INSUFFICIENT_PRIVILEGES);
}

export const READ_USERS = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
export const WRITE_USERS = ['User.ReadWrite.All', 'Directory.ReadWrite.All'];
export const READ_ROLES = [
  'RoleManagement.Read.Directory',
  'RoleManagement.Read.All',
  'RoleManagement.ReadWrite.Directory',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
export const WRITE_ROLES = ['RoleManagement.ReadWrite.Directory'];
export const READ_GROUPS = [
  'Group.Read.All',
  'Group.ReadWrite.All',
  'GroupMember.Read.All',
  'GroupMember.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
export const WRITE_GROUP_MEMBERS = ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'];
export const READ_DOMAINS = [
  'Domain.Read.All',
  'Domain.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
export const READ_APPS = [
  'Application.Read.All',
  'Application.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
export const READ_AUTH_METHODS = ['UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'];
export const WRITE_AUTH_METHODS = ['UserAuthenticationMethod.ReadWrite.All'];

export function notFound(key: string): GraphError {
  return new GraphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

export function badRequest(
  message: string,
  code = 'Request_BadRequest',
  details?: readonly Record<string, string>[],
): GraphError {
  return new GraphError(400, code, message, details);
}

/** Users visible to this request: replication lag hides the newest ones. */
export function isVisible(ctx: GraphContext, user: User): boolean {
  return ctx.replicationLagMs <= 0 || ctx.now.getTime() - user.createdAtMs >= ctx.replicationLagMs;
}

export function visibleUsers(ctx: GraphContext): User[] {
  return ctx.tenant.users.filter((u) => isVisible(ctx, u));
}

/** A user by object id or userPrincipalName (case-insensitive), as `/users/{id|upn}` resolves it. */
export function findUser(ctx: GraphContext, key: string): User | undefined {
  const k = key.toLowerCase();
  return visibleUsers(ctx).find((u) => u.id === k || u.userPrincipalName.toLowerCase() === k);
}

export function getUser(ctx: GraphContext, key: string): User {
  const user = findUser(ctx, key);
  if (user === undefined) throw notFound(key);
  return user;
}

export function getGroup(ctx: GraphContext, id: string): Group {
  const group = ctx.tenant.groups.find((g) => g.id === id.toLowerCase());
  if (group === undefined) throw notFound(id);
  return group;
}

export type DirectoryObjectKind = 'user' | 'group' | 'servicePrincipal';

export function directoryObjectKind(ctx: GraphContext, id: string): DirectoryObjectKind | undefined {
  const k = id.toLowerCase();
  if (visibleUsers(ctx).some((u) => u.id === k)) return 'user';
  if (ctx.tenant.groups.some((g) => g.id === k)) return 'group';
  if (ctx.tenant.apps.some((a) => a.servicePrincipalId === k)) return 'servicePrincipal';
  return undefined;
}

/**
 * The break-glass accounts: every write addressed to one is refused and counted, so tests can
 * prove the service never tried.
 */
export function refuseIfProtected(ctx: GraphContext, userId: string): void {
  const user = ctx.tenant.users.find((u) => u.id === userId.toLowerCase());
  if (user?.protected !== true) return;
  ctx.tenant.protectedWriteAttempts += 1;
  throw new GraphError(
    403,
    'Authorization_RequestDenied',
    `${INSUFFICIENT_PRIVILEGES} The target account '${user.userPrincipalName}' is a protected emergency-access account and cannot be modified.`,
  );
}

/** Directory roles (template ids) a principal holds, directly or through role-assignable groups. */
export function effectiveRoles(tenant: Tenant, principalId: string): Set<string> {
  const principals = new Set([principalId]);
  for (const g of tenant.groups) if (g.isAssignableToRole && g.memberIds.includes(principalId)) principals.add(g.id);
  return new Set(tenant.roleAssignments.filter((a) => principals.has(a.principalId)).map((a) => a.roleDefinitionId));
}

export function odataContext(fragment: string): string {
  return `https://graph.microsoft.com/v1.0/$metadata#${fragment}`;
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
