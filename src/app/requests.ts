import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ADMIN_ROLE, APPROVER_ROLE, type Caller } from '../domain/caller';
import { slugSchema } from '../domain/config';
import { durationMs, durationSchema } from '../domain/duration';
import { defaultWithinCap, evaluateEntitlement } from '../domain/entitlement';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors';
import {
  isTerminal,
  leaseRequestSchema,
  withRevokeReason,
  type LeaseRequest,
  type RequestStatus,
} from '../domain/request';
import type { AuditActor } from '../domain/audit';
import { startApproval, stagesOf } from '../domain/approvalProgress';
import { listAwaiting, listDecidedBy, withdrawRequest } from './approvals';
import { recordAudit, userActor } from './audit';
import { awaitRecorded } from './awaitRecorded';
import { requireStepUp } from './stepUp';
import { kindOf, kindOfLease } from './targets';
import type { AppDeps } from './deps';
import {
  ConcurrencyError,
  OrchestrationNotRunningError,
  type LeaseOrchestrationControl,
  type LeaseOrchestrations,
  type Page,
} from './ports';

export const submitRequestBodySchema = z.strictObject({
  tenantId: z.uuid(),
  targetId: slugSchema,
  duration: durationSchema.optional(),
  justification: z.string().trim().min(1).max(1000).optional(),
  ticket: z.string().trim().min(1).max(128).optional(),
  startAt: z.iso
    .datetime({ message: 'must be an ISO 8601 UTC date-time such as 2026-12-24T08:00:00Z' })
    .optional()
    .describe("Scheduled access: provisioning begins then (within the target's maxScheduleAhead); absent: now"),
});
export type SubmitRequestBody = z.infer<typeof submitRequestBodySchema>;

export const revokeRequestBodySchema = z.strictObject({
  reason: z.string().trim().min(1).max(1000).optional(),
});

/**
 * A technician asks for access: check entitlement and policy, take the account's lease lock (one
 * live lease per account), store the request and start its orchestration.
 */
export interface SubmitOptions {
  /** Who asked, for the audit log when it is not the caller (a ticketing integration). */
  readonly actor?: AuditActor;
  readonly origin?: { readonly integrationId: string; readonly deliveryId: string };
}

export async function submitRequest(
  deps: AppDeps,
  orchestrations: LeaseOrchestrations,
  caller: Caller,
  body: SubmitRequestBody,
  options: SubmitOptions = {},
): Promise<LeaseRequest> {
  // The configuration as of now (one version read; the rows from this instance's cache when unchanged).
  const config = deps.config.cached;
  await config.revalidate();
  const tenant = await config.getTenant(body.tenantId);
  if (tenant === null) throw new NotFoundError(`tenant ${body.tenantId} is not connected`);
  const target = await config.getTarget(body.tenantId, body.targetId);
  if (target === null) throw new NotFoundError(`target '${body.targetId}' does not exist in tenant ${body.tenantId}`);

  const entitlement = evaluateEntitlement(caller, target, tenant, await config.listRules());
  if (!entitlement.allowed) throw new ForbiddenError(`not entitled: ${entitlement.reasons.join('; ')}`);
  requireStepUp(deps, caller, target, target.stepUp?.authenticationContext, 'requesting this target');

  const duration = body.duration ?? defaultWithinCap(target, entitlement.effectiveMaxDuration);
  const problems = [];
  if (durationMs(duration) > durationMs(entitlement.effectiveMaxDuration)) {
    problems.push({
      field: 'duration',
      message: `must be at most ${entitlement.effectiveMaxDuration} (the maximum for this target)`,
    });
  }
  if (durationMs(duration) < durationMs(target.minDuration)) {
    problems.push({
      field: 'duration',
      message: `must be at least ${target.minDuration} (the minimum for this target)`,
    });
  }
  if (entitlement.requireJustification && body.justification === undefined)
    problems.push({ field: 'justification', message: 'is required for this target' });
  if (entitlement.requireTicket && body.ticket === undefined)
    problems.push({ field: 'ticket', message: 'is required for this target' });
  const now = deps.clock.now();
  if (body.startAt !== undefined) {
    const problem = scheduleProblem(body.startAt, target.maxScheduleAhead, now);
    if (problem !== null) problems.push({ field: 'startAt', message: problem });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  const kind = kindOf(target);
  const askProblems = kind.askProblems(caller, target);
  if (askProblems.length > 0) throw new ValidationError(askProblems);

  const id = randomUUID();
  await claimLeaseLock(deps, { tenantId: body.tenantId, requesterObjectId: caller.objectId, requestId: id });

  const common = {
    id,
    tenantId: body.tenantId,
    targetId: body.targetId,
    requester: {
      objectId: caller.objectId,
      tenantId: caller.tenantId,
      userPrincipalName: caller.userPrincipalName,
      groups: [...caller.groups],
      ...(caller.displayName !== undefined ? { displayName: caller.displayName } : {}),
    },
    duration,
    justification: body.justification ?? null,
    ticket: body.ticket ?? null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    approvalRequired: entitlement.approvalRequired,
    decision: null,
    targetKind: target.kind,
    tenantName: tenant.displayName,
    targetName: target.name,
    credentialType: kind.credentialTypeOf(target),
    ...(options.origin !== undefined ? { origin: { ...options.origin } } : {}),
    ...(body.startAt !== undefined ? { startAt: new Date(body.startAt).toISOString() } : {}),
  };
  const approval = target.approval;
  const request: LeaseRequest = entitlement.approvalRequired
    ? {
        ...common,
        approval: startApproval(stagesOf(approval)),
        status: 'pending_approval',
        approvalDeadline: new Date(
          now.getTime() + durationMs(approval.mode === 'required' ? approval.deadline : 'PT1H'),
        ).toISOString(),
      }
    : common.startAt !== undefined && Date.parse(common.startAt) > now.getTime()
      ? { ...common, status: 'scheduled', startAt: common.startAt }
      : { ...common, status: 'provisioning' };

  try {
    await deps.requests.create(request);
    await orchestrations.start({
      requestId: id,
      revocationRetryIntervalMs: deps.revocationRetryIntervalMs,
      activityRetryFirstIntervalMs: deps.activityRetryFirstIntervalMs,
      // A request from a PSA ticket: the notify activity also queues its write-back notes.
      notify: deps.workflow.notificationsEnabled || options.origin !== undefined,
      endingSoonBeforeMs: deps.workflow.endingSoonBeforeMs,
      ...(request.status === 'pending_approval' ? { approvalDeadline: request.approvalDeadline } : {}),
      ...(request.startAt !== undefined ? { startAt: request.startAt } : {}),
    });
  } catch (error) {
    // Nothing was provisioned: give the lock back so the technician can try again.
    await deps.locks
      .release({ tenantId: body.tenantId, requesterObjectId: caller.objectId, requestId: id })
      .catch(() => undefined);
    throw error;
  }
  await recordAudit(deps, {
    actor: options.actor ?? userActor(caller),
    action: 'request.submitted',
    request,
    details: {
      duration,
      approvalRequired: entitlement.approvalRequired,
      ...(request.approval !== undefined ? { approvalsRequired: request.approval.required } : {}),
      ...(request.startAt !== undefined ? { startAt: request.startAt } : {}),
      rules: entitlement.matchedRules.join(','),
      technician: caller.userPrincipalName,
      ...(options.origin !== undefined
        ? { integrationId: options.origin.integrationId, deliveryId: options.origin.deliveryId }
        : {}),
    },
  });
  deps.log('info', 'request_submitted', {
    requestId: id,
    tenantId: body.tenantId,
    targetId: body.targetId,
    requester: caller.objectId,
  });
  return request;
}

/** How far in the past a `startAt` may be (clocks differ a little): anything older is a mistake. */
export const START_AT_CLOCK_SKEW_MS = 60_000;

/** Why `startAt` cannot be accepted for a target, or null. */
function scheduleProblem(startAt: string, maxScheduleAhead: string | undefined, now: Date): string | null {
  if (maxScheduleAhead === undefined)
    return 'this target does not allow scheduled access (its maxScheduleAhead is not set): leave startAt out';
  const start = Date.parse(startAt);
  if (start < now.getTime() - START_AT_CLOCK_SKEW_MS)
    return `is in the past (${startAt}; it is now ${now.toISOString()})`;
  if (start > now.getTime() + durationMs(maxScheduleAhead))
    return `must be at most ${maxScheduleAhead} ahead (the target's maxScheduleAhead)`;
  return null;
}

/**
 * Takes the (tenant, requester) lock for a new request. A lock held by a request that has ended
 * (or was never stored) is stale and taken over; a live holder is a 409 naming it.
 */
async function claimLeaseLock(
  deps: AppDeps,
  lock: { tenantId: string; requesterObjectId: string; requestId: string },
): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const claim = await deps.locks.claim(lock);
    if (claim.claimed) return;
    const holder = await deps.requests.get(claim.holder.value.requestId);
    if (holder !== null && !isTerminal(holder.value)) {
      throw new ConflictError(
        `you already have a live request (${holder.value.id}, ${holder.value.status}) for this tenant; revoke it or wait for it to end`,
        {
          activeRequestId: holder.value.id,
          activeRequestStatus: holder.value.status,
        },
      );
    }
    try {
      await deps.locks.takeOver(lock, claim.holder.etag);
      return;
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
    }
  }
  throw new ConflictError('another request for this account is being submitted at the same moment; try again');
}

export function canSeeRequest(caller: Caller, request: LeaseRequest): boolean {
  return (
    request.requester.objectId === caller.objectId ||
    caller.roles.includes(ADMIN_ROLE) ||
    caller.roles.includes(APPROVER_ROLE)
  );
}

export async function getRequest(deps: AppDeps, caller: Caller, id: string): Promise<LeaseRequest> {
  const stored = await deps.requests.get(id);
  if (stored === null) throw new NotFoundError(`request ${id} does not exist`);
  if (!canSeeRequest(caller, stored.value))
    throw new ForbiddenError('only the requester, an approver or an admin can see this request');
  return stored.value;
}

export type RevealedCredential =
  | {
      readonly credentialType: 'password';
      readonly userPrincipalName: string;
      readonly password: string;
      readonly expiresAt: string;
      readonly accessDetails: string | null;
    }
  | {
      readonly credentialType: 'temporaryAccessPass';
      readonly userPrincipalName: string;
      readonly temporaryAccessPass: string;
      readonly expiresAt: string;
      readonly accessDetails: string | null;
    };

/** The requester, and only the requester, reads the live credential while the lease is active. */
export async function revealCredential(deps: AppDeps, caller: Caller, id: string): Promise<RevealedCredential> {
  // The configuration as of now (a step-up required since, on any instance, applies to this reveal),
  // its version read alongside the request's and shared with concurrent calls (configCache.ts).
  const [stored] = await Promise.all([deps.requests.get(id), deps.config.cached.revalidate()]);
  if (stored === null) throw new NotFoundError(`request ${id} does not exist`);
  const request = stored.value;
  if (request.requester.objectId !== caller.objectId) {
    await recordAudit(deps, {
      actor: userActor(caller),
      action: 'credential.reveal_refused',
      outcome: 'failure',
      request,
      details: { reason: 'not the requester' },
    });
    throw new ForbiddenError('only the requester can reveal the credential');
  }
  // Its step-up and access details from the cache, revalidated above: no row read per reveal.
  const target = await deps.config.cached.getTarget(request.tenantId, request.targetId);
  if (target !== null) {
    const required = target.stepUp?.authenticationContext;
    requireStepUp(deps, caller, target, required, "revealing this target's credential", id);
  }
  const noCredential = kindOfLease(request).noCredentialReason;
  if (noCredential !== null || request.credentialType === 'none') {
    throw new ConflictError(`request ${id} ${noCredential ?? 'has no credential to reveal'}`, {
      requestStatus: request.status,
    });
  }
  if (request.status !== 'active' || new Date(request.expiresAt) <= deps.clock.now()) {
    throw new ConflictError(
      `request ${id} is ${request.status}: the credential is only available while the lease is active`,
      { requestStatus: request.status },
    );
  }
  const secret = await deps.vault.getLeaseCredential(id);
  if (secret === null)
    throw new ConflictError(`the credential of request ${id} is no longer stored`, { requestStatus: request.status });
  const credentialType = request.credentialType === 'temporaryAccessPass' ? 'temporaryAccessPass' : 'password';
  await recordAudit(deps, {
    actor: userActor(caller),
    action: 'credential.revealed',
    request,
    details: { userPrincipalName: request.account.userPrincipalName, credentialType },
  });
  deps.log('info', 'credential_revealed', { requestId: id, tenantId: request.tenantId, requester: caller.objectId });
  const common = {
    userPrincipalName: request.account.userPrincipalName,
    expiresAt: request.expiresAt,
    accessDetails: target?.accessDetails ?? null,
  };
  return credentialType === 'temporaryAccessPass'
    ? { credentialType, ...common, temporaryAccessPass: secret }
    : { credentialType, ...common, password: secret };
}

/**
 * Ends a lease early (or withdraws a request waiting for approval). The orchestration does it; this
 * records the reason, asks the orchestration, and answers with the request as recorded once the
 * orchestration has taken it up (`revoking`, or `ended` for a withdrawal), or as it stands after
 * ACTION_RECORDED_WITHIN_MS. Who revoked is recorded by UPN, like an approver in `decision.by`.
 */
export async function revokeRequest(
  deps: AppDeps,
  orchestrations: LeaseOrchestrationControl,
  caller: Caller,
  id: string,
  reason: string | undefined,
): Promise<LeaseRequest> {
  const stored = await deps.requests.get(id);
  if (stored === null) throw new NotFoundError(`request ${id} does not exist`);
  const request = stored.value;
  if (request.requester.objectId !== caller.objectId && !caller.roles.includes(ADMIN_ROLE)) {
    throw new ForbiddenError('only the requester or an admin can revoke this request');
  }
  if (isTerminal(request))
    throw new ConflictError(`request ${id} has already ${request.status === 'failed' ? 'failed' : 'ended'}`, {
      requestStatus: request.status,
    });
  // Before the event: the activities that end the lease carry it into `revoking` and `ended`.
  await recordRevokeReason(deps, id, reason ?? null);
  const by = caller.userPrincipalName;
  try {
    await orchestrations.raise(id, 'revoke', { by });
  } catch (error) {
    // Nobody is listening (the orchestration failed, was terminated or vanished): revoke anyway,
    // by starting a run that does only the revocation, rather than leave access in place until
    // the reconciler comes by.
    if (!(error instanceof OrchestrationNotRunningError)) throw error;
    if (request.status === 'pending_approval' || request.status === 'scheduled') {
      // Nothing was provisioned: withdraw it here, which also frees the technician's lock.
      await withdrawRequest(deps, { requestId: id, by });
      deps.log('warn', 'withdrawn_without_orchestration', {
        requestId: id,
        tenantId: request.tenantId,
        orchestration: error.orchestration,
      });
      return (await deps.requests.get(id))?.value ?? request;
    }
    const cause = request.status === 'provisioning' ? 'provisionFailed' : 'revoked';
    await orchestrations.restart({
      requestId: id,
      revocationRetryIntervalMs: deps.revocationRetryIntervalMs,
      activityRetryFirstIntervalMs: deps.activityRetryFirstIntervalMs,
      resumeRevocation: {
        cause,
        by,
        ...(cause === 'provisionFailed' ? { failure: 'revoked before provisioning finished' } : {}),
      },
    });
    deps.log('warn', 'revocation_restarted', {
      requestId: id,
      tenantId: request.tenantId,
      orchestration: error.orchestration,
    });
  }
  await recordAudit(deps, {
    actor: userActor(caller),
    action: 'request.revoke_requested',
    request,
    details: { reason: reason ?? null },
  });
  // Taken up: the lease is ending (or ended), or the request was withdrawn.
  return awaitRecorded(
    deps,
    id,
    (r) =>
      r.status !== 'active' &&
      r.status !== 'pending_approval' &&
      r.status !== 'scheduled' &&
      r.status !== 'provisioning',
  );
}

async function recordRevokeReason(deps: AppDeps, id: string, reason: string | null): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await deps.requests.get(id);
    const annotated = stored === null ? null : withRevokeReason(stored.value, reason, deps.clock.now());
    if (stored === null || annotated === null) return;
    try {
      await deps.requests.replace(annotated, stored.etag);
      return;
    } catch (error) {
      // An activity wrote the request meanwhile: read it again.
      if (!(error instanceof ConcurrencyError)) throw error;
    }
  }
  throw new ConflictError(`request ${id} keeps changing; try again`);
}

const STATUSES = leaseRequestSchema.options.map((o) => o.shape.status.value);

export const listRequestsQuerySchema = z.strictObject({
  status: z
    .string()
    .transform((text) => text.split(',').map((s) => s.trim()))
    .pipe(z.array(z.enum(STATUSES as [RequestStatus, ...RequestStatus[]])).min(1))
    .optional(),
  tenantId: z.uuid().optional(),
  mine: z.enum(['true', 'false']).optional(),
  awaiting: z.literal('me', { message: "the only value is 'me'" }).optional(),
  decidedBy: z.literal('me', { message: "the only value is 'me'" }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  continuationToken: z.string().min(1).max(4000).optional(),
});
export type ListRequestsQuery = z.infer<typeof listRequestsQuerySchema>;

/**
 * Lists requests, newest first. Admins see every request (filtered); everyone else sees their own,
 * and with `awaiting=me` the requests they may decide now.
 */
export async function listRequests(
  deps: AppDeps,
  caller: Caller,
  query: ListRequestsQuery,
): Promise<Page<LeaseRequest>> {
  const page = { limit: query.limit, continuationToken: query.continuationToken ?? null };
  if (query.awaiting !== undefined && query.decidedBy !== undefined)
    throw new ValidationError([{ field: 'decidedBy', message: 'cannot be combined with awaiting' }]);
  if (query.decidedBy === 'me') return listDecidedBy(deps, caller, page);
  if (query.awaiting === 'me')
    return listAwaiting(deps, caller, {
      ...page,
      ...(query.tenantId !== undefined ? { tenantId: query.tenantId } : {}),
    });
  const ownOnly = query.mine === 'true' || !caller.roles.includes(ADMIN_ROLE);
  return deps.requests.list(
    {
      ...(ownOnly ? { requesterObjectId: caller.objectId } : {}),
      ...(query.tenantId !== undefined ? { tenantId: query.tenantId } : {}),
      ...(query.status !== undefined ? { statuses: query.status } : {}),
    },
    page,
  );
}
