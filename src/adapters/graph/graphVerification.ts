import type { GraphError } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import type {
  DirectoryGroup,
  DirectoryRoleDefinition,
  DirectoryServicePrincipal,
  DirectorySignIn,
  DirectoryUser,
} from '../../app/ports';
import { DependencyError, TransientDependencyError, ValidationError } from '../../domain/errors';
import { aadstsCode, GRAPH_SCOPE, type GraphApi } from './graphApi';
import { objectIdSegment } from './graphInput';

/**
 * What onboarding reads to tell an admin whether a tenant is connected properly: an explicit
 * sign-in (so a wrong client secret is reported as such, not as a failed Graph call), role
 * definitions, a group, the app's service principal and a first page of users.
 */
const roleDefinitionSchema = z.object({
  id: z.string(),
  templateId: z.string().nullish(),
  displayName: z.string(),
  description: z.string().nullish(),
  isBuiltIn: z.boolean().nullish(),
  isEnabled: z.boolean().nullish(),
});
export const groupSchema = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  isAssignableToRole: z.boolean().nullish(),
  securityEnabled: z.boolean().nullish(),
  mailEnabled: z.boolean().nullish(),
  groupTypes: z.array(z.string()).nullish(),
  onPremisesSyncEnabled: z.boolean().nullish(),
});
const servicePrincipalSchema = z.object({ id: z.string(), appId: z.string(), displayName: z.string().nullish() });
const userSchema = z.object({
  id: z.string(),
  userPrincipalName: z.string(),
  accountEnabled: z.boolean().nullish(),
  signInSessionsValidFromDateTime: z.string().nullish(),
  lastPasswordChangeDateTime: z.string().nullish(),
});

/** onPremisesSyncEnabled is not a default property: it must be selected. */
export const GROUP_SELECT =
  'id,displayName,isAssignableToRole,securityEnabled,mailEnabled,groupTypes,onPremisesSyncEnabled';

export function directoryGroupOf(group: z.output<typeof groupSchema>): DirectoryGroup {
  const types = group.groupTypes ?? [];
  return {
    id: group.id.toLowerCase(),
    displayName: group.displayName ?? group.id,
    isAssignableToRole: group.isAssignableToRole ?? false,
    securityEnabled: group.securityEnabled ?? false,
    mailEnabled: group.mailEnabled ?? false,
    isDynamic: types.includes('DynamicMembership'),
    isMicrosoft365: types.includes('Unified'),
    onPremisesSyncEnabled: group.onPremisesSyncEnabled ?? false,
  };
}

function absentAsNull(error: GraphError): { readonly value: null } | undefined {
  return error.statusCode === 404 ? { value: null } : undefined;
}

/** Application ids travel in an alternate key (`servicePrincipals(appId='…')`): GUIDs only. */
function appIdKey(appId: string): string {
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(appId)) {
    throw new ValidationError([{ field: 'appId', message: 'must be an application (client) id, a GUID' }]);
  }
  return appId.toLowerCase();
}

export class GraphVerification {
  constructor(private readonly graph: GraphApi) {}

  async signIn(): Promise<DirectorySignIn> {
    let token: string;
    try {
      const result = await this.graph.credential.getToken(GRAPH_SCOPE);
      if (result === null) throw new Error('no token');
      token = result.token;
    } catch (error) {
      throw loginError(this.graph.tenantId, error);
    }
    return { applicationPermissions: rolesOf(token) };
  }

  async listRoleDefinitions(): Promise<DirectoryRoleDefinition[]> {
    const definitions = await this.graph.listAll(
      { operation: 'list role definitions', permission: 'RoleManagement.Read.Directory' },
      roleDefinitionSchema,
      '/roleManagement/directory/roleDefinitions',
      { $select: 'id,templateId,displayName,description,isBuiltIn,isEnabled' },
    );
    return definitions.map((d) => ({
      // Built-in roles: id == templateId, the same in every tenant.
      templateId: (d.templateId ?? d.id).toLowerCase(),
      displayName: d.displayName,
      description: d.description ?? null,
      isBuiltIn: d.isBuiltIn ?? false,
      isEnabled: d.isEnabled ?? true,
    }));
  }

  async getGroup(groupId: string): Promise<DirectoryGroup | null> {
    const id = objectIdSegment('groupId', groupId);
    const group = await this.graph.run(
      {
        operation: `read group ${id}`,
        permission: 'GroupMember.Read.All (or Group.Read.All, Directory.Read.All)',
        expected: absentAsNull,
      },
      groupSchema.nullable(),
      (request) => request(`/groups/${id}`).query({ $select: GROUP_SELECT }).get(),
    );
    return group === null ? null : directoryGroupOf(group);
  }

  /**
   * Groups whose display name is `displayName` (Graph compares it case-insensitively; `eq` on
   * displayName is a default query, no ConsistencyLevel needed:
   * learn.microsoft.com/en-us/graph/aad-advanced-queries). More than one: the name is ambiguous.
   */
  async findGroupsByDisplayName(displayName: string): Promise<DirectoryGroup[]> {
    const groups = await this.graph.listAll(
      {
        operation: `find groups named '${displayName}'`,
        permission: 'GroupMember.Read.All (or Group.Read.All, Directory.Read.All)',
      },
      groupSchema,
      '/groups',
      {
        // OData string literals escape a quote by doubling it.
        $filter: `displayName eq '${displayName.replace(/'/g, "''")}'`,
        $select: GROUP_SELECT,
      },
    );
    return groups.map(directoryGroupOf);
  }

  async getServicePrincipalByAppId(appId: string): Promise<DirectoryServicePrincipal | null> {
    const key = appIdKey(appId);
    const principal = await this.graph.run(
      {
        operation: `read the service principal of app ${key}`,
        permission: 'Application.Read.All (or Directory.Read.All)',
        expected: absentAsNull,
      },
      servicePrincipalSchema.nullable(),
      (request) => request(`/servicePrincipals(appId='${key}')`).get(),
    );
    if (principal === null) return null;
    return {
      objectId: principal.id.toLowerCase(),
      appId: principal.appId.toLowerCase(),
      displayName: principal.displayName ?? principal.appId,
    };
  }

  async listUsers(options: { readonly top: number }): Promise<DirectoryUser[]> {
    const top = Math.max(1, Math.min(999, Math.trunc(options.top)));
    const page = await this.graph.run(
      { operation: 'list users', permission: 'User.Read.All' },
      z.object({ value: z.array(userSchema) }),
      (request) =>
        request('/users')
          .query({ $top: String(top), $select: 'id,userPrincipalName,accountEnabled' })
          .get(),
    );
    return page.value.slice(0, top).map((u) => ({
      objectId: u.id,
      userPrincipalName: u.userPrincipalName,
      accountEnabled: u.accountEnabled ?? false,
      signInSessionsValidFromDateTime: u.signInSessionsValidFromDateTime ?? null,
      lastPasswordChangeDateTime: u.lastPasswordChangeDateTime ?? null,
    }));
  }
}

/**
 * A refused sign-in as a typed error carrying Entra's AADSTS code (the fix depends on it). Only
 * the code and the error's name are kept: Entra's descriptions carry trace ids, never the secret,
 * but there is no reason to pass them on.
 */
function loginError(tenantId: string, error: unknown): Error {
  if (error instanceof DependencyError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const status = error instanceof Error ? (error as unknown as Record<string, unknown>).statusCode : undefined;
  if (
    (typeof status === 'number' && (status === 429 || status >= 500)) ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|fetch failed|socket hang up/i.test(message)
  ) {
    return new TransientDependencyError(`the login endpoint for tenant ${tenantId} is unavailable; try again`);
  }
  const code = aadstsCode(message);
  const name = error instanceof Error ? error.name : 'Error';
  return new DependencyError(
    `Entra refused to issue a token for tenant ${tenantId} (${code ?? name})`,
    'login',
    code ?? name,
  );
}

/**
 * The application permissions in a Graph access token's `roles` claim. The token is not validated
 * here (Graph does that); it is read only to report which permissions are missing. Graph tokens
 * may become opaque, so anything unreadable is null and the read checks speak instead.
 */
function rolesOf(token: string): string[] | null {
  const payload = token.split('.')[1];
  if (payload === undefined) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    const roles = z.object({ roles: z.array(z.string()).optional() }).safeParse(claims);
    if (!roles.success) return null;
    return roles.data.roles ?? [];
  } catch {
    return null;
  }
}
