import { SecretClient, type SecretClientOptions } from '@azure/keyvault-secrets';
import type { TokenCredential } from '@azure/identity';
import type { LeaseCredentialMetadata, SecretVault, StoredLeaseCredential } from '../../app/ports';
import { TransientDependencyError, ValidationError } from '../../domain/errors';
import { toVaultError, vaultInnerCode, vaultStatus } from './keyVaultErrors';

/**
 * Secrets in Key Vault: each lease's live credential (`lease-<requestId>`, expiring at the lease
 * end) and each customer tenant's app secret (`tenant-<tenantId>`). Tags say what a secret is, so
 * the reconciler can list lease credentials without reading any value.
 */
const LEASE_KIND = 'lease-credential';
const TENANT_KIND = 'tenant-secret';
const INTEGRATION_KIND = 'integration-secret';
/** Key Vault's inner code while a deletion or purge is still completing (409). */
const BEING_DELETED = 'ObjectIsBeingDeleted';
/** Key Vault secret names: 1–127 letters, digits and dashes. */
const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;
/** Ids become part of a secret name: letters, digits and dashes only (a UUID fits). */
const NAME_PART = /^[0-9A-Za-z-]{1,100}$/;

export interface KeyVaultSecretVaultOptions {
  /** Poll interval while a deletion or recovery completes (the SDK's default is 2 s). */
  readonly pollIntervalInMs?: number;
  /** Waits between attempts to write a name whose purge is still completing. */
  readonly purgeWaitsInMs?: readonly number[];
}

export class KeyVaultSecretVault implements SecretVault {
  private readonly client: SecretClient;
  private readonly pollIntervalInMs: number;
  private readonly purgeWaitsInMs: readonly number[];

  constructor(vaultUrl: string, credential: TokenCredential, options: KeyVaultSecretVaultOptions = {}) {
    const host = new URL(vaultUrl).hostname;
    this.client = new SecretClient(vaultUrl, credential, {
      // The SDK checks that the challenge's resource matches the vault's domain; a vault that is
      // not *.vault.azure.net (the local sandbox, sovereign clouds) must opt out of that check.
      disableChallengeResourceVerification: !host.endsWith('.vault.azure.net'),
      additionalPolicies: [{ policy: plainTextContentType, position: 'perCall' }],
    });
    this.pollIntervalInMs = options.pollIntervalInMs ?? 500;
    this.purgeWaitsInMs = options.purgeWaitsInMs ?? [500, 1000, 2000, 4000, 8000];
  }

  async putLeaseCredential(password: string, metadata: LeaseCredentialMetadata): Promise<void> {
    const name = leaseSecretName(metadata.requestId);
    await this.put(name, password, {
      expiresOn: metadata.expiresOn,
      tags: {
        kind: LEASE_KIND,
        requestId: metadata.requestId,
        tenantId: metadata.tenantId,
        upn: metadata.userPrincipalName,
      },
    });
  }

  async getLeaseCredential(requestId: string): Promise<string | null> {
    return this.get(leaseSecretName(requestId));
  }

  async deleteLeaseCredential(requestId: string): Promise<void> {
    return this.delete(leaseSecretName(requestId));
  }

  async listLeaseCredentials(): Promise<StoredLeaseCredential[]> {
    const found: StoredLeaseCredential[] = [];
    try {
      for await (const properties of this.client.listPropertiesOfSecrets()) {
        const tags = properties.tags ?? {};
        if (tags.kind !== LEASE_KIND || tags.requestId === undefined) continue;
        found.push({ requestId: tags.requestId, expiresOn: properties.expiresOn ?? null });
      }
    } catch (error) {
      throw toVaultError(error, 'list lease credentials');
    }
    return found;
  }

  async putTenantSecret(tenantId: string, secret: string): Promise<string> {
    const name = `tenant-${namePart('tenantId', tenantId)}`;
    await this.put(name, secret, { tags: { kind: TENANT_KIND, tenantId } });
    return name;
  }

  async getTenantSecret(secretName: string): Promise<string | null> {
    return this.get(secretNameOf(secretName));
  }

  async deleteTenantSecret(secretName: string): Promise<void> {
    return this.delete(secretNameOf(secretName));
  }

  async updateLeaseCredentialExpiry(requestId: string, expiresOn: Date): Promise<void> {
    const name = leaseSecretName(requestId);
    try {
      const current = await this.client.getSecret(name);
      const version = current.properties.version;
      if (version === undefined) return;
      await this.client.updateSecretProperties(name, version, { expiresOn, tags: current.properties.tags ?? {} });
    } catch (error) {
      if (vaultStatus(error) === 404) return;
      throw toVaultError(error, `update expiry of secret ${name}`);
    }
  }

  async putIntegrationSecret(
    integrationId: string,
    secret: string,
    options: { readonly version?: string } = {},
  ): Promise<string> {
    const suffix = options.version === undefined ? '' : `-${namePart('version', options.version)}`;
    const name = `integration-${namePart('integrationId', integrationId)}${suffix}`;
    await this.put(name, secret, { tags: { kind: INTEGRATION_KIND, integrationId } });
    return name;
  }

  async getIntegrationSecret(secretName: string): Promise<string | null> {
    return this.get(secretNameOf(secretName));
  }

  async deleteIntegrationSecret(secretName: string): Promise<void> {
    return this.delete(secretNameOf(secretName));
  }

  // ── The three operations, with Key Vault's soft-delete rules ────────────────────────────────────

  private async put(
    name: string,
    value: string,
    options: { expiresOn?: Date; tags: Record<string, string> },
  ): Promise<void> {
    const write = async (): Promise<'written' | 'softDeleted' | 'beingDeleted'> => {
      try {
        await this.client.setSecret(name, value, options);
        return 'written';
      } catch (error) {
        if (vaultStatus(error) !== 409) throw toVaultError(error, `write secret ${name}`);
        return vaultInnerCode(error) === BEING_DELETED ? 'beingDeleted' : 'softDeleted';
      }
    };
    for (const wait of [0, ...this.purgeWaitsInMs]) {
      await sleep(wait);
      const outcome = await write();
      if (outcome === 'written') return;
      // Soft-deleted (a retried activity, a tenant connected again): clear the name, write at once.
      // Being deleted or purged ("ObjectIsBeingDeleted"): the name stays taken a while; wait.
      if (outcome === 'softDeleted' && (await this.clearDeletedName(name)) && (await write()) === 'written') return;
    }
    throw new TransientDependencyError(
      `Key Vault write secret ${name} failed: the name is still being purged; try again`,
    );
  }

  /**
   * Purge, so no old value survives; where purge protection refuses that, recover the deleted
   * secret instead and write a new version over it (the old versions stay, as the vault requires).
   * False while the deletion itself is still completing: neither can be done yet.
   */
  private async clearDeletedName(name: string): Promise<boolean> {
    try {
      await this.client.purgeDeletedSecret(name);
      return true;
    } catch (error) {
      const status = vaultStatus(error);
      if (status === 404) return true; // purged or recovered meanwhile
      if (status === 409 && vaultInnerCode(error) === BEING_DELETED) return false;
      if (status !== 403 && status !== 409) throw toVaultError(error, `purge deleted secret ${name}`);
    }
    try {
      const poller = await this.client.beginRecoverDeletedSecret(name, { intervalInMs: this.pollIntervalInMs });
      await poller.pollUntilDone();
    } catch (error) {
      const status = vaultStatus(error);
      if (status === 409 && vaultInnerCode(error) === BEING_DELETED) return false;
      if (status !== 404) throw toVaultError(error, `recover deleted secret ${name}`);
    }
    return true;
  }

  private async get(name: string): Promise<string | null> {
    try {
      const secret = await this.client.getSecret(name);
      return secret.value ?? null;
    } catch (error) {
      if (vaultStatus(error) === 404) return null;
      throw toVaultError(error, `read secret ${name}`);
    }
  }

  /**
   * Soft-delete, then purge. The purge is sent straight after the DELETE instead of polling the
   * deleted secret until it shows (a GET per poll): the deletion completes asynchronously, and
   * until it has, Key Vault refuses the purge with 409 "currently being deleted"
   * (Azure/azure-cli#12722, hashicorp/terraform-provider-azurerm#10454), so a 409 is met by waiting
   * and purging again. A purge still refused after those waits, or refused for good (purge
   * protection: 403), is fine: the deleted value cannot be read without recovering it, and a lease's
   * password is rotated at revocation anyway. Deleting what is already gone succeeds, and still
   * tries the purge a previous attempt may not have reached.
   */
  private async delete(name: string): Promise<void> {
    // The SDK has no plain DELETE: beginDeleteSecret sends it and then, before returning, one GET of
    // the deleted secret (its first poll). Once the DELETE is answered that GET is cancelled, unsent.
    const afterDelete = new AbortController();
    let deleted = false;
    try {
      await this.client.beginDeleteSecret(name, {
        intervalInMs: this.pollIntervalInMs,
        abortSignal: afterDelete.signal,
        onResponse: (response) => {
          if (response.request.method !== 'DELETE' || response.status !== 200) return;
          deleted = true;
          afterDelete.abort();
        },
      });
    } catch (error) {
      if (!deleted && vaultStatus(error) !== 404) throw toVaultError(error, `delete secret ${name}`);
    }
    for (const wait of [0, ...this.purgeWaitsInMs]) {
      await sleep(wait);
      try {
        await this.client.purgeDeletedSecret(name);
        return;
      } catch (error) {
        const status = vaultStatus(error);
        if (status === 404 || status === 403) return;
        if (status !== 409) throw toVaultError(error, `purge deleted secret ${name}`);
      }
    }
  }
}

type PipelinePolicy = NonNullable<SecretClientOptions['additionalPolicies']>[number]['policy'];

/**
 * Every secret we write is text: mark it `text/plain`. @azure/keyvault-secrets 4.11 accepts a
 * `contentType` option on setSecret but never sends it (Azure/azure-sdk-for-js#38300), so this
 * policy adds it to the PUT body. The body (which holds the value) is only re-serialised in memory.
 */
const plainTextContentType: PipelinePolicy = {
  name: 'jitPlainTextContentType',
  sendRequest(request, next) {
    if (
      request.method === 'PUT' &&
      /\/secrets\/[^/]+$/.test(new URL(request.url).pathname) &&
      typeof request.body === 'string'
    ) {
      const body = parseObject(request.body);
      if (body !== null && body.contentType === undefined)
        request.body = JSON.stringify({ ...body, contentType: 'text/plain' });
    }
    return next(request);
  },
};

/** Never throws: a parse error message could quote the body, and the body holds the secret. */
function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function leaseSecretName(requestId: string): string {
  return `lease-${namePart('requestId', requestId)}`;
}

function namePart(field: string, value: string): string {
  if (!NAME_PART.test(value))
    throw new ValidationError([{ field, message: 'must hold only letters, digits and dashes' }]);
  return value;
}

function secretNameOf(secretName: string): string {
  if (!SECRET_NAME.test(secretName))
    throw new ValidationError([{ field: 'secretName', message: 'is not a Key Vault secret name' }]);
  return secretName;
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
