import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Caller } from '../domain/caller';
import { durationSchema } from '../domain/duration';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors';
import { checkExtension } from '../domain/extension';
import { transition } from '../domain/lease';
import type { LeaseRequest } from '../domain/request';
import { recordAudit } from './audit';
import { enqueueWriteBack } from './psaWriteBack';
import type { AppDeps } from './deps';
import type { LeaseOrchestrations } from './ports';
import { currentMaxDuration, requesterStanding } from './requesterStanding';
import { passForExtension, renewPass } from './temporaryAccessPassRenewal';
import { ADMIN_ROLE } from '../domain/caller';

export const extendBodySchema = z.strictObject({ duration: durationSchema });

/** The `extend` event: ids and an ISO duration. */
export interface ExtendEvent {
  readonly extensionId: string;
  readonly duration: string;
  readonly by: string;
  readonly byName: string;
}

/**
 * The policy's maximum total lease for this request as things stand now: the rules as they are,
 * and the requester's groups as the home tenant has them (as provisioning re-checks), not the ones
 * saved at submission. Null when they are no longer entitled, or gone or disabled at home.
 */
async function maxTotalDuration(deps: AppDeps, request: LeaseRequest): Promise<string | null> {
  const tenant = await deps.config.getTenant(request.tenantId);
  const target = await deps.config.getTarget(request.tenantId, request.targetId);
  if (tenant === null || target === null) return null;
  const standing = await requesterStanding(deps, request.requester);
  if (standing.kind === 'offboarded') return null;
  return currentMaxDuration(deps, request, target.value, tenant.value, standing.groups);
}

/**
 * The requester or an admin extends an active lease. Checked here so the caller gets a 400 naming
 * the cap at once; the orchestration applies it (and checks again) without ever dropping access:
 * it moves the expiry timer, it never revokes and re-provisions.
 */
export async function extendRequest(
  deps: AppDeps,
  orchestrations: LeaseOrchestrations,
  caller: Caller,
  id: string,
  duration: string,
): Promise<LeaseRequest & { readonly requestedExpiresAt: string }> {
  const stored = await deps.requests.get(id);
  if (stored === null) throw new NotFoundError(`request ${id} does not exist`);
  const request = stored.value;
  if (request.requester.objectId !== caller.objectId && !caller.roles.includes(ADMIN_ROLE))
    throw new ForbiddenError('only the requester or an admin can extend this request');
  if (request.status !== 'active' || Date.parse(request.expiresAt) <= deps.clock.now().getTime()) {
    throw new ConflictError(`request ${id} is ${request.status}: only an active lease can be extended`, {
      requestStatus: request.status,
    });
  }
  const max = await maxTotalDuration(deps, request);
  if (max === null)
    throw new ForbiddenError(
      `the requester is no longer entitled to target '${request.targetId}': the lease cannot be extended`,
    );
  const check = checkExtension(request, duration, max);
  if (!check.allowed)
    throw new ValidationError([
      { field: 'duration', message: `${check.reason}; the cap is ${check.maxTotalDuration} in total` },
    ]);
  const pass = await passForExtension(deps, request, check.expiresAt);
  if (pass.kind === 'refused') throw new ValidationError([{ field: 'duration', message: pass.reason }]);
  const event: ExtendEvent = {
    extensionId: randomUUID(),
    duration,
    by: caller.objectId,
    byName: caller.userPrincipalName,
  };
  await orchestrations.raise(id, 'extend', { ...event });
  return { ...request, requestedExpiresAt: check.expiresAt };
}

/**
 * The extendLease activity: the new expiry goes to the request and to the Key Vault credential's
 * `expiresOn`. Idempotent on the extension id. Refused (and audited) when the cap or the status no
 * longer allows it; the lease then keeps its expiry.
 */
export async function extendLease(
  deps: AppDeps,
  input: ExtendEvent & { readonly requestId: string },
): Promise<{ readonly expiresAt: string | null; readonly extended: boolean }> {
  const stored = await deps.requests.get(input.requestId);
  if (stored === null) throw new NotFoundError(`request ${input.requestId} does not exist`);
  const request = stored.value;
  if (request.status !== 'active') return { expiresAt: null, extended: false };
  if (request.lastExtensionId === input.extensionId) return { expiresAt: request.expiresAt, extended: true };
  const actor = { type: 'user' as const, id: input.by, userPrincipalName: input.byName };
  const max = await maxTotalDuration(deps, request);
  const check = max === null ? null : checkExtension(request, input.duration, max);
  if (check === null || !check.allowed) {
    const reason = check === null ? 'the requester is no longer entitled to the target' : check.reason;
    await recordAudit(deps, {
      actor,
      action: 'lease.extend_refused',
      outcome: 'failure',
      request,
      details: { duration: input.duration, reason },
    });
    return { expiresAt: request.expiresAt, extended: false };
  }
  const pass = await passForExtension(deps, request, check.expiresAt);
  if (pass.kind === 'refused') {
    await recordAudit(deps, {
      actor,
      action: 'lease.extend_refused',
      outcome: 'failure',
      request,
      details: { duration: input.duration, reason: pass.reason },
    });
    return { expiresAt: request.expiresAt, extended: false };
  }
  if (pass.kind === 'renew') await renewPass(deps, request, pass, check.expiresAt);
  const extended = transition(
    request,
    { type: 'extend', expiresAt: check.expiresAt, extensionId: input.extensionId },
    deps.clock.now(),
  );
  // The credential first: were the row written first and this failed, the vault would expire it early.
  await deps.vault.updateLeaseCredentialExpiry(request.id, new Date(check.expiresAt));
  await deps.requests.replace(extended, stored.etag);
  await recordAudit(deps, {
    actor,
    action: 'lease.extended',
    request: extended,
    details: { duration: input.duration, previousExpiresAt: request.expiresAt, expiresAt: check.expiresAt },
  });
  deps.log('info', 'lease_extended', {
    requestId: request.id,
    tenantId: request.tenantId,
    expiresAt: check.expiresAt,
    by: input.by,
  });
  await enqueueWriteBack(deps, extended, { event: 'extended', step: input.extensionId, by: input.byName });
  return { expiresAt: check.expiresAt, extended: true };
}
