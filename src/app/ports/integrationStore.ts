import type { Integration } from '../../domain/integration';
import type { Versioned } from './versioned';

export type { Integration, IntegrationKind } from '../../domain/integration';

export interface IntegrationStore {
  create(integration: Integration): Promise<Versioned<Integration>>;
  /** The row, tombstones included (null when there never was one). */
  get(integrationId: string): Promise<Versioned<Integration> | null>;
  /** Throws ConcurrencyError when the row changed since `etag` was read. */
  replace(integration: Integration, etag: string): Promise<Versioned<Integration>>;
  /** Every integration that is not deleted. */
  list(): Promise<Integration[]>;
}
