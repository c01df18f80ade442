import { APPROVER_ROLE } from './caller';
import type { ApprovalPolicy, PrincipalRef } from './config';

/**
 * Who may decide a request: a pure function of the request's requester, the reviewer and the
 * policy (Teleport's review rules). The first check is that nobody decides their own request,
 * whatever roles they hold. Then: the target's approvers (users or groups of the home tenant)
 * when it names some, otherwise any holder of Jit.Approver. Jit.Admin alone does not make an
 * approver: configuring the service and approving access are kept apart.
 */

export interface Reviewer {
  readonly objectId: string;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
}

export type ReviewCheck = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/** The approvers a request's policy names first (its first stage's); empty means "any Jit.Approver". */
export function approversOf(policy: ApprovalPolicy): readonly PrincipalRef[] {
  if (policy.mode !== 'required') return [];
  return policy.stages?.[0]?.approvers ?? policy.approvers;
}

export function checkReviewer(
  requesterObjectId: string,
  reviewer: Reviewer,
  approvers: readonly PrincipalRef[],
): ReviewCheck {
  if (reviewer.objectId.toLowerCase() === requesterObjectId.toLowerCase()) {
    return { allowed: false, reason: 'you cannot decide your own request, whatever roles you hold' };
  }
  if (approvers.length === 0) {
    return reviewer.roles.includes(APPROVER_ROLE)
      ? { allowed: true }
      : { allowed: false, reason: `only holders of ${APPROVER_ROLE} can decide this request` };
  }
  const listed = approvers.some((a) =>
    a.type === 'user'
      ? a.id.toLowerCase() === reviewer.objectId.toLowerCase()
      : reviewer.groups.some((g) => g.toLowerCase() === a.id.toLowerCase()),
  );
  return listed
    ? { allowed: true }
    : { allowed: false, reason: "you are not one of this target's approvers (users or groups)" };
}
