import { passLifetimeFor } from '../domain/temporaryAccessPassPolicy';
import type { LeaseRequest } from '../domain/request';
import type { AppDeps } from './deps';
import { temporaryAccessPassUsableOnceOf } from './targets/adminAccount';

type ActiveLease = Extract<LeaseRequest, { status: 'active' }>;

/** What extending a lease means for its Temporary Access Pass. */
export type PassForExtension =
  /** Not a TAP lease, or its pass already works until the new end. */
  | { readonly kind: 'covered' }
  /** The pass expires before the new end and a new one, within the policy, can replace it. */
  | { readonly kind: 'renew'; readonly lifetimeInMinutes: number; readonly isUsableOnce: boolean }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * A lease extended past its Temporary Access Pass's expiry would leave the technician unable to
 * sign in again for the rest of it: the extension needs a new pass (which replaces the old one,
 * and is revealed like the first), and is refused when the tenant's TAP policy cannot make one
 * that lasts until the new end.
 */
export async function passForExtension(
  deps: AppDeps,
  request: ActiveLease,
  newExpiresAt: string,
): Promise<PassForExtension> {
  if (request.credentialType !== 'temporaryAccessPass') return { kind: 'covered' };
  const tenant = await deps.config.getTenant(request.tenantId);
  if (tenant === null) return { kind: 'refused', reason: `tenant ${request.tenantId} is no longer connected` };
  const directory = await deps.directories.forTenant(tenant.value);
  const end = Date.parse(newExpiresAt);
  const expiry = await directory.getTemporaryAccessPassExpiry(request.account.objectId);
  if (expiry !== null && expiry.getTime() >= end) return { kind: 'covered' };
  const target = await deps.config.getTarget(request.tenantId, request.targetId);
  const wantUsableOnce =
    (target !== null ? temporaryAccessPassUsableOnceOf(target.value) : undefined) ?? deps.workflow.tapUsableOnce;
  const lifetime = passLifetimeFor(
    await directory.getTemporaryAccessPassPolicy(),
    end - deps.clock.now().getTime(),
    wantUsableOnce,
  );
  if (!lifetime.ok)
    return {
      kind: 'refused',
      reason: `the Temporary Access Pass would expire before the new end and no new one can last until then: ${lifetime.reason}`,
    };
  return { kind: 'renew', lifetimeInMinutes: lifetime.lifetimeInMinutes, isUsableOnce: lifetime.isUsableOnce };
}

/** Issues the new pass of a `renew` answer and stores it as the lease's credential (a new version). */
export async function renewPass(
  deps: AppDeps,
  request: ActiveLease,
  renewal: Extract<PassForExtension, { kind: 'renew' }>,
  newExpiresAt: string,
): Promise<void> {
  const tenant = await deps.config.getTenant(request.tenantId);
  if (tenant === null) throw new Error(`tenant ${request.tenantId} is no longer connected`);
  const directory = await deps.directories.forTenant(tenant.value);
  const pass = await directory.createTemporaryAccessPass(request.account.objectId, {
    lifetimeInMinutes: renewal.lifetimeInMinutes,
    isUsableOnce: renewal.isUsableOnce,
  });
  await deps.vault.putLeaseCredential(pass, {
    requestId: request.id,
    tenantId: request.tenantId,
    userPrincipalName: request.account.userPrincipalName,
    expiresOn: new Date(newExpiresAt),
  });
}
