import { SYSTEM_ACTOR } from '../domain/audit';
import { messageOf } from '../domain/errors';
import { isTerminal, type LeaseRequest } from '../domain/request';
import { recordAudit } from './audit';
import type { AppDeps } from './deps';
import type { LeaseOrchestrationControl } from './ports';
import { currentMaxDuration, requesterStanding, type RequesterStanding } from './requesterStanding';
import { reconcilingKinds } from './targets';

/**
 * The reconciler: what the lease orchestrations cannot catch themselves (DESIGN §3).
 * - Leases whose orchestration failed, was terminated or vanished: started again, so the lease is
 *   held to its expiry and revoked (or, if expired, revoked now).
 * - Drift: a JIT account of ours enabled in the directory with no live lease (someone re-enabled
 *   it in the customer tenant): disabled, sessions revoked, roles and groups removed, password
 *   rotated. Accounts named `jit-…` that we did not create are reported, never touched.
 * - Active leases whose requester has left (deleted or disabled in the home tenant) or is no
 *   longer entitled to the target (groups or rules changed), when the home tenant is connected:
 *   revoked, ending `requester_offboarded` or `entitlement_lost`.
 * - Lease credentials still stored after their lease ended: deleted.
 * - Accounts unused for longer than their tenant's cleanup period: deleted.
 * Every finding is audited and logged as `reconciler_finding` (the alert rule in infra/ matches it).
 * One tenant's failure does not stop the others.
 */
export interface ReconcileReport {
  readonly leasesRestarted: readonly string[];
  readonly leasesRevoked: readonly string[];
  readonly driftDisabled: readonly string[];
  readonly foreignJitAccounts: readonly string[];
  readonly credentialsDeleted: readonly string[];
  readonly accountsDeleted: readonly string[];
  readonly errors: readonly string[];
}

const LIVE_STATUSES = [
  'pending_approval',
  'scheduled',
  'provisioning',
  'active',
  'revoking',
  'revocation_failed',
] as const;
/** A request younger than this may still be between "stored" and "orchestration started". */
const START_GRACE_MS = 60_000;

/**
 * The audit chain's head, logged on every run: the log (Application Insights) is a store apart
 * from the table, so a chain later rebuilt by someone with storage access no longer matches it
 * (GET /api/audit/verify?anchorSeq=&anchorHash=).
 */
async function logAuditAnchor(deps: AppDeps, report: { errors: string[] }): Promise<void> {
  try {
    const head = await deps.audit.head({});
    if (head !== null) deps.log('info', 'audit_anchor', { partition: 'all', seq: head.seq, hash: head.hash });
  } catch (error) {
    report.errors.push(`audit anchor: ${messageOf(error)}`);
  }
}

export async function reconcile(deps: AppDeps, orchestrations: LeaseOrchestrationControl): Promise<ReconcileReport> {
  const report = {
    leasesRestarted: [] as string[],
    leasesRevoked: [] as string[],
    driftDisabled: [] as string[],
    foreignJitAccounts: [] as string[],
    credentialsDeleted: [] as string[],
    accountsDeleted: [] as string[],
    errors: [] as string[],
  };
  const live = await listLive(deps);
  await restartOrphanedLeases(deps, orchestrations, live, report);
  await revokeDepartedRequesters(deps, orchestrations, live, report);
  for (const tenant of await deps.config.listTenants()) {
    try {
      const directory = await deps.directories.forTenant(tenant, { purpose: 'revocation' });
      for (const kind of reconcilingKinds()) {
        await kind.reconcileTenant?.({
          deps,
          directory,
          tenant,
          isLeased: (requesterObjectId) => isLeased(deps, live, tenant.tenantId, requesterObjectId),
          finding: (findingKind, details) => finding(deps, findingKind, tenant.tenantId, details),
          report,
        });
      }
    } catch (error) {
      report.errors.push(`tenant ${tenant.tenantId}: ${messageOf(error)}`);
    }
  }
  await deleteStaleCredentials(deps, report);
  await logAuditAnchor(deps, report);
  deps.log(report.errors.length > 0 ? 'warn' : 'info', 'reconciler_run', {
    leasesRestarted: report.leasesRestarted.length,
    leasesRevoked: report.leasesRevoked.length,
    driftDisabled: report.driftDisabled.length,
    foreignJitAccounts: report.foreignJitAccounts.length,
    credentialsDeleted: report.credentialsDeleted.length,
    accountsDeleted: report.accountsDeleted.length,
    errors: report.errors.length,
  });
  return report;
}

async function listLive(deps: AppDeps): Promise<LeaseRequest[]> {
  const live: LeaseRequest[] = [];
  let continuationToken: string | null = null;
  do {
    const page = await deps.requests.list({ statuses: LIVE_STATUSES }, { limit: 200, continuationToken });
    live.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken !== null);
  return live;
}

async function restartOrphanedLeases(
  deps: AppDeps,
  orchestrations: LeaseOrchestrationControl,
  live: readonly LeaseRequest[],
  report: { leasesRestarted: string[]; errors: string[] },
): Promise<void> {
  const now = deps.clock.now().getTime();
  for (const request of live) {
    try {
      const state = await orchestrations.state(request.id);
      if (state === 'running') continue;
      if (state === 'missing' && now - Date.parse(request.createdAt) < START_GRACE_MS) continue;
      const base = {
        requestId: request.id,
        revocationRetryIntervalMs: deps.revocationRetryIntervalMs,
        activityRetryFirstIntervalMs: deps.activityRetryFirstIntervalMs,
      };
      // Revoking states resume revocation; a pending request waits for its decision again (ending
      // at once when its deadline has passed); an active or provisioning lease is started again:
      // the provisioning activity is idempotent, answers the lease it already made, and the new
      // run holds it to its expiry (revoking at once when that has passed).
      const input =
        request.status === 'revoking' || request.status === 'revocation_failed'
          ? { ...base, resumeRevocation: { cause: request.revokeCause, by: request.revokedBy } }
          : request.status === 'pending_approval'
            ? {
                ...base,
                approvalDeadline: request.approvalDeadline,
                ...(request.startAt !== undefined ? { startAt: request.startAt } : {}),
              }
            : request.status === 'scheduled'
              ? { ...base, startAt: request.startAt }
              : base;
      await orchestrations.restart(input);
      report.leasesRestarted.push(request.id);
      await finding(deps, 'orphaned_lease', request.tenantId, {
        requestId: request.id,
        orchestration: state,
        status: request.status,
      });
    } catch (error) {
      report.errors.push(`request ${request.id}: ${messageOf(error)}`);
    }
  }
}

/**
 * Leases outlive nothing at home: an active lease whose requester is deleted or disabled in the
 * home tenant, or no longer entitled to the target with the groups they hold now, is revoked. Only
 * when the requester's home tenant is connected (otherwise the token's groups are all there is,
 * and they cannot have changed). The orchestration does the revoking, with the cause as endReason.
 */
async function revokeDepartedRequesters(
  deps: AppDeps,
  orchestrations: LeaseOrchestrationControl,
  live: readonly LeaseRequest[],
  report: { leasesRevoked: string[]; errors: string[] },
): Promise<void> {
  const standings = new Map<string, Promise<RequesterStanding>>();
  for (const request of live) {
    if (request.status !== 'active') continue;
    try {
      const key = `${request.requester.tenantId}/${request.requester.objectId}`;
      const standing = standings.get(key) ?? requesterStanding(deps, request.requester);
      standings.set(key, standing);
      const now = await standing;
      if (now.kind === 'fromToken') continue;
      let cause: 'requester_offboarded' | 'entitlement_lost' | null =
        now.kind === 'offboarded' ? 'requester_offboarded' : null;
      if (cause === null && now.kind === 'present') {
        const [tenant, target] = await Promise.all([
          deps.config.getTenant(request.tenantId),
          deps.config.getTarget(request.tenantId, request.targetId),
        ]);
        // A tenant or target deleted meanwhile is not the technician's doing: deleting them deals with their leases.
        if (
          tenant !== null &&
          target !== null &&
          (await currentMaxDuration(deps, request, target.value, tenant.value, now.groups)) === null
        )
          cause = 'entitlement_lost';
      }
      if (cause === null) continue;
      await orchestrations.raise(request.id, 'revoke', { by: null, cause });
      report.leasesRevoked.push(request.id);
      await finding(deps, cause, request.tenantId, {
        requestId: request.id,
        requester: request.requester.userPrincipalName,
        ...(now.kind === 'offboarded' ? { homeAccount: now.reason } : {}),
      });
    } catch (error) {
      report.errors.push(`request ${request.id}: ${messageOf(error)}`);
    }
  }
}

/**
 * Whether a lease holds (or is about to hold) the account: one live at the start of the run, or
 * one granted since. The run's list of live leases is a snapshot taken at its start, so the lease
 * lock is read again right before anything is disabled, rotated or deleted; a lock whose request
 * has ended is stale and does not count.
 */
async function isLeased(
  deps: AppDeps,
  live: readonly LeaseRequest[],
  tenantId: string,
  requesterObjectId: string,
): Promise<boolean> {
  if (live.some((r) => r.tenantId === tenantId && r.requester.objectId === requesterObjectId)) return true;
  const lock = await deps.locks.get(tenantId, requesterObjectId);
  if (lock === null) return false;
  const holder = await deps.requests.get(lock.requestId);
  return holder !== null && !isTerminal(holder.value);
}

async function deleteStaleCredentials(
  deps: AppDeps,
  report: { credentialsDeleted: string[]; errors: string[] },
): Promise<void> {
  for (const credential of await deps.vault.listLeaseCredentials()) {
    try {
      const request = await deps.requests.get(credential.requestId);
      if (request !== null && !isTerminal(request.value)) continue;
      await deps.vault.deleteLeaseCredential(credential.requestId);
      report.credentialsDeleted.push(credential.requestId);
      await finding(deps, 'stale_credential', request?.value.tenantId ?? null, { requestId: credential.requestId });
    } catch (error) {
      report.errors.push(`credential of ${credential.requestId}: ${messageOf(error)}`);
    }
  }
}

async function finding(
  deps: AppDeps,
  kind: string,
  tenantId: string | null,
  details: Readonly<Record<string, string | number | null>>,
): Promise<void> {
  await recordAudit(deps, {
    actor: SYSTEM_ACTOR,
    action: `reconciler.${kind}`,
    ...(tenantId !== null ? { tenantId } : {}),
    details: { ...details },
  });
  deps.log('warn', 'reconciler_finding', { kind, tenantId, ...details });
}
