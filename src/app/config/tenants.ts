import type { Caller } from '../../domain/caller';
import type { Tenant, TenantConnection } from '../../domain/config';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors';
import type { AppDeps } from '../deps';
import { AlreadyExistsError, type LeaseOrchestrations, type Versioned } from '../ports';
import { auditChange, checkPrecondition, conditionally, requireAdmin, type Precondition } from './adminChange';
import { applyTemplatesToNewTenant } from './applyTemplate';
import { listLiveRequests } from './liveLeases';
import { pruneRules } from './rules';
import type {
  CreateTenantBody,
  PatchTenantBody,
  ReadinessList,
  ReadinessQuery,
  TenantConnectionInput,
  TenantView,
  Verification,
} from './schemas';
import { assignPasswordResetRoleCommand, verifyTenantConnection } from './verifyTenant';

/** What onboarding needs to know about the service itself. */
export interface OnboardingSettings {
  /** Entra authority host (https://login.microsoftonline.com). */
  readonly authorityHost: string;
  /** The service's multi-tenant app: the client of federated connections. */
  readonly serviceAppId: string;
}

/** A tenant as the API shows it: the secret's existence, never the secret or where it is kept. */
export function tenantView(tenant: Tenant): TenantView {
  const connection: TenantView['connection'] =
    tenant.connection.mode === 'clientSecret'
      ? { mode: 'clientSecret', clientId: tenant.connection.clientId, clientSecret: 'stored in Key Vault' }
      : { mode: 'federated' };
  return {
    tenantId: tenant.tenantId,
    displayName: tenant.displayName,
    jitDomain: tenant.jitDomain,
    protectedAccounts: tenant.protectedAccounts,
    tags: tenant.tags ?? [],
    connection,
    createdAt: tenant.createdAt,
    updatedAt: tenant.updatedAt,
  };
}

export function consentUrlOf(tenantId: string, clientId: string, settings: OnboardingSettings): string {
  const url = new URL(`${settings.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(tenantId)}/adminconsent`);
  url.searchParams.set('client_id', clientId);
  return url.toString();
}

function clientIdOf(connection: TenantConnection | TenantConnectionInput, settings: OnboardingSettings): string {
  return connection.mode === 'clientSecret' ? connection.clientId : settings.serviceAppId;
}

/** Runs the onboarding checks and keeps the result for the readiness list. */
async function verify(deps: AppDeps, tenant: Tenant, settings: OnboardingSettings): Promise<Verification> {
  const verification = await verifyTenantConnection(deps, tenant, {
    serviceAppId: settings.serviceAppId,
    consentUrl: consentUrlOf(tenant.tenantId, clientIdOf(tenant.connection, settings), settings),
  });
  await deps.config.recordVerification(verification);
  return verification;
}

/**
 * Every connected tenant's readiness in one list, from the verifications the service kept (on
 * connect, on a PATCH of the connection or JIT domain, on POST /tenants/{id}/verify): nothing is
 * checked again here, so 500 tenants answer in one read of each table partition.
 */
export async function tenantReadiness(deps: AppDeps, caller: Caller, query: ReadinessQuery): Promise<ReadinessList> {
  requireAdmin(caller);
  const [tenants, verifications] = await Promise.all([deps.config.listTenants(), deps.config.listVerifications()]);
  const latest = new Map(verifications.map((v) => [v.tenantId, v]));
  const all = tenants
    .sort((a, b) => a.displayName.localeCompare(b.displayName))
    .map((tenant) => {
      const verification = latest.get(tenant.tenantId);
      const status = verification === undefined ? 'unverified' : verification.ok ? 'ready' : 'notReady';
      return {
        tenantId: tenant.tenantId,
        displayName: tenant.displayName,
        tags: tenant.tags ?? [],
        status,
        lastVerifiedAt: verification?.checkedAt ?? null,
        failing: verification?.checks.filter((c) => !c.ok) ?? [],
      } as const;
    });
  const count = (status: string): number => all.filter((r) => r.status === status).length;
  return {
    items: query.status === undefined ? all : all.filter((r) => r.status === query.status),
    summary: {
      tenants: all.length,
      ready: count('ready'),
      notReady: count('notReady'),
      unverified: count('unverified'),
    },
  };
}

async function storedTenant(deps: AppDeps, tenantId: string): Promise<Versioned<Tenant>> {
  const stored = await deps.config.getTenant(tenantId);
  if (stored === null) throw new NotFoundError(`tenant ${tenantId} is not connected`);
  return stored;
}

/**
 * Connects a customer tenant: the client secret goes to Key Vault at once (the row keeps only the
 * secret's name), the row is created, and the connection is verified. A failing verification does
 * not undo the connection: consent or a role assignment often comes later; verify again then.
 */
export async function createTenant(
  deps: AppDeps,
  caller: Caller,
  body: CreateTenantBody,
  settings: OnboardingSettings,
): Promise<{ tenant: Versioned<Tenant>; verification: Verification }> {
  requireAdmin(caller);
  const tenantId = body.tenantId.toLowerCase();
  // Checked before the secret is written: the vault's name for it is per tenant.
  if ((await deps.config.getTenant(tenantId)) !== null)
    throw new ConflictError(`tenant ${tenantId} is already connected`, { tenantId });
  const connection = await storeConnection(deps, tenantId, body.connection);
  const now = deps.clock.now().toISOString();
  const tenant: Tenant = {
    tenantId,
    displayName: body.displayName,
    jitDomain: body.jitDomain,
    connection,
    protectedAccounts: (body.protectedAccounts ?? []).map((upn) => upn.toLowerCase()),
    tags: body.tags ?? [],
    createdAt: now,
    updatedAt: now,
  };
  try {
    await refuseFederatedJitDomain(deps, tenant);
  } catch (error) {
    // Refused: nothing of it stays, not even the secret just stored.
    if (connection.mode === 'clientSecret') await deps.vault.deleteTenantSecret(connection.secretName);
    throw error;
  }
  let created: Versioned<Tenant>;
  try {
    created = await deps.config.createTenant(tenant);
  } catch (error) {
    if (error instanceof AlreadyExistsError)
      throw new ConflictError(`tenant ${tenantId} is already connected`, { tenantId });
    throw error;
  }
  deps.directories.forget(tenantId);
  await auditChange(deps, caller, { action: 'tenant.created', tenantId, before: null, after: tenantView(tenant) });
  const verification = await verify(deps, tenant, settings);
  await auditVerification(deps, caller, verification);
  deps.log('info', 'tenant_connected', { tenantId, mode: connection.mode, verified: verification.ok });
  // The one place a tenant becomes connected: templates for tenants connected later apply here.
  await applyTemplatesToNewTenant(deps, caller, tenant);
  return { tenant: created, verification };
}

async function storeConnection(
  deps: AppDeps,
  tenantId: string,
  input: TenantConnectionInput,
): Promise<TenantConnection> {
  if (input.mode === 'federated') return { mode: 'federated' };
  const secretName = await deps.vault.putTenantSecret(tenantId, input.clientSecret);
  return { mode: 'clientSecret', clientId: input.clientId.toLowerCase(), secretName };
}

export async function listTenants(deps: AppDeps, caller: Caller): Promise<Tenant[]> {
  requireAdmin(caller);
  return (await deps.config.listTenants()).sort((a, b) => a.displayName.localeCompare(b.displayName));
}

export async function getTenant(deps: AppDeps, caller: Caller, tenantId: string): Promise<Versioned<Tenant>> {
  requireAdmin(caller);
  return storedTenant(deps, tenantId);
}

/** Changes a tenant; a new client secret is rotated in Key Vault. The connection is verified again when it or the JIT domain changed. */
export async function patchTenant(
  deps: AppDeps,
  caller: Caller,
  tenantId: string,
  body: PatchTenantBody,
  precondition: Precondition,
  settings: OnboardingSettings,
): Promise<{ tenant: Versioned<Tenant>; verification: Verification | null }> {
  requireAdmin(caller);
  const stored = await storedTenant(deps, tenantId);
  const etag = checkPrecondition(stored, precondition, `tenant ${tenantId}`);
  const before = stored.value;
  if (body.protectedAccounts !== undefined) await refuseProtectingLeasedAccounts(deps, before, body.protectedAccounts);
  // Checked with the connection in force, before a new secret (if any) replaces it.
  if (body.jitDomain !== undefined && body.jitDomain.toLowerCase() !== before.jitDomain.toLowerCase())
    await refuseFederatedJitDomain(deps, { ...before, jitDomain: body.jitDomain });
  const connection =
    body.connection === undefined ? before.connection : await storeConnection(deps, before.tenantId, body.connection);
  const next: Tenant = {
    ...before,
    ...(body.displayName !== undefined ? { displayName: body.displayName } : {}),
    ...(body.jitDomain !== undefined ? { jitDomain: body.jitDomain } : {}),
    ...(body.protectedAccounts !== undefined
      ? { protectedAccounts: body.protectedAccounts.map((u) => u.toLowerCase()) }
      : {}),
    ...(body.tags !== undefined ? { tags: body.tags } : {}),
    connection,
    updatedAt: deps.clock.now().toISOString(),
  };
  const replaced = await conditionally(precondition, `tenant ${tenantId}`, () => deps.config.replaceTenant(next, etag));
  deps.directories.forget(before.tenantId);
  if (before.connection.mode === 'clientSecret' && connection.mode === 'federated')
    await deps.vault.deleteTenantSecret(before.connection.secretName);
  const rotated = body.connection?.mode === 'clientSecret';
  await auditChange(deps, caller, {
    action: 'tenant.updated',
    tenantId: before.tenantId,
    before: tenantView(before),
    after: tenantView(next),
    details: { secretRotated: rotated },
  });
  let verification: Verification | null = null;
  if (body.connection !== undefined || body.jitDomain !== undefined) {
    verification = await verify(deps, next, settings);
    await auditVerification(deps, caller, verification);
  }
  return { tenant: replaced, verification };
}

/**
 * A federated jitDomain is refused at once (400): its users sign in at another identity provider,
 * so the password the service sets is not the credential that counts and disabling the account in
 * Entra ends nothing there. Only a definite answer refuses: a tenant whose consent is still to come
 * cannot be read yet, and `verify` reports that later.
 */
async function refuseFederatedJitDomain(deps: AppDeps, tenant: Tenant): Promise<void> {
  let authenticationType: string | null = null;
  try {
    const directory = await deps.directories.forTenant(tenant);
    authenticationType = (await directory.getDomain(tenant.jitDomain))?.authenticationType ?? null;
  } catch (error) {
    deps.log('info', 'tenant_domain_unreadable', {
      tenantId: tenant.tenantId,
      jitDomain: tenant.jitDomain,
      error: error instanceof Error ? error.name : 'unknown',
    });
  } finally {
    deps.directories.forget(tenant.tenantId);
  }
  if (authenticationType === 'Federated') {
    throw new ValidationError([
      {
        field: 'jitDomain',
        message: `${tenant.jitDomain} is a federated domain of tenant ${tenant.tenantId}: its users sign in at another identity provider, so the service could neither set their credential nor end their sessions. Use a managed, verified domain (e.g. the tenant's <name>.onmicrosoft.com domain)`,
      },
    ]);
  }
}

/**
 * A UPN a live lease uses cannot become protected (409 naming the lease): the lease would then be
 * neither revocable nor cleanly ended. Revoke it first.
 */
async function refuseProtectingLeasedAccounts(
  deps: AppDeps,
  tenant: Tenant,
  protectedAccounts: readonly string[],
): Promise<void> {
  const already = new Set(tenant.protectedAccounts.map((u) => u.toLowerCase()));
  const added = new Set(protectedAccounts.map((u) => u.toLowerCase()).filter((u) => !already.has(u)));
  if (added.size === 0) return;
  for (const request of await listLiveRequests(deps, tenant.tenantId)) {
    const account = 'account' in request ? request.account : null;
    const upn =
      account?.userPrincipalName ??
      (await deps.accounts.get(tenant.tenantId, request.requester.objectId))?.userPrincipalName;
    if (upn === undefined || !added.has(upn.toLowerCase())) continue;
    throw new ConflictError(
      `${upn} is the account of live lease ${request.id} (${request.status}); revoke the lease before protecting the account`,
      {
        liveRequests: [
          {
            id: request.id,
            status: request.status,
            targetId: request.targetId,
            requester: request.requester.userPrincipalName,
          },
        ],
      },
    );
  }
}

export async function verifyTenant(
  deps: AppDeps,
  caller: Caller,
  tenantId: string,
  settings: OnboardingSettings,
): Promise<Verification> {
  requireAdmin(caller);
  const stored = await storedTenant(deps, tenantId);
  const verification = await verify(deps, stored.value, settings);
  await auditVerification(deps, caller, verification);
  return verification;
}

async function auditVerification(deps: AppDeps, caller: Caller, verification: Verification): Promise<void> {
  await auditChange(deps, caller, {
    action: 'tenant.verified',
    tenantId: verification.tenantId,
    before: null,
    after: null,
    details: {
      ok: verification.ok,
      failed:
        verification.checks
          .filter((c) => !c.ok)
          .map((c) => c.name)
          .join(',') || null,
    },
  });
}

export async function getConsentUrl(
  deps: AppDeps,
  caller: Caller,
  tenantId: string,
  settings: OnboardingSettings,
): Promise<{ tenantId: string; clientId: string; consentUrl: string; instructions: string }> {
  requireAdmin(caller);
  const tenant = (await storedTenant(deps, tenantId)).value;
  const clientId = clientIdOf(tenant.connection, settings);
  return {
    tenantId: tenant.tenantId,
    clientId,
    consentUrl: consentUrlOf(tenant.tenantId, clientId, settings),
    instructions:
      'Send this link to a Global Administrator of the tenant. After they consent, they assign the app Privileged Authentication Administrator ' +
      `with Graph PowerShell: ${assignPasswordResetRoleCommand(tenant.tenantId, `(Get-MgServicePrincipal -Filter "appId eq '${clientId}'").Id`)} ` +
      `(or in the Entra admin center → Roles and administrators); then POST /api/tenants/${tenant.tenantId}/verify.`,
  };
}

export interface DeleteTenantOptions {
  readonly force: boolean;
  /** How long a forced delete waits for the revoked leases to end before answering. */
  readonly waitForRevocationMs: number;
  readonly pollIntervalMs?: number;
}

export interface DeleteTenantResult {
  readonly tenantId: string;
  readonly deleted: boolean;
  readonly revokedRequests: string[];
  readonly pendingRequests: string[];
  readonly deletedTargets: string[];
  readonly changedRules: string[];
}

/**
 * Disconnects a tenant. Live leases refuse it (409 naming them); with force, each is asked to
 * revoke and the delete waits for them to end: a tenant's row and secret are what revocation
 * needs, so nothing is deleted while a lease is still live (the answer then says which, and the
 * admin repeats the call). Its targets go with it, and rules lose their references to it.
 */
export async function deleteTenant(
  deps: AppDeps,
  orchestrations: LeaseOrchestrations,
  caller: Caller,
  tenantId: string,
  precondition: Precondition,
  options: DeleteTenantOptions,
): Promise<DeleteTenantResult> {
  requireAdmin(caller);
  const stored = await storedTenant(deps, tenantId);
  checkPrecondition(stored, precondition, `tenant ${tenantId}`);
  const tenant = stored.value;
  let live = await listLiveRequests(deps, tenant.tenantId);
  const revoked: string[] = [];
  if (live.length > 0) {
    if (!options.force) {
      throw new ConflictError(
        `tenant ${tenant.tenantId} has ${live.length} live lease(s): ${live.map((r) => r.id).join(', ')}; revoke them, or delete with ?force=true to revoke them first`,
        {
          liveRequests: live.map((r) => ({
            id: r.id,
            status: r.status,
            targetId: r.targetId,
            requester: r.requester.userPrincipalName,
          })),
        },
      );
    }
    for (const request of live) {
      try {
        await orchestrations.raise(request.id, 'revoke', { by: caller.userPrincipalName });
        revoked.push(request.id);
      } catch (error) {
        // An orchestration that can no longer take events has ended or is ending: the wait below tells.
        deps.log('warn', 'tenant_delete_revoke_not_raised', {
          tenantId: tenant.tenantId,
          requestId: request.id,
          error: error instanceof Error ? error.name : 'unknown',
        });
      }
    }
    await auditChange(deps, caller, {
      action: 'tenant.leases_revoked',
      tenantId: tenant.tenantId,
      before: null,
      after: null,
      details: { requests: revoked.join(',') },
    });
    const deadline = Date.now() + options.waitForRevocationMs;
    while (live.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 200));
      live = await listLiveRequests(deps, tenant.tenantId);
    }
    if (live.length > 0) {
      return {
        tenantId: tenant.tenantId,
        deleted: false,
        revokedRequests: revoked,
        pendingRequests: live.map((r) => r.id),
        deletedTargets: [],
        changedRules: [],
      };
    }
  }

  await deps.config.deleteTenant(tenant.tenantId);
  // A request submitted in the moment before the row went: put the tenant back, it needs it to end.
  const raced = await listLiveRequests(deps, tenant.tenantId);
  if (raced.length > 0) {
    await deps.config.createTenant(tenant).catch(() => undefined);
    throw new ConflictError(
      `a lease started on tenant ${tenant.tenantId} while it was being deleted (${raced.map((r) => r.id).join(', ')}); nothing was deleted, try again`,
      {
        liveRequests: raced.map((r) => ({
          id: r.id,
          status: r.status,
          targetId: r.targetId,
          requester: r.requester.userPrincipalName,
        })),
      },
    );
  }
  const targets = await deps.config.listTargets(tenant.tenantId);
  for (const target of targets) {
    await deps.config.deleteTarget(target.tenantId, target.targetId);
    await auditChange(deps, caller, {
      action: 'target.deleted',
      tenantId: target.tenantId,
      targetId: target.targetId,
      before: target,
      after: null,
      details: { cause: 'tenant deleted' },
    });
  }
  const changedRules = await pruneRules(deps, caller, { tenantId: tenant.tenantId });
  if (tenant.connection.mode === 'clientSecret') await deps.vault.deleteTenantSecret(tenant.connection.secretName);
  deps.directories.forget(tenant.tenantId);
  await auditChange(deps, caller, {
    action: 'tenant.deleted',
    tenantId: tenant.tenantId,
    before: tenantView(tenant),
    after: null,
    details: { revokedRequests: revoked.join(',') || null },
  });
  deps.log('info', 'tenant_disconnected', { tenantId: tenant.tenantId, revokedRequests: revoked.length });
  return {
    tenantId: tenant.tenantId,
    deleted: true,
    revokedRequests: revoked,
    pendingRequests: [],
    deletedTargets: targets.map((t) => t.targetId),
    changedRules,
  };
}
