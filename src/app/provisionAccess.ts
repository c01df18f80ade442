import { durationMs } from '../domain/duration';
import { evaluateEntitlement } from '../domain/entitlement';
import { ConflictError, DependencyError, NotFoundError, TransientDependencyError } from '../domain/errors';
import {
  isJitUserPrincipalName,
  jitLocalPartCandidates,
  jitUserPrincipalName,
  newCreationMarker,
  type JitAccount,
} from '../domain/jitAccount';
import { transition } from '../domain/lease';
import { generatePassword } from '../domain/password';
import type { AccountRef, LeaseRequest } from '../domain/request';
import type { Target, Tenant } from '../domain/config';
import { SYSTEM_ACTOR } from '../domain/audit';
import { leaseStepAuditId, recordAudit } from './audit';
import type { AppDeps } from './deps';
import type { Directory } from './ports';
import { provisionElevation } from './elevation';
import { currentGroupsOf } from './requesterStanding';

const CREDENTIAL_EXPIRY_MARGIN_MS = 15 * 60_000;

export interface ProvisionResult {
  readonly status: 'active' | 'not_provisioned';
  readonly expiresAt: string | null;
  readonly account: AccountRef | null;
}

/**
 * The provisionAccess activity. Idempotent: on a request that is already active it answers what was
 * provisioned; run again after a crash it converges on the same account, roles and groups. The
 * password is made here, goes to Key Vault and to Graph, and nowhere else.
 */
export async function provisionAccess(deps: AppDeps, requestId: string): Promise<ProvisionResult> {
  const stored = await deps.requests.get(requestId);
  if (stored === null) throw new NotFoundError(`request ${requestId} does not exist`);
  const request = stored.value;
  if (request.status === 'active') {
    // Run again after the lease was recorded active (a crash, a lost reply): what follows that
    // write may not have happened; the audit record has a fixed id, so writing it again is safe.
    const target = await deps.config.getTarget(request.tenantId, request.targetId);
    await recordProvisioned(deps, request, target?.value ?? null);
    return { status: 'active', expiresAt: request.expiresAt, account: request.account };
  }
  if (request.status !== 'provisioning') return { status: 'not_provisioned', expiresAt: null, account: null };

  const tenant = await deps.config.getTenant(request.tenantId);
  const target = await deps.config.getTarget(request.tenantId, request.targetId);
  if (tenant === null || target === null)
    throw new NotFoundError(`tenant or target of request ${requestId} no longer exists`);

  // Re-check right before provisioning (an approval may have taken an hour): access removed
  // since submission means nothing is granted.
  const rules = await deps.config.listRules();
  const groups = await currentGroupsOf(deps, request.requester);
  const entitlement = evaluateEntitlement(
    { objectId: request.requester.objectId, groups },
    target.value,
    tenant.value,
    rules,
  );
  if (!entitlement.allowed)
    throw new ConflictError(`the requester is no longer entitled to target '${request.targetId}'`);

  if ((request.targetKind ?? target.value.kind) === 'elevation') {
    const elevated = await provisionElevation(deps, stored, tenant.value, target.value);
    const now = deps.clock.now();
    const expiresAt = new Date(now.getTime() + durationMs(request.duration)).toISOString();
    const active = transition(
      elevated.stored.value,
      { type: 'provisioned', account: elevated.account, expiresAt },
      now,
    );
    await deps.requests.replace(active, elevated.stored.etag);
    await recordProvisioned(deps, active, target.value);
    deps.log('info', 'lease_activated', {
      requestId,
      tenantId: request.tenantId,
      targetId: request.targetId,
      expiresAt,
      requester: request.requester.objectId,
      kind: 'elevation',
    });
    return { status: 'active', expiresAt, account: elevated.account };
  }

  const directory = await deps.directories.forTenant(tenant.value);
  const account = await ensureAccount(deps, directory, tenant.value, request);
  const accountRef: AccountRef = { userPrincipalName: account.userPrincipalName, objectId: account.objectId };

  await directory.grantAccess(account.objectId, {
    roleTemplateIds: target.value.roles.map((r) => r.templateId),
    groupIds: target.value.groups.map((g) => g.id),
  });

  const credentialType = request.credentialType ?? target.value.credentialType;
  // The lease is counted from the moment the account is usable (below), so the time spent on
  // the writes here — long under throttling — is not taken from it. The stored credential's
  // expiry is set now with a margin for those writes; it is deleted at revocation anyway.
  const credentialExpiresOn = new Date(
    deps.clock.now().getTime() + durationMs(request.duration) + CREDENTIAL_EXPIRY_MARGIN_MS,
  );
  const metadata = {
    requestId,
    tenantId: request.tenantId,
    userPrincipalName: account.userPrincipalName,
    expiresOn: credentialExpiresOn,
  };
  if (credentialType === 'temporaryAccessPass') {
    // No password anybody knows ever exists: a random one that is not stored, then a pass.
    await directory.setPasswordAndEnable(account.objectId, generatePassword());
    const pass = await directory.createTemporaryAccessPass(account.objectId, {
      lifetimeInMinutes: Math.ceil(durationMs(request.duration) / 60_000),
      isUsableOnce: target.value.temporaryAccessPassUsableOnce ?? deps.workflow.tapUsableOnce,
    });
    await deps.vault.putLeaseCredential(pass, metadata);
  } else {
    const password = generatePassword();
    await deps.vault.putLeaseCredential(password, metadata);
    await directory.setPasswordAndEnable(account.objectId, password);
  }

  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + durationMs(request.duration)).toISOString();
  const active = transition(request, { type: 'provisioned', account: accountRef, expiresAt }, now);
  await deps.requests.replace(active, stored.etag);
  await deps.accounts.upsert({ ...account, lastUsedAt: now.toISOString() });
  await recordProvisioned(deps, active, target.value);
  deps.log('info', 'lease_activated', {
    requestId,
    tenantId: request.tenantId,
    targetId: request.targetId,
    expiresAt,
    requester: request.requester.objectId,
    userPrincipalName: account.userPrincipalName,
  });
  return { status: 'active', expiresAt, account: accountRef };
}

/** The lease's one `lease.provisioned` record (a fixed id: a retried activity writes it once). */
async function recordProvisioned(deps: AppDeps, active: LeaseRequest, target: Target | null): Promise<void> {
  if (active.status !== 'active') return;
  const common = {
    id: leaseStepAuditId(active.id, 'lease.provisioned'),
    actor: SYSTEM_ACTOR,
    action: 'lease.provisioned',
    request: active,
  } as const;
  if (active.targetKind === 'elevation') {
    const grant = active.elevationGrant ?? { roles: [], groups: [] };
    await recordAudit(deps, {
      ...common,
      details: {
        kind: 'elevation',
        userPrincipalName: active.account.userPrincipalName,
        rolesAdded: grant.roles.join(','),
        groupsAdded: grant.groups.join(','),
        expiresAt: active.expiresAt,
      },
    });
    return;
  }
  await recordAudit(deps, {
    ...common,
    details: {
      userPrincipalName: active.account.userPrincipalName,
      roles: target?.roles.length ?? null,
      groups: target?.groups.length ?? null,
      expiresAt: active.expiresAt,
      credentialType: active.credentialType ?? target?.credentialType ?? null,
    },
  });
}

type ReadyAccount = JitAccount & { readonly objectId: string };

/**
 * The technician's JIT account in the tenant: reused when it exists, else created disabled. The
 * account row is written before the directory call, with a creation marker (a nonce sent as the
 * account's employeeId), so that a retry after a crash or a lost answer recognises the account it
 * created. A user at the name that does not carry the marker is not ours: it is reported and never
 * touched, and the next free name is used. A protected account is never provisioned.
 */
async function ensureAccount(
  deps: AppDeps,
  directory: Directory,
  tenant: Tenant,
  request: LeaseRequest,
): Promise<ReadyAccount> {
  const requester = request.requester;
  const existing = await deps.accounts.get(tenant.tenantId, requester.objectId);
  if (existing?.objectId) {
    const user = await directory.getUser(existing.objectId);
    if (user !== null) {
      for (const name of [existing.userPrincipalName, user.userPrincipalName]) {
        if (isProtected(tenant, name))
          throw new ConflictError(
            `the JIT account ${name} of ${requester.userPrincipalName} is a protected account of tenant ${tenant.tenantId}: it is never provisioned`,
          );
      }
      return { ...existing, objectId: existing.objectId };
    }
    // Deleted in the directory since: create it again below, under the same name if it is free.
  }
  const now = deps.clock.now().toISOString();
  const standard = jitLocalPartCandidates(requester.userPrincipalName, requester.objectId).map((l) =>
    jitUserPrincipalName(l, tenant.jitDomain),
  );
  const candidates = [...new Set([...(existing ? [existing.userPrincipalName.toLowerCase()] : []), ...standard])];
  for (const userPrincipalName of candidates) {
    if (isProtected(tenant, userPrincipalName) || !isJitUserPrincipalName(userPrincipalName)) continue;
    const owner = await deps.accounts.getByPrincipalName(tenant.tenantId, userPrincipalName);
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
    const created = await directory.createDisabledAccount({
      userPrincipalName,
      displayName: `JIT admin (${requester.userPrincipalName})`,
      mailNickname: userPrincipalName.split('@')[0] ?? 'jit',
      initialPassword: generatePassword(),
      creationMarker,
    });
    if (typeof created !== 'string') return adopt(deps, pending, created.objectId);
    // Taken. Ours only if the user there carries this creation's marker (our answer was lost, or
    // we crashed before recording the object id); anything else belongs to someone else.
    const holder = await directory.getUserByPrincipalName(userPrincipalName);
    // Ours too: the very object this service recorded for the technician (rows from before markers).
    if (holder !== null && (holder.employeeId === creationMarker || holder.objectId === existing?.objectId))
      return adopt(deps, pending, holder.objectId);
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
