import { z } from 'zod';
import { checkReviewer, type Reviewer } from './approval';
import { approvalStageSchema, type ApprovalPolicy, type ApprovalStage } from './config';

/**
 * Several approvers, in stages (issue 14): a request needs `approvalsRequired` approvals from each
 * stage's approvers, stage after stage; one deny ends it. The stages are copied from the target's
 * policy when the request is submitted, so a policy edited meanwhile does not change what a
 * waiting request needs. Pure: who may approve now, and what the progress is after an approval.
 */

export const approvalRecordSchema = z.strictObject({
  /** The approver's UPN (as `decision.by`). */
  by: z.string(),
  byObjectId: z.uuid(),
  at: z.iso.datetime(),
  comment: z.string().nullable(),
  /** The stage it counted for, 1-based. */
  stage: z.number().int().min(1),
});
export type ApprovalRecord = z.infer<typeof approvalRecordSchema>;

export const approvalProgressSchema = z.strictObject({
  /** Approvals needed in all (the sum over the stages). */
  required: z.number().int().min(1),
  /** Approvals given so far. */
  received: z.number().int().min(0),
  approvals: z.array(approvalRecordSchema),
  stages: z.array(approvalStageSchema).min(1),
  /** The stage waiting for approvals now (1-based `index` of `of`); null once every stage is complete. */
  stage: z
    .strictObject({
      name: z.string(),
      index: z.number().int().min(1),
      of: z.number().int().min(1),
      approvalsRequired: z.number().int().min(1),
      received: z.number().int().min(0),
    })
    .nullable(),
});
export type ApprovalProgress = z.infer<typeof approvalProgressSchema>;

/** A one-stage policy's stage is named after what it is. */
export const SINGLE_STAGE_NAME = 'Approval';

export function stagesOf(policy: ApprovalPolicy): readonly ApprovalStage[] {
  if (policy.mode === 'none') return [{ name: SINGLE_STAGE_NAME, approvers: [], approvalsRequired: 1 }];
  return (
    policy.stages ?? [
      { name: SINGLE_STAGE_NAME, approvers: policy.approvers, approvalsRequired: policy.approvalsRequired ?? 1 },
    ]
  );
}

/** The progress with nothing approved yet. */
export function startApproval(stages: readonly ApprovalStage[]): ApprovalProgress {
  return progressOf(stages, []);
}

function progressOf(stages: readonly ApprovalStage[], approvals: readonly ApprovalRecord[]): ApprovalProgress {
  const required = stages.reduce((sum, s) => sum + s.approvalsRequired, 0);
  let stage: ApprovalProgress['stage'] = null;
  for (const [i, s] of stages.entries()) {
    const received = approvals.filter((a) => a.stage === i + 1).length;
    if (received < s.approvalsRequired) {
      stage = { name: s.name, index: i + 1, of: stages.length, approvalsRequired: s.approvalsRequired, received };
      break;
    }
  }
  return {
    required,
    received: approvals.length,
    approvals: approvals.map((a) => ({ ...a })),
    stages: stages.map((s) => ({ ...s, approvers: s.approvers.map((a) => ({ ...a })) })),
    stage,
  };
}

export type ApprovalCheck =
  | { readonly allowed: true; readonly stage: number }
  | { readonly allowed: false; readonly conflict: boolean; readonly reason: string };

/**
 * May this reviewer decide now? Not their own request (whatever their roles), one of the current
 * stage's approvers, and not one who already approved (`conflict`: a 409, not a 403).
 */
export function checkApprover(
  progress: ApprovalProgress,
  requesterObjectId: string,
  reviewer: Reviewer,
): ApprovalCheck {
  const current = progress.stage;
  if (current === null) {
    // Decided already: still a 403 for whoever could never have decided it (the requester above
    // all), so a refused caller learns nothing of the request's state.
    const refusals = progress.stages.map((s) => checkReviewer(requesterObjectId, reviewer, s.approvers));
    const refused = refusals.find((c) => !c.allowed);
    if (refusals.every((c) => !c.allowed) && refused !== undefined && !refused.allowed)
      return { allowed: false, conflict: false, reason: refused.reason };
    return { allowed: false, conflict: true, reason: 'every approval stage is already complete' };
  }
  const stage = progress.stages[current.index - 1];
  const check = checkReviewer(requesterObjectId, reviewer, stage?.approvers ?? []);
  if (!check.allowed) {
    const waiting =
      progress.stages.length > 1 ? ` (the request is waiting for stage ${current.index}, ${current.name})` : '';
    return { allowed: false, conflict: false, reason: `${check.reason}${waiting}` };
  }
  const id = reviewer.objectId.toLowerCase();
  if (progress.approvals.some((a) => a.byObjectId.toLowerCase() === id))
    return {
      allowed: false,
      conflict: true,
      reason: 'you have already approved this request: the same person counts once',
    };
  return { allowed: true, stage: current.index };
}

/** The progress after an approval that checkApprover allowed for `approval.stage`. */
export function withApproval(progress: ApprovalProgress, approval: ApprovalRecord): ApprovalProgress {
  return progressOf(progress.stages, [...progress.approvals, approval]);
}

/** Every stage has its approvals. */
export function isApproved(progress: ApprovalProgress): boolean {
  return progress.stage === null;
}
