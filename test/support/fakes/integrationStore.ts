import type { IntegrationStore, Versioned } from '../../../src/app/ports';
import { VersionedMap } from './versionedMap';

type Integration = Parameters<IntegrationStore['create']>[0];

/** IntegrationStore in memory: rows stay as tombstones once deleted, and `list` leaves those out. */
export class InMemoryIntegrationStore implements IntegrationStore {
  readonly rows = new VersionedMap<Integration>();

  create(integration: Integration): Promise<Versioned<Integration>> {
    const id = integration.integrationId;
    return Promise.resolve(this.rows.create(id, integration, `integration ${id}`));
  }
  get(integrationId: string): Promise<Versioned<Integration> | null> {
    return Promise.resolve(this.rows.get(integrationId));
  }
  replace(integration: Integration, etag: string): Promise<Versioned<Integration>> {
    const id = integration.integrationId;
    return Promise.resolve(this.rows.replace(id, integration, etag, `integration ${id}`));
  }
  list(): Promise<Integration[]> {
    return Promise.resolve(this.rows.values().filter((i) => i.deletedAt === undefined));
  }
}
