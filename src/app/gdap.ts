import { ConflictError } from '../domain/errors';
import type { AppDeps } from './deps';
import type { Directory, GdapRelationship } from './ports';

/**
 * What the MSP's GDAP relationships say, read from its home tenant through Graph: the customers,
 * and which customer roles a security group of the home tenant holds through access assignments.
 * Shared by the customer list (config/customers.ts) and gdapGroup targets (targets/gdapGroup.ts).
 */

/** The home tenant's directory; GDAP is read there, and only there. */
export async function homeDirectory(deps: AppDeps): Promise<Directory> {
  const home = await deps.config.getTenant(deps.workflow.homeTenantId);
  if (home === null)
    throw new ConflictError(
      `the home tenant ${deps.workflow.homeTenantId} is not connected, so its GDAP relationships cannot be read; connect it first (with DelegatedAdminRelationship.Read.All)`,
    );
  return deps.directories.forTenant(home.value);
}

/** Built-in role names by template id (the same in every tenant), read once from the home tenant. */
export async function roleNames(directory: Directory): Promise<ReadonlyMap<string, string>> {
  const definitions = await directory.listRoleDefinitions();
  return new Map(definitions.map((d) => [d.templateId.toLowerCase(), d.displayName]));
}

export interface GdapGrant {
  readonly customerTenantId: string;
  readonly customerName: string;
  readonly relationshipId: string;
  readonly roles: readonly { readonly templateId: string; readonly name: string }[];
}

/**
 * The roles in which customers a member of `groupId` holds: the active access assignments mapping
 * the group, in active relationships only (an expired or pending relationship grants nothing, nor
 * does a pending assignment). One entry per relationship.
 */
export async function grantsOfGroup(directory: Directory, groupId: string): Promise<GdapGrant[]> {
  const group = groupId.toLowerCase();
  const active = (await directory.listGdapRelationships()).filter((r) => r.status === 'active');
  const [names, perRelationship] = await Promise.all([
    roleNames(directory),
    Promise.all(active.map(async (r) => ({ r, assignments: await directory.listGdapAccessAssignments(r.id) }))),
  ]);
  return perRelationship.flatMap(
    ({
      r,
      assignments,
    }: {
      r: GdapRelationship;
      assignments: Awaited<ReturnType<Directory['listGdapAccessAssignments']>>;
    }) => {
      const roles = new Set(
        assignments.filter((a) => a.status === 'active' && a.groupId === group).flatMap((a) => a.roleTemplateIds),
      );
      if (roles.size === 0) return [];
      return [
        {
          customerTenantId: r.customer.tenantId,
          customerName: r.customer.displayName,
          relationshipId: r.id,
          roles: [...roles].sort().map((templateId) => ({ templateId, name: names.get(templateId) ?? templateId })),
        },
      ];
    },
  );
}
