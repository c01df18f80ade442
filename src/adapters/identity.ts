import { createHash } from 'node:crypto';
import {
  ClientAssertionCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import type { SecretVault } from '../app/ports';
import type { Tenant } from '../domain/config';
import { DependencyError } from '../domain/errors';
import type { Settings } from '../settings';

/**
 * Credentials, built from settings. Token caching lives inside each credential object (MSAL), so
 * the point of this module is to build each credential once and keep reusing it.
 */

/** Entra's token exchange audience for workload identity federation (managed identity as the assertion). */
const TOKEN_EXCHANGE_SCOPE = 'api://AzureADTokenExchange/.default';

/**
 * The service's own identity for Key Vault and Table Storage: a user-assigned managed identity in
 * Azure; locally the service app's client secret against the sandbox's login endpoint.
 */
export function createServiceCredential(settings: Settings): TokenCredential {
  if (settings.JIT_SERVICE_CLIENT_SECRET !== undefined) {
    return new ClientSecretCredential(
      settings.JIT_HOME_TENANT_ID,
      settings.JIT_API_CLIENT_ID,
      settings.JIT_SERVICE_CLIENT_SECRET,
      authorityOptions(settings),
    );
  }
  return new ManagedIdentityCredential({ clientId: requireManagedIdentity(settings) });
}

function authorityOptions(settings: Settings): { authorityHost: string; disableInstanceDiscovery: true } {
  // Instance discovery asks the public cloud whether the authority is known: off, so the local
  // stack never reaches the internet and a sovereign-cloud authority host is taken as given.
  return { authorityHost: settings.JIT_AUTHORITY_HOST, disableInstanceDiscovery: true };
}

function requireManagedIdentity(settings: Settings): string {
  if (settings.JIT_MANAGED_IDENTITY_CLIENT_ID === undefined) {
    throw new DependencyError(
      'JIT_MANAGED_IDENTITY_CLIENT_ID is not set: the service has no managed identity',
      'login',
      'ManagedIdentityMissing',
    );
  }
  return settings.JIT_MANAGED_IDENTITY_CLIENT_ID;
}

/** Re-read a tenant's client secret this often, so a rotated secret is picked up without a restart. */
const SECRET_RECHECK_MS = 10 * 60_000;

interface CachedCredential {
  readonly key: string;
  readonly credential: TokenCredential;
  readonly secretDigest: string | null;
  checkedAt: number;
}

/**
 * The credential for Graph in each customer tenant, cached per tenant:
 * - `clientSecret`: the tenant's own app registration, its secret read from Key Vault;
 * - `federated`: the service's multi-tenant app, with the managed identity's token for
 *   api://AzureADTokenExchange as the client assertion (no secret anywhere). This needs a managed
 *   identity, so it only works in Azure.
 */
export class TenantCredentials {
  private readonly cache = new Map<string, CachedCredential>();
  private managedIdentity: TokenCredential | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly vault: Pick<SecretVault, 'getTenantSecret'>,
    private readonly now: () => number = Date.now,
  ) {}

  async forTenant(tenant: Tenant): Promise<TokenCredential> {
    const connection = tenant.connection;
    const key =
      connection.mode === 'clientSecret' ? `secret:${connection.clientId}:${connection.secretName}` : 'federated';
    const cached = this.cache.get(tenant.tenantId);
    const fresh = cached !== undefined && cached.key === key && this.now() - cached.checkedAt < SECRET_RECHECK_MS;
    if (fresh) return cached.credential;

    if (connection.mode === 'federated') {
      const credential = cached?.key === key ? cached.credential : this.federated(tenant.tenantId);
      this.cache.set(tenant.tenantId, { key, credential, secretDigest: null, checkedAt: this.now() });
      return credential;
    }

    const secret = await this.vault.getTenantSecret(connection.secretName);
    if (secret === null) {
      throw new DependencyError(
        `the client secret of tenant ${tenant.tenantId} (Key Vault secret ${connection.secretName}) is missing: reconnect the tenant`,
        'keyVault',
        'TenantSecretMissing',
      );
    }
    const digest = createHash('sha256').update(secret).digest('hex');
    // Same secret as before: keep the credential object, and with it the tokens it has cached.
    const credential =
      cached?.key === key && cached.secretDigest === digest
        ? cached.credential
        : new ClientSecretCredential(tenant.tenantId, connection.clientId, secret, authorityOptions(this.settings));
    this.cache.set(tenant.tenantId, { key, credential, secretDigest: digest, checkedAt: this.now() });
    return credential;
  }

  /** Drops a tenant's credential, e.g. after the directory refused its token. */
  forget(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  private federated(tenantId: string): TokenCredential {
    if (
      this.settings.JIT_SERVICE_CLIENT_SECRET !== undefined ||
      this.settings.JIT_MANAGED_IDENTITY_CLIENT_ID === undefined
    ) {
      throw new DependencyError(
        `tenant ${tenantId} uses a federated connection, which needs the service's managed identity (Azure only); ` +
          'the local stack supports clientSecret connections only',
        'login',
        'FederatedConnectionUnsupported',
      );
    }
    this.managedIdentity ??= new ManagedIdentityCredential({ clientId: this.settings.JIT_MANAGED_IDENTITY_CLIENT_ID });
    const managedIdentity = this.managedIdentity;
    const getAssertion = async (): Promise<string> => {
      const token = await managedIdentity.getToken(TOKEN_EXCHANGE_SCOPE);
      if (token === null)
        throw new DependencyError(
          'the managed identity returned no token for api://AzureADTokenExchange',
          'login',
          'NoAssertion',
        );
      return token.token;
    };
    return new ClientAssertionCredential(
      tenantId,
      this.settings.JIT_API_CLIENT_ID,
      getAssertion,
      authorityOptions(this.settings),
    );
  }
}
