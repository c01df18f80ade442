import { approversOf } from '../domain/approval';
import { APPROVER_ROLE } from '../domain/caller';
import type { PrincipalRef } from '../domain/config';
import type { LeaseRequest } from '../domain/request';
import type { AppDeps } from './deps';
import type { DirectoryUser } from './ports';

/**
 * The approvers the request waits for now: its current stage's (the stages were copied onto the
 * request at submission, so a later stage's approvers are not asked before their turn); the
 * target's policy only for rows older than stages; null once no stage waits. Empty: any Jit.Approver.
 */
export async function currentStageApprovers(
  deps: AppDeps,
  request: LeaseRequest,
): Promise<readonly PrincipalRef[] | null> {
  const progress = request.approval;
  if (progress !== undefined) {
    if (progress.stage === null) return null;
    return progress.stages[progress.stage.index - 1]?.approvers ?? [];
  }
  const target = await deps.config.getTarget(request.tenantId, request.targetId);
  return target === null ? [] : approversOf(target.value.approval);
}

/**
 * Who may decide the request now, as approvals.ts decides it: the current stage's named approvers
 * (users, and the direct user members of groups, of the home tenant) or, when it names none, the holders of
 * Jit.Approver on the service's app. Enabled users only, never the requester (nobody decides their
 * own request). Also whom the Teams bot sends the approval card (teamsApprovals.ts) and whom approval email goes to (notifications.ts).
 */
export async function approverUsers(deps: AppDeps, request: LeaseRequest): Promise<DirectoryUser[]> {
  const named = await currentStageApprovers(deps, request);
  if (named === null) return [];
  const home = await deps.config.getTenant(deps.workflow.homeTenantId);
  if (home === null)
    throw new Error(`the home tenant ${deps.workflow.homeTenantId} is not connected, so approvers cannot be looked up`);
  const directory = await deps.directories.forTenant(home.value);
  const approvers =
    named.length > 0 ? named : await directory.listAppRoleHolders(deps.workflow.apiClientId, APPROVER_ROLE);
  const users = (
    await Promise.all(
      approvers.map(async (a) => {
        if (a.type === 'group') return directory.listGroupUsers(a.id);
        const user = await directory.getUser(a.id);
        return user === null || !user.accountEnabled ? [] : [user];
      }),
    )
  ).flat();
  const requester = request.requester.objectId.toLowerCase();
  const byId = new Map<string, DirectoryUser>();
  for (const user of users) if (user.objectId.toLowerCase() !== requester) byId.set(user.objectId.toLowerCase(), user);
  return [...byId.values()];
}
