import { randomUUID } from 'node:crypto';
import { ClientAssertionCredential, ClientSecretCredential, ManagedIdentityCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { createServiceCredential, TenantCredentials } from '../../src/adapters/identity';
import type { Tenant } from '../../src/domain/config';
import { DependencyError } from '../../src/domain/errors';
import { settingsSchema, type Settings } from '../../src/settings';

const base = {
  JIT_HOME_TENANT_ID: randomUUID(),
  JIT_API_CLIENT_ID: randomUUID(),
  JIT_KEY_VAULT_URL: 'https://jit-test.vault.azure.net',
  JIT_TABLES_ENDPOINT: 'https://jittest.table.core.windows.net',
};
const azure: Settings = settingsSchema.parse({ ...base, JIT_MANAGED_IDENTITY_CLIENT_ID: randomUUID() });
const local: Settings = settingsSchema.parse({
  ...base,
  JIT_SERVICE_CLIENT_SECRET: 'local-secret',
  JIT_AUTHORITY_HOST: 'https://127.0.0.1:7443',
});

function tenant(connection: Tenant['connection']): Tenant {
  const now = new Date().toISOString();
  return {
    tenantId: randomUUID(),
    displayName: 'T',
    jitDomain: 't.example',
    connection,
    protectedAccounts: [],
    createdAt: now,
    updatedAt: now,
  };
}

/** A vault holding one tenant secret that the test can change. */
function fakeVault(initial: string | null): {
  secret: string | null;
  reads: number;
  getTenantSecret(name: string): Promise<string | null>;
} {
  return {
    secret: initial,
    reads: 0,
    async getTenantSecret() {
      this.reads += 1;
      return this.secret;
    },
  };
}

describe('identity', () => {
  it('uses the managed identity in Azure and the service app secret locally', () => {
    expect(createServiceCredential(azure)).toBeInstanceOf(ManagedIdentityCredential);
    expect(createServiceCredential(local)).toBeInstanceOf(ClientSecretCredential);
  });

  it('reuses a tenant credential (and its token cache) until the secret actually changes', async () => {
    let now = 0;
    const vault = fakeVault('secret-1');
    const credentials = new TenantCredentials(local, vault, () => now);
    const t = tenant({ mode: 'clientSecret', clientId: randomUUID(), secretName: 'tenant-x' });

    const first = await credentials.forTenant(t);
    expect(first).toBeInstanceOf(ClientSecretCredential);
    expect(await credentials.forTenant(t)).toBe(first);
    expect(vault.reads).toBe(1);

    now += 11 * 60_000; // past the re-check interval, same secret: same object
    expect(await credentials.forTenant(t)).toBe(first);
    expect(vault.reads).toBe(2);

    vault.secret = 'secret-2';
    now += 11 * 60_000;
    const rotated = await credentials.forTenant(t);
    expect(rotated).not.toBe(first);

    credentials.forget(t.tenantId);
    expect(await credentials.forTenant(t)).not.toBe(rotated);
  });

  it('fails clearly when the tenant secret is missing from the vault', async () => {
    const credentials = new TenantCredentials(local, fakeVault(null));
    const missing = credentials.forTenant(
      tenant({ mode: 'clientSecret', clientId: randomUUID(), secretName: 'tenant-gone' }),
    );
    await expect(missing).rejects.toBeInstanceOf(DependencyError);
    await expect(missing).rejects.toMatchObject({ dependency: 'keyVault', code: 'TenantSecretMissing' });
  });

  it('builds a federated credential in Azure and refuses one on the local stack', async () => {
    const federated = tenant({ mode: 'federated' });
    expect(await new TenantCredentials(azure, fakeVault(null)).forTenant(federated)).toBeInstanceOf(
      ClientAssertionCredential,
    );
    await expect(new TenantCredentials(local, fakeVault(null)).forTenant(federated)).rejects.toMatchObject({
      dependency: 'login',
      code: 'FederatedConnectionUnsupported',
    });
  });
});
