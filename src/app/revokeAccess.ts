import { SYSTEM_ACTOR } from '../domain/audit';
import { NotFoundError, WriteLimitReachedError } from '../domain/errors';
import { transition, type LeaseEvent } from '../domain/lease';
import { isTerminal, revokeCauseSchema, type AccountRef, type LeaseRequest, type RevokeCause } from '../domain/request';
import { leaseStepAuditId, recordAudit } from './audit';
import type { AppDeps } from './deps';
import { kindOfLease } from './targets';
import { ConcurrencyError, type Versioned } from './ports';

export type RevocationCause = RevokeCause | 'provisionFailed';

export interface RevokeAccessInput {
  readonly requestId: string;
  readonly cause: RevocationCause;
  /** Object id of whoever revoked early; null for an expiry or a failure. */
  readonly by: string | null;
  /** Why provisioning failed (no secrets: it is an error message of ours). */
  readonly failure?: string;
  /**
   * This revocation's previous call contained the lease and answered `throttled`: the containment
   * write is done, so this call goes straight to the cleanup (the read-back still checks the
   * account is disabled, and a later round after a failure contains it again).
   */
  readonly contained?: boolean;
}

export type RevokeAccessResult =
  | { readonly status: LeaseRequest['status'] }
  | {
      /**
       * The lease is contained (its account disabled, or its elevation removed) but the app's share
       * of Graph's write limit in the tenant has no room for the cleanup: the request stays
       * `revoking` (its lock held) and the orchestration calls again after `retryAfterMs` (a durable
       * timer), rather than this activity holding a worker other leases' containment needs.
       */
      readonly status: 'throttled';
      readonly retryAfterMs: number;
    };

/**
 * The revokeAccess activity: the lease's target kind takes its access away and reads the end state
 * back, failing (to be retried) until the directory shows all of it (src/app/targets/); then the
 * request is recorded ended. Idempotent: every step succeeds when already done. When Graph's write
 * window has room for the containment only, it answers `throttled` once that is done (see
 * RevokeAccessResult) and is called again for the rest.
 */
export async function revokeAccess(deps: AppDeps, input: RevokeAccessInput): Promise<RevokeAccessResult> {
  const written = deps.requests.lastWrittenHere(input.requestId);
  if (written !== null && written.value.status === 'active') {
    // The active lease as this process recorded it (its activation, usually): its next write, to
    // `revoking`, is conditional on that ETag, so a version another process replaced since is
    // refused before anything is revoked, and the request is then read as usual.
    try {
      return await revokeFrom(deps, input, written);
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
    }
  }
  const stored = await deps.requests.get(input.requestId);
  if (stored === null) throw new NotFoundError(`request ${input.requestId} does not exist`);
  return revokeFrom(deps, input, stored);
}

async function revokeFrom(
  deps: AppDeps,
  input: RevokeAccessInput,
  stored: Versioned<LeaseRequest>,
): Promise<RevokeAccessResult> {
  if (isTerminal(stored.value)) {
    // Run again after the request was recorded ended (a crash, a lost reply): what follows that
    // write may not have happened. Each of those steps is safe to repeat.
    const ended = stored.value;
    if (
      ended.status === 'failed' ||
      (ended.status === 'ended' && revokeCauseSchema.safeParse(ended.endReason).success)
    ) {
      await afterEnded(deps, ended, input, 'account' in ended ? ended.account : null);
    }
    return { status: ended.status };
  }

  if (stored.value.status === 'active') {
    const cause = input.cause === 'provisionFailed' ? 'revoked' : input.cause;
    const revoking = transition(stored.value, { type: 'startRevocation', cause, by: input.by }, deps.clock.now());
    stored = await deps.requests.replace(revoking, stored.etag);
  }
  const request = stored.value;
  // The tenant's connection from this instance's cache (within its bound): revocation needs no newer one.
  const tenant = await deps.config.cached.getTenant(request.tenantId);
  if (tenant === null)
    throw new NotFoundError(
      `tenant ${request.tenantId} of request ${request.id} is no longer connected; cannot revoke`,
    );

  const kind = kindOfLease(request);
  const account =
    'account' in request && request.account !== null ? request.account : await kind.accountOfUnrecorded(deps, request);
  try {
    await kind.revoke(deps, {
      tenant: tenant,
      request,
      account,
      startedAt: deps.clock.now(),
      contained: input.contained === true,
    });
  } catch (error) {
    if (!(error instanceof WriteLimitReachedError)) throw error;
    await recordContained(deps, request, input, account, error.retryAfterMs);
    return { status: 'throttled', retryAfterMs: error.retryAfterMs };
  }

  const event: LeaseEvent =
    request.status === 'provisioning'
      ? { type: 'provisionFailed', failure: input.failure ?? 'provisioning failed', account }
      : { type: 'revoked' };
  const ended = transition(request, event, deps.clock.now());
  await deps.requests.replace(ended, stored.etag);
  await afterEnded(deps, ended, input, account);
  return { status: ended.status };
}

/**
 * The cleanup waits for Graph's write window: audited once per lease (a fixed id, however many
 * times the cleanup comes back) that its access was stopped and the rest follows, and logged.
 */
async function recordContained(
  deps: AppDeps,
  request: LeaseRequest,
  input: RevokeAccessInput,
  account: AccountRef | null,
  retryAfterMs: number,
): Promise<void> {
  await recordAudit(deps, {
    id: leaseStepAuditId(request.id, 'lease.contained'),
    actor: SYSTEM_ACTOR,
    action: 'lease.contained',
    request,
    details: {
      cause: input.cause,
      revokedBy: input.by,
      userPrincipalName: account?.userPrincipalName ?? null,
      cleanup: "waiting for Microsoft Graph's write limit",
    },
  });
  deps.log('info', 'revocation_cleanup_throttled', {
    requestId: request.id,
    tenantId: request.tenantId,
    targetId: request.targetId,
    retryAfterMs,
  });
}

/** What follows the request's last write: the lock given back, the audit record (fixed id), the log. */
async function afterEnded(
  deps: AppDeps,
  ended: LeaseRequest,
  input: RevokeAccessInput,
  account: AccountRef | null,
): Promise<void> {
  await deps.locks.release({
    tenantId: ended.tenantId,
    requesterObjectId: ended.requester.objectId,
    requestId: ended.id,
  });
  const action = ended.status === 'failed' ? 'lease.failed' : 'lease.ended';
  await recordAudit(deps, {
    id: leaseStepAuditId(ended.id, action),
    actor: SYSTEM_ACTOR,
    action,
    outcome: ended.status === 'failed' ? 'failure' : 'success',
    request: ended,
    details: {
      cause: input.cause,
      revokedBy: input.by,
      userPrincipalName: account?.userPrincipalName ?? null,
      ...(ended.status === 'failed' ? { failure: ended.failure } : {}),
    },
  });
  if (ended.status === 'failed') {
    deps.log('warn', 'provisioning_failed', {
      requestId: ended.id,
      tenantId: ended.tenantId,
      targetId: ended.targetId,
      reason: ended.failure,
    });
  } else {
    deps.log('info', 'revocation_succeeded', {
      requestId: ended.id,
      tenantId: ended.tenantId,
      targetId: ended.targetId,
    });
    deps.log('info', 'lease_ended', {
      requestId: ended.id,
      tenantId: ended.tenantId,
      targetId: ended.targetId,
      endReason: ended.status === 'ended' ? ended.endReason : null,
    });
  }
}

/** After revocation attempts keep failing: record it loudly (status, audit, alert) and go on retrying. */
export interface RevocationFailure {
  readonly requestId: string;
  readonly failure: string;
  readonly attempt: number;
  /** When the orchestration saw the round fail (its replay-safe clock): tells rounds apart across history restarts. */
  readonly failedAt?: string;
}

export async function recordRevocationFailure(deps: AppDeps, input: RevocationFailure): Promise<void> {
  const stored = await deps.requests.get(input.requestId);
  if (stored === null || isTerminal(stored.value)) return;
  const request = stored.value;
  if (request.status === 'revoking' || request.status === 'revocation_failed') {
    const failed = transition(request, { type: 'revocationFailed', failure: input.failure }, deps.clock.now());
    await deps.requests.replace(failed, stored.etag);
  }
  await recordAudit(deps, {
    // One record per failed round, even when the activity that writes it is retried.
    ...(input.failedAt !== undefined
      ? { id: leaseStepAuditId(request.id, 'lease.revocation_failed', input.failedAt) }
      : {}),
    actor: SYSTEM_ACTOR,
    action: 'lease.revocation_failed',
    outcome: 'failure',
    request,
    details: { failure: input.failure, attempt: input.attempt },
  });
  // The alert rule in infra/ matches this event name.
  deps.log('error', 'revocation_failed', {
    requestId: request.id,
    tenantId: request.tenantId,
    targetId: request.targetId,
    attempt: input.attempt,
    reason: input.failure,
  });
}
