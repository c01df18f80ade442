export interface LeaseCredentialMetadata {
  readonly requestId: string;
  readonly tenantId: string;
  readonly userPrincipalName: string;
  /** Key Vault's `expiresOn`: the lease end. */
  readonly expiresOn: Date;
}

export interface StoredLeaseCredential {
  readonly requestId: string;
  readonly expiresOn: Date | null;
}

export interface SecretVault {
  putLeaseCredential(password: string, metadata: LeaseCredentialMetadata): Promise<void>;
  getLeaseCredential(requestId: string): Promise<string | null>;
  /** Deletes (and purges where the vault allows); succeeds when already gone. */
  deleteLeaseCredential(requestId: string): Promise<void>;
  listLeaseCredentials(): Promise<StoredLeaseCredential[]>;
  /** Stores a customer tenant's client secret; returns the secret's name for the tenant row. */
  putTenantSecret(tenantId: string, secret: string): Promise<string>;
  getTenantSecret(secretName: string): Promise<string | null>;
  deleteTenantSecret(secretName: string): Promise<void>;
  /** Moves a live credential's `expiresOn` (the lease was extended); succeeds when it is gone. */
  updateLeaseCredentialExpiry(requestId: string, expiresOn: Date): Promise<void>;
  /**
   * Stores a ticketing integration's secret; returns the secret's name. A rotation passes a new
   * `version` so the secret it replaces stays readable during an overlap window.
   */
  putIntegrationSecret(integrationId: string, secret: string, options?: { readonly version?: string }): Promise<string>;
  getIntegrationSecret(secretName: string): Promise<string | null>;
  /** Deletes (and purges where the vault allows); succeeds when already gone. */
  deleteIntegrationSecret(secretName: string): Promise<void>;
}
