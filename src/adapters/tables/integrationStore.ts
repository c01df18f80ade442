import { odata } from '@azure/data-tables';
import { z } from 'zod';
import type { Integration, IntegrationStore } from '../../app/ports';
import { psaMappingSchema } from '../../app/psa/common';
import { DocumentTable } from './documentTable';
import type { TableSet } from './tableSet';

/** Ticketing integrations: one partition ('integration'), row key = integration id. */
const PARTITION = 'integration';

const base = {
  integrationId: z.uuid(),
  name: z.string().min(1).max(128),
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
};

/** One row per integration; the PSA kinds keep their (non-secret) mapping beside it. */
export const integrationSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...base, kind: z.literal('generic'), secretName: z.string().min(1) }),
  z.strictObject({ ...base, kind: z.literal('autotask'), secretName: z.string().min(1), mapping: psaMappingSchema }),
  z.strictObject({ ...base, kind: z.literal('halopsa'), secretName: z.string().min(1), basicUsername: z.string().min(1), mapping: psaMappingSchema }),
  z.strictObject({ ...base, kind: z.literal('connectwise'), companyId: z.string().min(1), callbackKeyOrigin: z.string().min(1), mapping: psaMappingSchema }),
]);

export class TableIntegrationStore implements IntegrationStore {
  private readonly rows: DocumentTable<typeof integrationSchema>;

  constructor(tables: TableSet) {
    this.rows = new DocumentTable(tables.table('Integrations'), integrationSchema, 'integration');
  }

  async create(integration: Integration): Promise<void> {
    await this.rows.create({ partitionKey: PARTITION, rowKey: integration.integrationId }, integration);
  }

  async get(integrationId: string): Promise<Integration | null> {
    return (await this.rows.get(PARTITION, integrationId))?.value ?? null;
  }

  list(): Promise<Integration[]> {
    return this.rows.list(odata`PartitionKey eq ${PARTITION}`);
  }
}
