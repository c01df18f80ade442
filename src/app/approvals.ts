import { z } from 'zod';
import { SYSTEM_ACTOR, type AuditActor } from '../domain/audit';
import { approversOf } from '../domain/approval';
import {
  checkApprover,
  isApproved,
  SINGLE_STAGE_NAME,
  startApproval,
  withApproval,
  type ApprovalProgress,
} from '../domain/approvalProgress';
import type { Caller } from '../domain/caller';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors';
import { transition, type LeaseEvent } from '../domain/lease';
import type { LeaseRequest } from '../domain/request';
import { recordAudit, userActor } from './audit';
import { awaitRecorded } from './awaitRecorded';
import { requireApproverStepUp } from './stepUp';
import type { AppDeps } from './deps';
import type { LeaseOrchestrations, Page } from './ports';

export const decisionBodySchema = z.strictObject({
  comment: z.string().trim().min(1).max(1000).optional(),
});

/**
 * The payload of the `decision` event: ids, names and the comment; never a secret. `groups` and
 * `roles` (comma-separated group ids and role names, from the approver's token) let the activity
 * check again that the approver belongs to the stage; `stage` is the one the API checked (1-based).
 * The three are absent on events older than multi-approver policies.
 */
export interface DecisionEvent {
  readonly approved: 'true' | 'false';
  readonly by: string;
  readonly byName: string;
  readonly comment: string | null;
  readonly groups?: string;
  readonly roles?: string;
  readonly stage?: string;
}

function listOf(text: string | undefined): readonly string[] {
  return text === undefined || text === '' ? [] : text.split(',');
}

/**
 * What a request needs and has: recorded on it since multi-approver policies; for an older pending
 * row, one approval from its target's approvers as they are now (what such a row needed).
 */
async function progressOf(deps: AppDeps, request: LeaseRequest): Promise<ApprovalProgress> {
  if (request.approval !== undefined) return request.approval;
  const target = await deps.config.getTarget(request.tenantId, request.targetId);
  const approvers = target === null ? [] : approversOf(target.value.approval);
  return startApproval([{ name: SINGLE_STAGE_NAME, approvers: [...approvers], approvalsRequired: 1 }]);
}

/**
 * An approver approves or denies: the one entry point of the API and the Teams card. The checks run
 * in this order: nobody decides their own request (403, whatever their roles); only an approver of
 * the stage waiting now decides (403); only a pending request can be decided (409); an approver who
 * already approved cannot approve (or deny) again (409). The decision itself is written by the
 * orchestration's activity: this raises the event and answers with the request once it is recorded
 * (an approval short of what is required leaves it pending, with `approval.received` one higher).
 */
export async function decideRequest(
  deps: AppDeps,
  orchestrations: LeaseOrchestrations,
  caller: Caller,
  id: string,
  decision: { readonly approved: boolean; readonly comment: string | undefined },
): Promise<LeaseRequest> {
  if (decision.approved) await requireApproverStepUp(deps, caller, id);
  const stored = await deps.requests.get(id);
  if (stored === null) throw new NotFoundError(`request ${id} does not exist`);
  const request = stored.value;
  const progress = await progressOf(deps, request);
  const check = checkApprover(progress, request.requester.objectId, caller);
  if (!check.allowed && !check.conflict) {
    await recordAudit(deps, {
      actor: userActor(caller),
      action: 'request.decision_refused',
      outcome: 'failure',
      request,
      details: { reason: check.reason },
    });
    throw new ForbiddenError(check.reason);
  }
  if (request.status !== 'pending_approval') {
    throw new ConflictError(
      `request ${id} is ${request.status}: only a request waiting for approval can be ${decision.approved ? 'approved' : 'denied'}`,
      { requestStatus: request.status },
    );
  }
  if (Date.parse(request.approvalDeadline) <= deps.clock.now().getTime()) {
    throw new ConflictError(`request ${id} is past its approval deadline (${request.approvalDeadline})`, {
      requestStatus: request.status,
    });
  }
  if (!check.allowed) throw new ConflictError(`request ${id}: ${check.reason}`, { requestStatus: request.status });
  const event: DecisionEvent = {
    approved: decision.approved ? 'true' : 'false',
    by: caller.objectId,
    byName: caller.userPrincipalName,
    comment: decision.comment ?? null,
    groups: caller.groups.join(','),
    roles: caller.roles.join(','),
    stage: String(check.stage),
  };
  await orchestrations.raise(id, 'decision', { ...event });
  // The recordDecision activity writes it: answer with the decision as recorded (who, when).
  const mine = caller.objectId.toLowerCase();
  return awaitRecorded(
    deps,
    id,
    (r) =>
      r.status !== 'pending_approval' || (r.approval?.approvals ?? []).some((a) => a.byObjectId.toLowerCase() === mine),
  );
}

/**
 * What recordDecision answers: the status, and while pending the stage waiting now (1-based), read
 * from the request as stored, so a retried activity answers the same; the orchestration notifies a
 * stage's approvers when this is higher than the stage it last notified.
 */
export interface RecordedDecision {
  readonly status: LeaseRequest['status'];
  readonly stage?: number;
}

function recorded(request: LeaseRequest): RecordedDecision {
  const stage = request.status === 'pending_approval' ? request.approval?.stage?.index : undefined;
  return stage === undefined ? { status: request.status } : { status: request.status, stage };
}

/** The recordDecision activity: the orchestration's write of the decision. */
export async function recordDecision(
  deps: AppDeps,
  input: DecisionEvent & { readonly requestId: string },
): Promise<RecordedDecision> {
  const stored = await deps.requests.get(input.requestId);
  if (stored === null) throw new NotFoundError(`request ${input.requestId} does not exist`);
  const request = stored.value;
  if (request.status !== 'pending_approval') return { status: request.status };
  // Checked again where it is written: an event from anywhere else must not decide either.
  if (input.by.toLowerCase() === request.requester.objectId.toLowerCase()) {
    await recordAudit(deps, {
      actor: { type: 'user', id: input.by, userPrincipalName: input.byName },
      action: 'request.decision_refused',
      outcome: 'failure',
      request,
      details: { reason: 'self-decision' },
    });
    return recorded(request);
  }
  const approved = input.approved === 'true';
  const actor: AuditActor = { type: 'user', id: input.by, userPrincipalName: input.byName };
  const progress = await progressOf(deps, request);
  // Checked again where it is written, against the request as it is now: a second approval of the
  // same person, or one for a stage that completed meanwhile, does not count. Events older than
  // multi-approver policies carry no groups: the API checked those.
  const check =
    input.groups === undefined
      ? ({ allowed: true, stage: progress.stage?.index ?? 1 } as const)
      : checkApprover(progress, request.requester.objectId, {
          objectId: input.by,
          groups: listOf(input.groups),
          roles: listOf(input.roles),
        });
  if (!check.allowed || (input.stage !== undefined && Number(input.stage) !== check.stage)) {
    await recordAudit(deps, {
      actor,
      action: 'request.decision_refused',
      outcome: 'failure',
      request,
      details: { reason: check.allowed ? `stage ${input.stage} is complete` : check.reason },
    });
    return recorded(request);
  }
  const after = approved
    ? withApproval(progress, {
        by: input.byName,
        byObjectId: input.by,
        at: deps.clock.now().toISOString(),
        comment: input.comment,
        stage: check.stage,
      })
    : progress;
  const event: LeaseEvent = !approved
    ? { type: 'deny', by: input.byName, comment: input.comment }
    : isApproved(after)
      ? { type: 'approve', by: input.byName, comment: input.comment, approval: after }
      : { type: 'approvePartially', approval: after };
  const decided = await writeTransition(deps, stored, event);
  const action = !approved ? 'denied' : event.type === 'approve' ? 'approved' : 'approved_partially';
  await recordAudit(deps, {
    actor,
    action: `request.${action}`,
    request: decided,
    details: {
      comment: input.comment,
      stage: check.stage,
      received: after.received,
      required: after.required,
    },
  });
  if (!approved) await releaseLock(deps, decided);
  deps.log('info', `request_${action}`, {
    requestId: request.id,
    tenantId: request.tenantId,
    approver: input.by,
    stage: check.stage,
    received: after.received,
    required: after.required,
  });
  return recorded(decided);
}

/** The expireApproval activity: the deadline passed with no decision. */
export async function expireApproval(
  deps: AppDeps,
  requestId: string,
): Promise<{ readonly status: LeaseRequest['status'] }> {
  return endWithoutProvisioning(deps, requestId, { type: 'approvalExpired' }, SYSTEM_ACTOR, 'request.approval_expired');
}

/**
 * The withdrawRequest activity: revoked (by the requester or an admin) while waiting for approval.
 * `by` is their UPN (the `revoke` event carries it; older events carried the object id).
 */
export async function withdrawRequest(
  deps: AppDeps,
  input: { readonly requestId: string; readonly by: string },
): Promise<{ readonly status: LeaseRequest['status'] }> {
  const actor: AuditActor = input.by.includes('@')
    ? { type: 'user', id: input.by, userPrincipalName: input.by }
    : { type: 'user', id: input.by };
  return endWithoutProvisioning(deps, input.requestId, { type: 'withdraw', by: input.by }, actor, 'request.withdrawn');
}

async function endWithoutProvisioning(
  deps: AppDeps,
  requestId: string,
  event: LeaseEvent,
  actor: AuditActor,
  action: string,
): Promise<{ readonly status: LeaseRequest['status'] }> {
  const stored = await deps.requests.get(requestId);
  if (stored === null) throw new NotFoundError(`request ${requestId} does not exist`);
  if (stored.value.status !== 'pending_approval' && stored.value.status !== 'scheduled')
    return { status: stored.value.status };
  const ended = await writeTransition(deps, stored, event);
  await releaseLock(deps, ended);
  await recordAudit(deps, { actor, action, request: ended });
  deps.log('info', 'lease_ended', {
    requestId,
    tenantId: ended.tenantId,
    targetId: ended.targetId,
    endReason: ended.status === 'ended' ? ended.endReason : null,
  });
  return { status: ended.status };
}

async function writeTransition(
  deps: AppDeps,
  stored: { value: LeaseRequest; etag: string },
  event: LeaseEvent,
): Promise<LeaseRequest> {
  const next = transition(stored.value, event, deps.clock.now());
  await deps.requests.replace(next, stored.etag);
  return next;
}

async function releaseLock(deps: AppDeps, request: LeaseRequest): Promise<void> {
  await deps.locks.release({
    tenantId: request.tenantId,
    requesterObjectId: request.requester.objectId,
    requestId: request.id,
  });
}

/** The audit actions of a decision, as recordDecision writes them. */
const DECISION_ACTIONS: ReadonlySet<string> = new Set([
  'request.approved',
  'request.approved_partially',
  'request.denied',
]);

/**
 * Requests the caller decided (approved, in part or in full, or denied), newest decision first:
 * read from the audit log (its records name the actor), a page of the caller's audit records at a
 * time, so a page can hold fewer than `limit` while `continuationToken` is not null.
 */
export async function listDecidedBy(
  deps: AppDeps,
  caller: Caller,
  options: { readonly limit: number; readonly continuationToken?: string | null },
): Promise<Page<LeaseRequest>> {
  const page = await deps.audit.list({ actorId: caller.objectId }, options);
  const ids = [
    ...new Set(
      page.items.filter((e) => DECISION_ACTIONS.has(e.action) && e.requestId !== null).map((e) => String(e.requestId)),
    ),
  ];
  const items: LeaseRequest[] = [];
  for (const id of ids) {
    const stored = await deps.requests.get(id);
    if (stored !== null) items.push(stored.value);
  }
  return { items, continuationToken: page.continuationToken };
}

/**
 * Requests the caller may decide now: pending, not their own, they are an approver of the stage
 * waiting now, and they have not approved it yet. Read a page of pending requests and keep the
 * caller's; a page can hold fewer than `limit`.
 */
export async function listAwaiting(
  deps: AppDeps,
  caller: Caller,
  options: { readonly limit: number; readonly continuationToken?: string | null; readonly tenantId?: string },
): Promise<Page<LeaseRequest>> {
  const page = await deps.requests.list(
    { statuses: ['pending_approval'], ...(options.tenantId !== undefined ? { tenantId: options.tenantId } : {}) },
    options,
  );
  const items: LeaseRequest[] = [];
  for (const request of page.items) {
    if (checkApprover(await progressOf(deps, request), request.requester.objectId, caller).allowed) items.push(request);
  }
  return { items, continuationToken: page.continuationToken };
}
