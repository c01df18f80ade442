import { SYSTEM_ACTOR } from '../domain/audit';
import { NotFoundError } from '../domain/errors';
import { transition, type LeaseEvent } from '../domain/lease';
import { generatePassword } from '../domain/password';
import { isTerminal, revokeCauseSchema, type AccountRef, type LeaseRequest, type RevokeCause } from '../domain/request';
import { leaseStepAuditId, recordAudit } from './audit';
import type { AppDeps } from './deps';
import type { Directory } from './ports';
import { isProtected } from './provisionAccess';
import { revokeElevation } from './elevation';

export type RevocationCause = RevokeCause | 'provisionFailed';

export interface RevokeAccessInput {
  readonly requestId: string;
  readonly cause: RevocationCause;
  /** Object id of whoever revoked early; null for an expiry or a failure. */
  readonly by: string | null;
  /** Why provisioning failed (no secrets: it is an error message of ours). */
  readonly failure?: string;
}

export interface RevokeAccessResult {
  readonly status: LeaseRequest['status'];
}

/**
 * The revokeAccess activity: disable, revoke sessions, remove every role and group, rotate the
 * password to a value nobody keeps, delete the stored credential; then read the account back and
 * fail (to be retried) unless the directory shows all of it. Idempotent: every step succeeds when
 * already done.
 */
export async function revokeAccess(deps: AppDeps, input: RevokeAccessInput): Promise<RevokeAccessResult> {
  let stored = await deps.requests.get(input.requestId);
  if (stored === null) throw new NotFoundError(`request ${input.requestId} does not exist`);
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
  const tenant = await deps.config.getTenant(request.tenantId);
  if (tenant === null)
    throw new NotFoundError(
      `tenant ${request.tenantId} of request ${request.id} is no longer connected; cannot revoke`,
    );

  const account = await accountOf(deps, request);
  const startedAt = deps.clock.now();
  const elevation = request.targetKind === 'elevation';
  if (account !== null && elevation) {
    // The technician's own account: take back what the lease added, never disable or rotate it.
    await revokeElevation(
      await deps.directories.forTenant(tenant.value, { purpose: 'revocation' }),
      request,
      account.objectId,
    );
  } else if (account !== null) {
    if (isProtected(tenant.value, account.userPrincipalName)) {
      // Never written to, and never a clean end either: whatever a lease on it granted is still
      // there. A provisioning that met it was refused before granting anything (provisionAccess).
      deps.log('error', 'protected_account_met', {
        requestId: request.id,
        tenantId: request.tenantId,
        userPrincipalName: account.userPrincipalName,
        status: request.status,
      });
      if (request.status !== 'provisioning') {
        throw new Error(
          `revocation of ${account.userPrincipalName} refused: it is a protected account of tenant ${request.tenantId}, so the service never changes it; remove what the lease granted by hand, or take it off protectedAccounts`,
        );
      }
    } else {
      const directory = await deps.directories.forTenant(tenant.value, { purpose: 'revocation' });
      await removeAccess(directory, account.objectId, request.credentialType);
      await verifyRemoved(directory, account, startedAt);
      if (
        request.credentialType === 'temporaryAccessPass' &&
        (await directory.countTemporaryAccessPasses(account.objectId)) > 0
      ) {
        throw new Error(
          `revocation of ${account.userPrincipalName} not yet visible in the directory: a temporary access pass remains`,
        );
      }
    }
  }
  if (!elevation) await deps.vault.deleteLeaseCredential(request.id);

  const event: LeaseEvent =
    request.status === 'provisioning'
      ? { type: 'provisionFailed', failure: input.failure ?? 'provisioning failed', account }
      : { type: 'revoked' };
  const ended = transition(request, event, deps.clock.now());
  await deps.requests.replace(ended, stored.etag);
  await afterEnded(deps, ended, input, account);
  return { status: ended.status };
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

async function accountOf(deps: AppDeps, request: LeaseRequest): Promise<AccountRef | null> {
  if ('account' in request && request.account !== null) return request.account;
  if (request.targetKind === 'elevation')
    return { userPrincipalName: request.requester.userPrincipalName, objectId: request.requester.objectId };
  // Provisioning failed before the request recorded its account: the account row says which.
  const row = await deps.accounts.get(request.tenantId, request.requester.objectId);
  return row?.objectId ? { userPrincipalName: row.userPrincipalName, objectId: row.objectId } : null;
}

async function removeAccess(
  directory: Directory,
  objectId: string,
  credentialType: LeaseRequest['credentialType'],
): Promise<void> {
  try {
    await directory.disableAccount(objectId);
  } catch (error) {
    // Deleted from the directory: nothing can sign in with it, so nothing is left to take away.
    if (error instanceof NotFoundError) return;
    throw error;
  }
  // Disabled first, on its own: whatever follows, nobody signs in with it any more. Then, together,
  // sessions revoked, a random password nobody stores (whatever was revealed is now useless), and
  // every role and group taken away.
  await directory.stripAccess(objectId, generatePassword());
  if (credentialType === 'temporaryAccessPass') await directory.deleteTemporaryAccessPasses(objectId);
}

/** Reads the account back; throws (so the activity is retried) unless every effect is visible. */
async function verifyRemoved(directory: Directory, account: AccountRef, startedAt: Date): Promise<void> {
  const state = await directory.readAccess(account.objectId);
  if (state === null) return;
  const user = state.user;
  const problems: string[] = [];
  if (user.accountEnabled) problems.push('the account is still enabled');
  // Entra stores this timestamp at second precision; allow for that.
  const sessionsFrom = user.signInSessionsValidFromDateTime ? Date.parse(user.signInSessionsValidFromDateTime) : 0;
  if (sessionsFrom < startedAt.getTime() - 1000) problems.push('sign-in sessions were not revoked');
  const passwordChanged = user.lastPasswordChangeDateTime ? Date.parse(user.lastPasswordChangeDateTime) : 0;
  if (passwordChanged < startedAt.getTime() - 1000) problems.push('the password was not rotated');
  if (state.roleAssignments.length > 0) problems.push(`${state.roleAssignments.length} role assignment(s) remain`);
  if (state.groupIds.length > 0) problems.push(`${state.groupIds.length} group membership(s) remain`);
  if (problems.length > 0)
    throw new Error(
      `revocation of ${account.userPrincipalName} not yet visible in the directory: ${problems.join('; ')}`,
    );
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
