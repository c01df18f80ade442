import { odata } from '@azure/data-tables';
import type { IntegrationStore, Versioned } from '../../app/ports';
import { integrationSchema, type Integration } from '../../domain/integration';
import { DocumentTable } from './documentTable';
import type { TableSet } from './tableSet';

/**
 * Ticketing integrations: one partition ('integration'), row key = integration id, the row read and
 * written with the domain's integrationSchema. A deleted one stays as a tombstone (`deletedAt`), so
 * deliveries still sent to it are refused and audited.
 */
const PARTITION = 'integration';

export class TableIntegrationStore implements IntegrationStore {
  private readonly rows: DocumentTable<typeof integrationSchema>;

  constructor(tables: TableSet) {
    this.rows = new DocumentTable(tables.table('Integrations'), integrationSchema, 'integration');
  }

  create(integration: Integration): Promise<Versioned<Integration>> {
    return this.rows.create({ partitionKey: PARTITION, rowKey: integration.integrationId }, integration);
  }

  get(integrationId: string): Promise<Versioned<Integration> | null> {
    return this.rows.get(PARTITION, integrationId);
  }

  replace(integration: Integration, etag: string): Promise<Versioned<Integration>> {
    return this.rows.replace({ partitionKey: PARTITION, rowKey: integration.integrationId }, integration, etag);
  }

  async list(): Promise<Integration[]> {
    return (await this.rows.list(odata`PartitionKey eq ${PARTITION}`)).filter((i) => i.deletedAt === undefined);
  }
}
