import { odata } from '@azure/data-tables';
import { z } from 'zod';
import type { Integration, IntegrationStore, Versioned } from '../../app/ports';
import { psaMappingSchema } from '../../app/psa/common';
import { DocumentTable } from './documentTable';
import type { TableSet } from './tableSet';

/**
 * Ticketing integrations: one partition ('integration'), row key = integration id. A deleted one
 * stays as a tombstone (`deletedAt`), so deliveries still sent to it are refused and audited.
 */
const PARTITION = 'integration';

const base = {
  integrationId: z.uuid(),
  name: z.string().min(1).max(128),
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedAt: z.iso.datetime().optional(),
  deletedAt: z.iso.datetime().optional(),
  previousSecret: z.strictObject({ secretName: z.string().min(1), validUntil: z.iso.datetime() }).optional(),
};

/** One row per integration; the PSA kinds keep their (non-secret) mapping beside it. */
export const integrationSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...base, kind: z.literal('generic'), secretName: z.string().min(1) }),
  z.strictObject({ ...base, kind: z.literal('autotask'), secretName: z.string().min(1), mapping: psaMappingSchema }),
  z.strictObject({
    ...base,
    kind: z.literal('halopsa'),
    secretName: z.string().min(1),
    basicUsername: z.string().min(1),
    mapping: psaMappingSchema,
  }),
  z.strictObject({
    ...base,
    kind: z.literal('connectwise'),
    secretName: z.string().min(1).optional(),
    companyId: z.string().min(1),
    callbackKeyOrigin: z.string().min(1),
    mapping: psaMappingSchema,
  }),
]);

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
