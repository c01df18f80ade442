import { z } from 'zod';
import type { Caller } from '../../domain/caller';
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { AppDeps } from '../deps';
import type { DirectoryGroup } from '../ports';
import { requireAdmin } from './adminChange';
import { unmanagedGroupReason } from './targets';

/**
 * What the portal's pickers read from a directory (issue 13): a connected tenant's role
 * definitions and groups (Targets form), the home tenant's users and groups (Rules form, target
 * approvers). Admin only; the text searched for is checked here, before Graph sees it.
 */

/** At most this many matches per search: a picker shows a short list and the admin types more. */
export const PICKER_RESULTS_MAX = 20;

export const directorySearchQuerySchema = z.strictObject({
  search: z
    .string()
    .trim()
    .min(1, 'type at least one character to search for')
    .max(64)
    // Graph's $search takes a quoted string; these are all a display name or UPN needs.
    .regex(/^[\p{L}\p{N} .@_'&()-]+$/u, "may hold letters, digits, spaces and . @ _ ' & ( ) - only")
    .describe('Text the display name (or user principal name) starts with, word by word'),
});
export type DirectorySearchQuery = z.infer<typeof directorySearchQuerySchema>;

export const roleDefinitionViewSchema = z.strictObject({
  templateId: z.string().describe('What a target stores: the same in every tenant for a built-in role'),
  displayName: z.string(),
  description: z.string().nullable(),
  isBuiltIn: z.boolean(),
  isEnabled: z.boolean().describe('A disabled custom role cannot be used in a target'),
});
export const roleDefinitionListSchema = z.strictObject({ items: z.array(roleDefinitionViewSchema) });

export const groupMatchSchema = z.strictObject({
  id: z.string(),
  displayName: z.string(),
  isAssignableToRole: z.boolean().describe('Only role-assignable groups can be in an elevation target'),
  canBeTarget: z.boolean().describe('Microsoft Graph can add and remove its members'),
  whyNot: z.string().nullable().describe('Why it cannot be in a target (null when it can)'),
});
export const groupMatchListSchema = z.strictObject({ items: z.array(groupMatchSchema) });

export const principalMatchSchema = z.strictObject({
  type: z.enum(['user', 'group']).describe('As a rule or approver names it'),
  id: z.string(),
  displayName: z.string(),
  userPrincipalName: z.string().nullable(),
});
export const principalMatchListSchema = z.strictObject({ items: z.array(principalMatchSchema) });

async function connectedTenant(deps: AppDeps, tenantId: string) {
  const tenant = await deps.config.getTenant(tenantId);
  if (tenant === null) throw new NotFoundError(`tenant ${tenantId} is not connected`);
  return tenant.value;
}

export async function listRoleDefinitions(
  deps: AppDeps,
  caller: Caller,
  tenantId: string,
): Promise<z.infer<typeof roleDefinitionListSchema>> {
  requireAdmin(caller);
  const directory = await deps.directories.forTenant(await connectedTenant(deps, tenantId));
  const definitions = await directory.listRoleDefinitions();
  return {
    items: definitions.map((d) => ({ ...d })).sort((a, b) => a.displayName.localeCompare(b.displayName)),
  };
}

function groupMatch(group: DirectoryGroup): z.infer<typeof groupMatchSchema> {
  const reason = unmanagedGroupReason(group);
  return {
    id: group.id,
    displayName: group.displayName,
    isAssignableToRole: group.isAssignableToRole,
    canBeTarget: reason === null,
    whyNot: reason === null ? null : `It ${reason}.`,
  };
}

export async function searchTenantGroups(
  deps: AppDeps,
  caller: Caller,
  tenantId: string,
  query: DirectorySearchQuery,
): Promise<z.infer<typeof groupMatchListSchema>> {
  requireAdmin(caller);
  const directory = await deps.directories.forTenant(await connectedTenant(deps, tenantId));
  const groups = await directory.searchGroups(query.search, { top: PICKER_RESULTS_MAX });
  return { items: groups.map(groupMatch).sort((a, b) => a.displayName.localeCompare(b.displayName)) };
}

/** Rules and approvers name principals of the home tenant, so that is where they are searched. */
export async function searchHomePrincipals(
  deps: AppDeps,
  caller: Caller,
  query: DirectorySearchQuery,
): Promise<z.infer<typeof principalMatchListSchema>> {
  requireAdmin(caller);
  const home = await deps.config.getTenant(deps.workflow.homeTenantId);
  if (home === null)
    throw new ConflictError(
      `the home tenant ${deps.workflow.homeTenantId} is not connected: connect it to search its users and groups`,
      { tenantId: deps.workflow.homeTenantId },
    );
  const directory = await deps.directories.forTenant(home.value);
  const principals = await directory.searchPrincipals(query.search, { top: PICKER_RESULTS_MAX });
  return {
    items: principals.map((p) => ({
      type: p.kind,
      id: p.objectId,
      displayName: p.displayName,
      userPrincipalName: p.userPrincipalName,
    })),
  };
}
