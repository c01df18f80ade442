import type { LeaseCredentialMetadata, SecretVault, StoredLeaseCredential } from '../../../src/app/ports';

/** SecretVault in memory; `lease`, `tenant` and `integration` are there to assert on. */
export class InMemorySecretVault implements SecretVault {
  readonly lease = new Map<string, { readonly value: string; expiresOn: Date }>();
  readonly tenant = new Map<string, string>();
  readonly integration = new Map<string, string>();

  putLeaseCredential(password: string, metadata: LeaseCredentialMetadata): Promise<void> {
    this.lease.set(metadata.requestId, { value: password, expiresOn: metadata.expiresOn });
    return Promise.resolve();
  }
  getLeaseCredential(requestId: string): Promise<string | null> {
    return Promise.resolve(this.lease.get(requestId)?.value ?? null);
  }
  deleteLeaseCredential(requestId: string): Promise<void> {
    this.lease.delete(requestId);
    return Promise.resolve();
  }
  listLeaseCredentials(): Promise<StoredLeaseCredential[]> {
    return Promise.resolve([...this.lease].map(([requestId, s]) => ({ requestId, expiresOn: s.expiresOn })));
  }
  updateLeaseCredentialExpiry(requestId: string, expiresOn: Date): Promise<void> {
    const stored = this.lease.get(requestId);
    if (stored !== undefined) stored.expiresOn = expiresOn;
    return Promise.resolve();
  }

  putTenantSecret(tenantId: string, secret: string): Promise<string> {
    const name = `tenant-${tenantId}`;
    this.tenant.set(name, secret);
    return Promise.resolve(name);
  }
  getTenantSecret(secretName: string): Promise<string | null> {
    return Promise.resolve(this.tenant.get(secretName) ?? null);
  }
  deleteTenantSecret(secretName: string): Promise<void> {
    this.tenant.delete(secretName);
    return Promise.resolve();
  }

  putIntegrationSecret(
    integrationId: string,
    secret: string,
    options: { readonly version?: string } = {},
  ): Promise<string> {
    const name = `integration-${integrationId}${options.version === undefined ? '' : `-${options.version}`}`;
    this.integration.set(name, secret);
    return Promise.resolve(name);
  }
  getIntegrationSecret(secretName: string): Promise<string | null> {
    return Promise.resolve(this.integration.get(secretName) ?? null);
  }
  deleteIntegrationSecret(secretName: string): Promise<void> {
    this.integration.delete(secretName);
    return Promise.resolve();
  }
}
