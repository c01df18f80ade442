import { isJitUserPrincipalName } from '../../domain/jitAccount';
import { takeAccountAccessAway } from './accountEndState';
import { isProtected } from './jitAccount';
import type { TenantReconciliation } from './targetKind';

const DAY_MS = 86_400_000;

/** What the reconciler looks after for admin-account targets: drift, and accounts long unused. */
export async function reconcileJitAccounts(reconciliation: TenantReconciliation): Promise<void> {
  await disableDrift(reconciliation);
  await deleteUnusedAccounts(reconciliation);
}

/**
 * A JIT account of ours enabled in the directory with no live lease (someone re-enabled it in the
 * customer tenant) is brought to the end state of a revocation. Accounts named `jit-…` that we did
 * not create are reported, never touched.
 */
async function disableDrift({ deps, directory, tenant, isLeased, finding, report }: TenantReconciliation) {
  for (const user of await directory.listJitAccounts()) {
    if (
      !user.accountEnabled ||
      !isJitUserPrincipalName(user.userPrincipalName) ||
      isProtected(tenant, user.userPrincipalName)
    )
      continue;
    const ours = await deps.accounts.getByPrincipalName(tenant.tenantId, user.userPrincipalName);
    if (ours === null || ours.objectId !== user.objectId) {
      // Not an account this service made: report it, never touch it.
      report.foreignJitAccounts.push(user.userPrincipalName);
      await finding('foreign_jit_account', { userPrincipalName: user.userPrincipalName, objectId: user.objectId });
      continue;
    }
    if (await isLeased(ours.requesterObjectId)) continue;
    const containment = await deps.directories.forTenant(tenant, { purpose: 'containment' });
    await takeAccountAccessAway({ containment, cleanup: directory }, user.objectId, { temporaryAccessPasses: false });
    report.driftDisabled.push(user.userPrincipalName);
    await finding('drift', { userPrincipalName: user.userPrincipalName, objectId: user.objectId });
  }
}

/**
 * An account unused for longer than its tenant's cleanup period is deleted. The period is the
 * longest `cleanupAfterDaysUnused` among the tenant's adminAccount targets, and only when every
 * one of them sets it: an account is never deleted sooner than any target it may serve allows.
 */
async function deleteUnusedAccounts({ deps, directory, tenant, isLeased, finding, report }: TenantReconciliation) {
  const targets = (await deps.config.listTargets(tenant.tenantId)).filter((t) => t.kind === 'adminAccount');
  if (targets.length === 0 || targets.some((t) => t.cleanupAfterDaysUnused === undefined)) return;
  const days = Math.max(...targets.map((t) => t.cleanupAfterDaysUnused ?? 0));
  const cutoff = deps.clock.now().getTime() - days * DAY_MS;
  for (const account of await deps.accounts.list(tenant.tenantId)) {
    if (Date.parse(account.lastUsedAt) > cutoff) continue;
    // A protected account is never deleted, however long unused.
    if (isProtected(tenant, account.userPrincipalName)) continue;
    if (await isLeased(account.requesterObjectId)) continue;
    if (account.objectId !== null) await directory.deleteUser(account.objectId);
    await deps.accounts.delete(tenant.tenantId, account.requesterObjectId);
    report.accountsDeleted.push(account.userPrincipalName);
    await finding('unused_account_deleted', { userPrincipalName: account.userPrincipalName, unusedForDays: days });
  }
}
