import type { Target } from '../../domain/config';
import { durationMs } from '../../domain/duration';
import { generatePassword } from '../../domain/password';
import type { AccountRef } from '../../domain/request';
import { targetPolicyProblems } from '../../domain/temporaryAccessPassPolicy';
import { endAccountAccess } from './accountEndState';
import { reconcileJitAccounts } from './adminAccountReconcile';
import { ensureAccount, isProtected } from './jitAccount';
import type { TargetKindModule } from './targetKind';

const CREDENTIAL_EXPIRY_MARGIN_MS = 15 * 60_000;

/** Whether the target's passes sign in once; undefined (JIT_TAP_USABLE_ONCE decides) when it does not say or is of another kind. */
export function temporaryAccessPassUsableOnceOf(target: Target): boolean | undefined {
  return 'temporaryAccessPassUsableOnce' in target ? target.temporaryAccessPassUsableOnce : undefined;
}

/**
 * Admin-account targets: the technician gets a JIT account of their own in the tenant
 * (jit-<alias>@<jitDomain>), enabled for the lease with a password or a Temporary Access Pass that
 * is made here, goes to Key Vault and to Graph, and nowhere else. At the end the account is
 * disabled, not deleted (see accountEndState.ts); the reconciler deletes it after
 * cleanupAfterDaysUnused days unused.
 */
export const adminAccount: TargetKindModule<'adminAccount'> = {
  kind: 'adminAccount',
  credentialTypeOf: (target) => target.credentialType,
  noCredentialReason: null,

  targetProblems(target) {
    if (target.temporaryAccessPassUsableOnce === undefined || target.credentialType === 'temporaryAccessPass')
      return [];
    return [
      {
        field: 'temporaryAccessPassUsableOnce',
        message: "applies only to targets whose credentialType is 'temporaryAccessPass'",
      },
    ];
  },

  groupProblem: () => null,

  /**
   * A Temporary Access Pass target must fit the tenant's TAP policy: enabled, a maximum pass
   * lifetime that covers the target's maxDuration, and new JIT accounts in its scope.
   */
  async directoryProblems(deps, tenant, target) {
    if (target.credentialType !== 'temporaryAccessPass') return [];
    const directory = await deps.directories.forTenant(tenant);
    return targetPolicyProblems(await directory.getTemporaryAccessPassPolicy(), target);
  },

  askProblems: () => [],

  async provision(deps, stored, tenant, target) {
    const request = stored.value;
    const directory = await deps.directories.forTenant(tenant);
    const credentialType = request.credentialType ?? ('credentialType' in target ? target.credentialType : 'password');
    // The lease's password, or for a pass lease a random one nobody keeps. A new account is created
    // enabled with it (one write); an existing one gets it below, once the credential is stored.
    const password = generatePassword();
    const ensured = await ensureAccount(deps, directory, tenant, request, password);
    const { account, createdEnabled } = ensured;
    const accountRef: AccountRef = { userPrincipalName: account.userPrincipalName, objectId: account.objectId };

    await directory.grantAccess(account.objectId, {
      roleTemplateIds: target.roles.map((r) => r.templateId),
      groupIds: target.groups.map((g) => g.id),
    });

    // The lease is counted from the moment the account is usable (once this returns), so the time
    // spent on the writes here — long under throttling — is not taken from it. The stored
    // credential's expiry is set now with a margin for those writes; it is deleted at revocation anyway.
    const credentialExpiresOn = new Date(
      deps.clock.now().getTime() + durationMs(request.duration) + CREDENTIAL_EXPIRY_MARGIN_MS,
    );
    const metadata = {
      requestId: request.id,
      tenantId: request.tenantId,
      userPrincipalName: account.userPrincipalName,
      expiresOn: credentialExpiresOn,
    };
    if (credentialType === 'temporaryAccessPass') {
      // No password anybody knows ever exists: a random one that is not stored, then a pass.
      if (!createdEnabled) await directory.setPasswordAndEnable(account.objectId, password);
      const pass = await directory.createTemporaryAccessPass(account.objectId, {
        lifetimeInMinutes: Math.ceil(durationMs(request.duration) / 60_000),
        isUsableOnce: temporaryAccessPassUsableOnceOf(target) ?? deps.workflow.tapUsableOnce,
      });
      await deps.vault.putLeaseCredential(pass, metadata);
    } else {
      // Stored before an existing account is enabled with it. A new account already has it: were
      // this write lost, the retried activity gives that account a fresh password (it then exists).
      await deps.vault.putLeaseCredential(password, metadata);
      if (!createdEnabled) await directory.setPasswordAndEnable(account.objectId, password);
    }
    return {
      stored,
      account: accountRef,
      // A row written just now already says when the account was last used (seconds ago).
      ...(ensured.lastUseRecorded
        ? {}
        : {
            afterActivated: async (now: Date) => {
              await deps.accounts.upsert({ ...account, lastUsedAt: now.toISOString() });
            },
          }),
    };
  },

  /** Provisioning failed before the request recorded its account: the account row says which. */
  async accountOfUnrecorded(deps, request) {
    const row = await deps.accounts.get(request.tenantId, request.requester.objectId);
    return row?.objectId ? { userPrincipalName: row.userPrincipalName, objectId: row.objectId } : null;
  },

  /**
   * Disable, revoke sessions, remove every role and group, rotate the password to a value nobody
   * keeps, delete the stored credential; then read the account back and fail (to be retried)
   * unless the directory shows all of it. Every step succeeds when already done.
   */
  async revoke(deps, { tenant, request, account, startedAt, contained }) {
    if (account !== null && isProtected(tenant, account.userPrincipalName)) {
      // Never written to, and never a clean end either: whatever a lease on it granted is still
      // there. A provisioning that met it was refused before granting anything (jitAccount.ts).
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
    } else if (account !== null) {
      // The disable at containment priority, the rest as cleanup (refused, not waited for, when
      // the tenant's write window is used up: revokeAccess then comes back on a durable timer).
      const containment = await deps.directories.forTenant(tenant, { purpose: 'containment' });
      const cleanup = await deps.directories.forTenant(tenant, { purpose: 'revocation' });
      await endAccountAccess({ containment, cleanup }, account, startedAt, {
        temporaryAccessPasses: request.credentialType === 'temporaryAccessPass',
        disabledAlready: contained === true,
      });
    }
    await deps.vault.deleteLeaseCredential(request.id);
  },

  provisionedDetails(active, target) {
    return {
      userPrincipalName: 'account' in active && active.account !== null ? active.account.userPrincipalName : null,
      roles: target?.roles.length ?? null,
      groups: target?.groups.length ?? null,
      expiresAt: 'expiresAt' in active ? active.expiresAt : null,
      credentialType:
        active.credentialType ?? (target !== null && 'credentialType' in target ? target.credentialType : null),
    };
  },

  reconcileTenant: reconcileJitAccounts,
};
