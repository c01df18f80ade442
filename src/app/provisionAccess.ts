import { SYSTEM_ACTOR } from '../domain/audit';
import type { Target } from '../domain/config';
import { durationMs } from '../domain/duration';
import { evaluateEntitlement } from '../domain/entitlement';
import { ConflictError, NotFoundError, WriteLimitReachedError } from '../domain/errors';
import { transition } from '../domain/lease';
import type { AccountRef, LeaseRequest } from '../domain/request';
import { leaseStepAuditId, recordAudit } from './audit';
import type { AppDeps } from './deps';
import { currentGroupsOf } from './requesterStanding';
import { ConcurrencyError, type Versioned } from './ports';
import { kindOfLease } from './targets';
import type { Provisioned } from './targets/targetKind';

export type ProvisionResult =
  | {
      readonly status: 'active' | 'not_provisioned';
      readonly expiresAt: string | null;
      readonly account: AccountRef | null;
    }
  | {
      /**
       * The app's share of Graph's write limit in the tenant is used up: the request stays
       * `provisioning` and the orchestration calls again after `retryAfterMs` (a durable timer),
       * rather than this activity holding a worker that revocations need while it waits.
       */
      readonly status: 'throttled';
      readonly retryAfterMs: number;
    };

/**
 * The provisionAccess activity: re-checks entitlement, then the lease's target kind grants access
 * (src/app/targets/) and the lease is recorded active. Idempotent: on a request that is already
 * active it answers what was provisioned; run again after a crash it converges on the same grants.
 */
export async function provisionAccess(deps: AppDeps, requestId: string): Promise<ProvisionResult> {
  const written = deps.requests.lastWrittenHere(requestId);
  if (written !== null && written.value.status === 'provisioning') {
    // The request as this process recorded it (its submission or approval, usually): the write that
    // records it active is conditional on that ETag, so a version another process wrote since (a
    // revoke reason, a withdrawal) is refused, and the request is then read as usual: the kinds
    // converge on the same grants when run again, as after a retried activity.
    try {
      return await provisionFrom(deps, written);
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
    }
  }
  const stored = await deps.requests.get(requestId);
  if (stored === null) throw new NotFoundError(`request ${requestId} does not exist`);
  return provisionFrom(deps, stored);
}

async function provisionFrom(deps: AppDeps, stored: Versioned<LeaseRequest>): Promise<ProvisionResult> {
  const request = stored.value;
  const requestId = request.id;
  if (request.status === 'active') {
    // Run again after the lease was recorded active (a crash, a lost reply): what follows that
    // write may not have happened; the audit record has a fixed id, so writing it again is safe.
    const target = await deps.config.cached.getTarget(request.tenantId, request.targetId);
    await recordProvisioned(deps, request, target);
    return { status: 'active', expiresAt: request.expiresAt, account: request.account };
  }
  if (request.status !== 'provisioning') return { status: 'not_provisioned', expiresAt: null, account: null };

  // The configuration as of now (one version read; the rows from this instance's cache when unchanged).
  const config = deps.config.cached;
  await config.revalidate();
  const tenant = await config.getTenant(request.tenantId);
  const target = await config.getTarget(request.tenantId, request.targetId);
  if (tenant === null || target === null)
    throw new NotFoundError(`tenant or target of request ${requestId} no longer exists`);

  // Re-check right before provisioning (an approval may have taken an hour): access removed
  // since submission means nothing is granted.
  const rules = await config.listRules();
  const groups = await currentGroupsOf(deps, request.requester);
  const entitlement = evaluateEntitlement({ objectId: request.requester.objectId, groups }, target, tenant, rules);
  if (!entitlement.allowed)
    throw new ConflictError(`the requester is no longer entitled to target '${request.targetId}'`);

  const kind = kindOfLease(request, target);
  let provisioned: Provisioned;
  try {
    provisioned = await kind.provision(deps, stored, tenant, target);
  } catch (error) {
    if (!(error instanceof WriteLimitReachedError)) throw error;
    // What is done so far stays as it is: the kinds converge when run again, and a revocation or
    // withdrawal meanwhile takes it away as after any failed provisioning.
    deps.log('info', 'provisioning_throttled', {
      requestId,
      tenantId: request.tenantId,
      retryAfterMs: error.retryAfterMs,
    });
    return { status: 'throttled', retryAfterMs: error.retryAfterMs };
  }
  const now = deps.clock.now();
  const expiresAt = new Date(leaseClockStart(request, now) + durationMs(request.duration)).toISOString();
  const active = transition(
    provisioned.stored.value,
    { type: 'provisioned', account: provisioned.account, expiresAt },
    now,
  );
  await deps.requests.replace(active, provisioned.stored.etag);
  // Graph's write budget keeps room for this lease's containment when it expires.
  deps.directories.expectContainment?.(request.tenantId, new Date(expiresAt));
  await provisioned.afterActivated?.(now);
  await recordProvisioned(deps, active, target);
  deps.log('info', 'lease_activated', {
    requestId,
    tenantId: request.tenantId,
    targetId: request.targetId,
    expiresAt,
    requester: request.requester.objectId,
    userPrincipalName: provisioned.account.userPrincipalName,
    kind: kind.kind,
  });
  return { status: 'active', expiresAt, account: provisioned.account };
}

/** The lease's one `lease.provisioned` record (a fixed id: a retried activity writes it once). */
async function recordProvisioned(deps: AppDeps, active: LeaseRequest, target: Target | null): Promise<void> {
  if (active.status !== 'active') return;
  await recordAudit(deps, {
    id: leaseStepAuditId(active.id, 'lease.provisioned'),
    actor: SYSTEM_ACTOR,
    action: 'lease.provisioned',
    request: active,
    details: kindOfLease(active, target).provisionedDetails(active, target),
  });
}

/**
 * When the lease's duration starts counting: scheduled access counts from its `startAt` (or from
 * its approval, when that came after the start); any other lease from its activation.
 */
function leaseClockStart(request: LeaseRequest, now: Date): number {
  if (request.startAt === undefined) return now.getTime();
  const approvedAt = request.decision?.approved === true ? Date.parse(request.decision.at) : 0;
  return Math.min(now.getTime(), Math.max(Date.parse(request.startAt), approvedAt));
}
