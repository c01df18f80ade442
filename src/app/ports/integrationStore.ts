import type { PsaMapping } from '../psa/common';
import type { Versioned } from './versioned';

interface IntegrationBase {
  readonly integrationId: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt?: string;
  /** Deleted by an admin: the row stays as a tombstone so late deliveries are refused and audited. */
  readonly deletedAt?: string;
  /** The secret replaced by the last rotation, still accepted until `validUntil` (an overlap window). */
  readonly previousSecret?: { readonly secretName: string; readonly validUntil: string };
}

/**
 * A ticketing integration: the generic signed event, or a PSA's native webhooks with the mapping
 * from its tickets to access requests (src/app/psa). `secretName` names the Key Vault secret that
 * authenticates deliveries (the generic and Autotask HMAC keys, HaloPSA's Basic password); the
 * secret itself is never stored here. ConnectWise signs with a key its own site serves; its
 * `secretName` is the secret carried in the callback URL (absent on rows made before that existed:
 * such an integration refuses callbacks until its secret is rotated).
 */
export type Integration =
  | (IntegrationBase & { readonly kind: 'generic'; readonly secretName: string })
  | (IntegrationBase & { readonly kind: 'autotask'; readonly secretName: string; readonly mapping: PsaMapping })
  | (IntegrationBase & {
      readonly kind: 'halopsa';
      readonly secretName: string;
      readonly basicUsername: string;
      readonly mapping: PsaMapping;
    })
  | (IntegrationBase & {
      readonly kind: 'connectwise';
      readonly secretName?: string;
      readonly companyId: string;
      readonly callbackKeyOrigin: string;
      readonly mapping: PsaMapping;
    });

export type IntegrationKind = Integration['kind'];

export interface IntegrationStore {
  create(integration: Integration): Promise<Versioned<Integration>>;
  /** The row, tombstones included (null when there never was one). */
  get(integrationId: string): Promise<Versioned<Integration> | null>;
  /** Throws ConcurrencyError when the row changed since `etag` was read. */
  replace(integration: Integration, etag: string): Promise<Versioned<Integration>>;
  /** Every integration that is not deleted. */
  list(): Promise<Integration[]>;
}
