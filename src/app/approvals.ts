import { z } from 'zod';
import { SYSTEM_ACTOR, type AuditActor } from '../domain/audit';
import { approversOf, checkReviewer } from '../domain/approval';
import type { Caller } from '../domain/caller';
import type { PrincipalRef } from '../domain/config';
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

/** The payload of the `decision` event: ids, names and the comment; never a secret. */
export interface DecisionEvent {
  readonly approved: 'true' | 'false';
  readonly by: string;
  readonly byName: string;
  readonly comment: string | null;
}

/** Who may decide this request, per its target's approval policy (empty: any Jit.Approver). */
async function approversFor(deps: AppDeps, request: LeaseRequest): Promise<readonly PrincipalRef[]> {
  const target = await deps.config.getTarget(request.tenantId, request.targetId);
  return target === null ? [] : approversOf(target.value.approval);
}

/**
 * An approver approves or denies. The checks run in this order: nobody decides their own request
 * (403, whatever their roles); only an eligible approver decides (403); only a pending request can
 * be decided (409). The decision itself is written by the orchestration's activity: this raises
 * the event and answers with the request once the decision is recorded.
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
  const check = checkReviewer(request.requester.objectId, caller, await approversFor(deps, request));
  if (!check.allowed) {
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
  const event: DecisionEvent = {
    approved: decision.approved ? 'true' : 'false',
    by: caller.objectId,
    byName: caller.userPrincipalName,
    comment: decision.comment ?? null,
  };
  await orchestrations.raise(id, 'decision', { ...event });
  // The recordDecision activity writes it: answer with the decision as recorded (who, when).
  return awaitRecorded(deps, id, (r) => r.decision !== null || r.status !== 'pending_approval');
}

/** The recordDecision activity: the orchestration's write of the decision. */
export async function recordDecision(
  deps: AppDeps,
  input: DecisionEvent & { readonly requestId: string; readonly groups?: readonly string[] },
): Promise<{ readonly status: LeaseRequest['status'] }> {
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
    return { status: request.status };
  }
  const approved = input.approved === 'true';
  const actor: AuditActor = { type: 'user', id: input.by, userPrincipalName: input.byName };
  const event: LeaseEvent = approved
    ? { type: 'approve', by: input.byName, comment: input.comment }
    : { type: 'deny', by: input.byName, comment: input.comment };
  const decided = await writeTransition(deps, stored, event);
  await recordAudit(deps, {
    actor,
    action: approved ? 'request.approved' : 'request.denied',
    request: decided,
    details: { comment: input.comment },
  });
  if (!approved) await releaseLock(deps, decided);
  deps.log('info', approved ? 'request_approved' : 'request_denied', {
    requestId: request.id,
    tenantId: request.tenantId,
    approver: input.by,
  });
  return { status: decided.status };
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
  if (stored.value.status !== 'pending_approval') return { status: stored.value.status };
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

/**
 * Requests the caller may decide now: pending, not their own, and they are an eligible approver.
 * Read a page of pending requests and keep the caller's; a page can hold fewer than `limit`.
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
  const approvers = new Map<string, readonly PrincipalRef[]>();
  const items: LeaseRequest[] = [];
  for (const request of page.items) {
    const key = `${request.tenantId}/${request.targetId}`;
    if (!approvers.has(key)) approvers.set(key, await approversFor(deps, request));
    if (checkReviewer(request.requester.objectId, caller, approvers.get(key) ?? []).allowed) items.push(request);
  }
  return { items, continuationToken: page.continuationToken };
}
