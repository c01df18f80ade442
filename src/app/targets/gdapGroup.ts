import type { Target, TargetOfKind } from '../../domain/config';
import { ValidationError, type FieldProblem } from '../../domain/errors';
import type { LeaseRequest } from '../../domain/request';
import { grantsOfGroup, homeDirectory } from '../gdap';
import { elevation } from './elevation';
import type { TargetKindModule } from './targetKind';

/**
 * GDAP targets: for the lease, the requester's own home account joins a security group of the
 * home tenant that GDAP access assignments map to roles in customer tenants. Nothing is created
 * or changed in any customer tenant: the technician signs in as themselves and reaches the
 * customers through the partner relationship (docs/gdap.md says when this fits and when a JIT
 * account is still needed).
 *
 * The target lives in the home tenant, as the group does: one group reaches every customer its
 * access assignments name, so the request names the home tenant, like an elevation target. The
 * membership is granted and taken back exactly as an elevation of one group is (recorded before
 * it is added, so a technician who was already a member keeps it; removed and read back at the end).
 */
function asElevation(target: TargetOfKind<'gdapGroup'>): TargetOfKind<'elevation'> {
  const { groupId, gdapGrants: _grants, ...fields } = target;
  return { ...fields, kind: 'elevation', roles: [], groups: [{ id: groupId }] };
}

export const gdapGroup: TargetKindModule<'gdapGroup'> = {
  kind: 'gdapGroup',
  credentialTypeOf: () => 'none',
  noCredentialReason:
    'adds your own account to a GDAP security group: there is no credential to reveal; sign in as yourself and open the customer from the partner portal (GDAP)',

  targetProblems(target) {
    const problems: FieldProblem[] = [];
    if (target.roles.length > 0)
      problems.push({
        field: 'roles',
        message: 'a gdapGroup target grants the roles its group is mapped to by GDAP; it takes no roles of its own',
      });
    if (target.groups.length > 0)
      problems.push({ field: 'groups', message: 'a gdapGroup target names its one group in groupId' });
    return problems;
  },

  // Its one group is checked by expand (groups is always empty).
  groupProblem: () => null,

  directoryProblems(deps, tenant) {
    if (tenant.tenantId === deps.workflow.homeTenantId) return Promise.resolve([]);
    return Promise.resolve([
      {
        field: 'tenantId',
        message: `gdapGroup targets live in the home tenant (${deps.workflow.homeTenantId}), whose security groups GDAP maps to customer roles, not in ${tenant.tenantId}`,
      },
    ]);
  },

  askProblems: (caller, target) => elevation.askProblems(caller, asElevation(target)),

  /**
   * The group must be a security group Graph can add members to, and active GDAP access
   * assignments must map it to at least one role in some customer: the answer lists them.
   */
  async expand(deps, _tenant, target) {
    const directory = await homeDirectory(deps);
    const group = await directory.getGroup(target.groupId);
    const refuse = (message: string): never => {
      throw new ValidationError([{ field: 'groupId', message }]);
    };
    if (group === null) return refuse(`no group ${target.groupId} in the home tenant`);
    const named = `group '${group.displayName}' (${group.id})`;
    if (!group.securityEnabled || group.isMicrosoft365)
      refuse(`${named} is not a security group; GDAP access assignments map security groups only`);
    if (group.isDynamic || group.onPremisesSyncEnabled || group.mailEnabled)
      refuse(`${named} has members Microsoft Graph cannot add or remove (dynamic, synced or mail-enabled)`);
    const grants = await grantsOfGroup(directory, group.id);
    if (grants.length === 0)
      refuse(
        `${named} grants no role in any customer tenant: no active GDAP access assignment of an active relationship maps it`,
      );
    return {
      ...target,
      groupId: group.id,
      gdapGrants: grants.map((g) => ({
        customerTenantId: g.customerTenantId,
        customerName: g.customerName,
        roles: [...g.roles],
      })),
    };
  },

  provision: (deps, stored, tenant, target) =>
    elevation.provision(deps, stored, tenant, target.kind === 'gdapGroup' ? asElevation(target) : target),

  accountOfUnrecorded: (deps, request) => elevation.accountOfUnrecorded(deps, request),

  /** Removes the membership the lease added (never one held before) and reads it back. */
  revoke: (deps, revocation) => elevation.revoke(deps, revocation),

  provisionedDetails(active: LeaseRequest, target: Target | null) {
    return {
      ...elevation.provisionedDetails(active, target),
      kind: 'gdapGroup',
      groupId: target?.kind === 'gdapGroup' ? target.groupId : null,
    };
  },
};
