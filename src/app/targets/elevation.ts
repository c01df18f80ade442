import { SYSTEM_ACTOR } from '../../domain/audit';
import { ConflictError, NotFoundError } from '../../domain/errors';
import { transition } from '../../domain/lease';
import type { LeaseRequest } from '../../domain/request';
import { recordAudit } from '../audit';
import type { TargetKindModule } from './targetKind';

/**
 * Elevation targets (Entitle, Apono, PIM): the requester's own account in its home tenant gets the
 * target's directory roles and groups for the lease. What the user already held before the lease
 * is never taken away: before granting anything we record, on the request, exactly which roles and
 * groups this lease adds, and revocation removes those and nothing else. The record is written
 * before the first grant, so a provisioning retried after a crash reuses it instead of mistaking
 * its own grants for prior holdings. Never an account of ours, never a credential.
 */
export const elevation: TargetKindModule<'elevation'> = {
  kind: 'elevation',
  credentialTypeOf: () => 'none',
  noCredentialReason: 'elevates your own account: there is no credential to reveal; sign in as yourself',
  targetProblems: () => [],

  /**
   * The requester's own account joins the group, so it must be role-assignable: only those groups
   * are shielded from owners and Groups Administrators adding whomever they like, which would turn
   * the group's grants into standing access outside the JIT service.
   */
  groupProblem: (group) =>
    group.isAssignableToRole
      ? null
      : `group '${group.displayName}' is not role-assignable; elevation targets need role-assignable groups (isAssignableToRole)`,

  directoryProblems: () => Promise.resolve([]),

  askProblems(caller, target) {
    if (caller.tenantId === target.tenantId) return [];
    return [
      {
        field: 'tenantId',
        message: `target '${target.targetId}' elevates the requester's own account, so it must be in the requester's tenant (${caller.tenantId}), not ${target.tenantId}`,
      },
    ];
  },

  async provision(deps, stored, tenant, target) {
    const request = stored.value;
    if (request.requester.tenantId !== tenant.tenantId) {
      throw new ConflictError(
        `elevation target '${target.targetId}' is in tenant ${tenant.tenantId}, not the requester's tenant ${request.requester.tenantId}`,
      );
    }
    const directory = await deps.directories.forTenant(tenant);
    const userId = request.requester.objectId;
    const user = await directory.getUser(userId);
    if (user === null)
      throw new NotFoundError(
        `the requester ${request.requester.userPrincipalName} does not exist in tenant ${tenant.tenantId}`,
      );

    let current = stored;
    if (request.elevationGrant === undefined) {
      const heldRoles = new Set(
        (await directory.listRoleAssignments(userId)).map((a) => a.roleTemplateId.toLowerCase()),
      );
      const heldGroups = new Set(await directory.listGroupMemberships(userId));
      const grant = {
        roles: target.roles.map((r) => r.templateId.toLowerCase()).filter((r) => !heldRoles.has(r)),
        groups: target.groups.map((g) => g.id.toLowerCase()).filter((g) => !heldGroups.has(g)),
      };
      const recorded = transition(request, { type: 'recordElevationGrant', grant }, deps.clock.now());
      current = await deps.requests.replace(recorded, stored.etag);
      const kept = target.roles.length - grant.roles.length + target.groups.length - grant.groups.length;
      if (kept > 0) {
        await recordAudit(deps, {
          actor: SYSTEM_ACTOR,
          action: 'lease.elevation_already_held',
          request: recorded,
          details: { alreadyHeld: kept },
        });
      }
    }
    const grant = current.value.elevationGrant ?? { roles: [], groups: [] };
    for (const role of grant.roles) await directory.assignRole(userId, role);
    for (const group of grant.groups) await directory.addGroupMember(group, userId);
    return { stored: current, account: { userPrincipalName: user.userPrincipalName, objectId: userId } };
  },

  accountOfUnrecorded: (_deps, request) =>
    Promise.resolve({ userPrincipalName: request.requester.userPrincipalName, objectId: request.requester.objectId }),

  /**
   * Removes what the lease granted (and only that), never disabling or rotating the account, then
   * reads it back. Those removals are what stops the access, so they go at containment priority.
   */
  async revoke(deps, { tenant, request, account }) {
    const grant = request.elevationGrant;
    if (account === null || grant === undefined) return; // nothing was granted before the failure
    const directory = await deps.directories.forTenant(tenant, { purpose: 'containment' });
    const objectId = account.objectId;
    if ((await directory.getUser(objectId)) === null) return;
    const roles = new Set(grant.roles.map((r) => r.toLowerCase()));
    for (const assignment of await directory.listRoleAssignments(objectId)) {
      if (roles.has(assignment.roleTemplateId.toLowerCase()))
        await directory.removeRoleAssignment(assignment.assignmentId);
    }
    for (const group of grant.groups) await directory.removeGroupMember(group, objectId);

    const remainingRoles = (await directory.listRoleAssignments(objectId)).filter((a) =>
      roles.has(a.roleTemplateId.toLowerCase()),
    );
    const groups = new Set(await directory.listGroupMemberships(objectId));
    const remainingGroups = grant.groups.filter((g) => groups.has(g.toLowerCase()));
    if (remainingRoles.length > 0 || remainingGroups.length > 0) {
      throw new Error(
        `revocation of the elevation of ${request.requester.userPrincipalName} not yet visible: ${remainingRoles.length} role(s) and ${remainingGroups.length} group(s) remain`,
      );
    }
  },

  provisionedDetails(active: LeaseRequest) {
    const grant = active.elevationGrant ?? { roles: [], groups: [] };
    return {
      kind: 'elevation',
      userPrincipalName: 'account' in active && active.account !== null ? active.account.userPrincipalName : null,
      rolesAdded: grant.roles.join(','),
      groupsAdded: grant.groups.join(','),
      expiresAt: 'expiresAt' in active ? active.expiresAt : null,
    };
  },
};
