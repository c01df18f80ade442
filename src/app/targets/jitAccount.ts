import { SYSTEM_ACTOR } from '../../domain/audit';
import type { Tenant } from '../../domain/config';
import { ConflictError, DependencyError, TransientDependencyError } from '../../domain/errors';
import {
  isJitUserPrincipalName,
  jitLocalPartCandidates,
  jitUserPrincipalName,
  newCreationMarker,
  type JitAccount,
} from '../../domain/jitAccount';
import type { LeaseRequest } from '../../domain/request';
import { recordAudit } from '../audit';
import type { AppDeps } from '../deps';
import type { Directory } from '../ports';

type ReadyAccount = JitAccount & { readonly objectId: string };

export interface EnsuredAccount {
  readonly account: ReadyAccount;
  /**
   * Created by this call, enabled, with the lease's password: nothing is left to set. False for an
   * account that existed (or was adopted after a lost answer): its password is unknown, and it may
   * be disabled.
   */
  readonly createdEnabled: boolean;
  /**
   * The account's row was written by this call (created, or adopted after a lost answer), with
   * `lastUsedAt` the time of this provisioning: nothing is left to record when the lease starts.
   */
  readonly lastUseRecorded: boolean;
}

/**
 * The technician's JIT account in the tenant: reused when it exists, else created enabled with
 * `leasePassword` (one write instead of a create and an enable; it has no role or group yet, and
 * nobody has seen that password). The
 * account row is written before the directory call, with a creation marker (a nonce sent as the
 * account's employeeId), so that a retry after a crash or a lost answer recognises the account it
 * created. A user at the name that does not carry the marker is not ours: it is reported and never
 * touched, and the next free name is used. A protected account is never provisioned.
 */
export async function ensureAccount(
  deps: AppDeps,
  directory: Directory,
  tenant: Tenant,
  request: LeaseRequest,
  leasePassword: string,
): Promise<EnsuredAccount> {
  const requester = request.requester;
  const standard = jitLocalPartCandidates(requester.userPrincipalName, requester.objectId).map((l) =>
    jitUserPrincipalName(l, tenant.jitDomain),
  );
  // The technician's row and who holds the standard names, in one read: a new technician needs both.
  const { own: existing, holders } = await deps.accounts.getWithNameHolders(
    tenant.tenantId,
    requester.objectId,
    standard,
  );
  if (existing?.objectId) {
    const user = await directory.getUser(existing.objectId);
    if (user !== null) {
      for (const name of [existing.userPrincipalName, user.userPrincipalName]) {
        if (isProtected(tenant, name))
          throw new ConflictError(
            `the JIT account ${name} of ${requester.userPrincipalName} is a protected account of tenant ${tenant.tenantId}: it is never provisioned`,
          );
      }
      return { account: { ...existing, objectId: existing.objectId }, createdEnabled: false, lastUseRecorded: false };
    }
    // Deleted in the directory since: create it again below, under the same name if it is free.
  }
  const now = deps.clock.now().toISOString();
  // Holders read above answer until the first creation attempt; after it, each name is read again.
  let prefetched: ReadonlyMap<string, JitAccount> | null = holders;
  const candidates = [...new Set([...(existing ? [existing.userPrincipalName.toLowerCase()] : []), ...standard])];
  for (const userPrincipalName of candidates) {
    if (isProtected(tenant, userPrincipalName) || !isJitUserPrincipalName(userPrincipalName)) continue;
    const owner =
      prefetched !== null && standard.some((u) => u.toLowerCase() === userPrincipalName.toLowerCase())
        ? (prefetched.get(userPrincipalName.toLowerCase()) ?? null)
        : await deps.accounts.getByPrincipalName(tenant.tenantId, userPrincipalName);
    if (owner !== null && owner.requesterObjectId !== requester.objectId) continue;
    // A marker this service once sent for this technician's account stays theirs: a creation under
    // way keeps it, and so does one whose user only seemed gone (a read that replication lag hid):
    // the user there, if it is ours, carries it.
    const creationMarker = owner?.creationMarker ?? newCreationMarker();
    const pending: JitAccount = {
      tenantId: tenant.tenantId,
      requesterObjectId: requester.objectId,
      userPrincipalName,
      objectId: null,
      creationMarker,
      createdAt: existing?.createdAt ?? now,
      lastUsedAt: now,
    };
    await deps.accounts.upsert(pending);
    prefetched = null;
    const created = await directory.createAccount(
      {
        userPrincipalName,
        displayName: `JIT admin (${requester.userPrincipalName})`,
        mailNickname: userPrincipalName.split('@')[0] ?? 'jit',
        initialPassword: leasePassword,
        creationMarker,
      },
      { enabled: true },
    );
    if (typeof created !== 'string')
      return { account: await adopt(deps, pending, created.objectId), createdEnabled: true, lastUseRecorded: true };
    // Taken. Ours only if the user there carries this creation's marker (our answer was lost, or
    // we crashed before recording the object id); anything else belongs to someone else.
    const holder = await directory.getUserByPrincipalName(userPrincipalName);
    // Ours too: the very object this service recorded for the technician (rows from before markers).
    if (holder !== null && (holder.employeeId === creationMarker || holder.objectId === existing?.objectId))
      return { account: await adopt(deps, pending, holder.objectId), createdEnabled: false, lastUseRecorded: true };
    if (holder === null && created === 'principalNameTaken') {
      // Entra says the UPN is taken, yet no user shows under it: most likely our own creation whose
      // answer was lost, not yet replicated to the replica that answered the read. That proves
      // nobody else holds it: keep the pending row (and its marker) and try again, never a second account.
      throw new TransientDependencyError(
        `the JIT name ${userPrincipalName} is taken but its holder cannot be read yet (replication lag?); try again`,
      );
    }
    await deps.accounts.delete(tenant.tenantId, requester.objectId);
    await reportForeignAccount(deps, request, userPrincipalName, holder?.objectId ?? null);
  }
  throw new DependencyError(
    `no free JIT account name for ${requester.userPrincipalName} in ${tenant.jitDomain}: ${candidates.join(', ')} are taken by accounts this service did not create`,
    'graph',
  );
}

async function adopt(deps: AppDeps, pending: JitAccount, objectId: string): Promise<ReadyAccount> {
  const ready = { ...pending, objectId };
  await deps.accounts.upsert(ready);
  return ready;
}

/**
 * A name this service would use is held by an object it did not create (made by hand, or by
 * someone guessing the name): audited and logged for the alert rule, as the reconciler reports a
 * foreign jit- account; the object itself is never read further nor changed.
 */
async function reportForeignAccount(
  deps: AppDeps,
  request: LeaseRequest,
  userPrincipalName: string,
  objectId: string | null,
): Promise<void> {
  const details = { userPrincipalName, objectId, requestId: request.id };
  await recordAudit(deps, { actor: SYSTEM_ACTOR, action: 'account.foreign_jit_name', request, details });
  deps.log('warn', 'reconciler_finding', { kind: 'foreign_jit_account', tenantId: request.tenantId, ...details });
}

export function isProtected(tenant: Tenant, userPrincipalName: string): boolean {
  const upn = userPrincipalName.toLowerCase();
  return tenant.protectedAccounts.some((p) => p.toLowerCase() === upn);
}
