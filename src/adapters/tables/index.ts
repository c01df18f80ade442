import type { AppPorts } from '../../app/ports';
import { TableAccountStore } from './accountStore';
import { TableAuditLog } from './auditLog';
import { TableConfigStore } from './configStore';
import { TableIntegrationStore } from './integrationStore';
import { TableOnceStore } from './onceStore';
import { TableLeaseLockStore } from './leaseLockStore';
import { TablePsaWriteBackQueue } from './psaWriteBackQueue';
import { TableRequestStore } from './requestStore';
import { TableSet, type TableConnection } from './tableSet';
import { TableTemplateStore } from './templateStore';

export { DEFAULT_TABLE_PREFIX, TableSet, type TableConnection, type TableKind } from './tableSet';
export { InvalidRowError } from './tableErrors';
export { MAX_STRING_PROPERTY_UTF16_UNITS } from './rows';

export type TableStores = Pick<
  AppPorts,
  | 'requests'
  | 'locks'
  | 'accounts'
  | 'config'
  | 'templates'
  | 'audit'
  | 'integrations'
  | 'idempotency'
  | 'webhookDeliveries'
  | 'psaWriteBacks'
>;

/** Every Table Storage store, sharing one set of clients (tables are created on first use). */
export function createTableStores(connection: TableConnection, tablePrefix?: string): TableStores {
  const tables = new TableSet(connection, tablePrefix);
  return {
    requests: new TableRequestStore(tables),
    locks: new TableLeaseLockStore(tables),
    accounts: new TableAccountStore(tables),
    config: new TableConfigStore(tables),
    templates: new TableTemplateStore(tables),
    audit: new TableAuditLog(tables),
    integrations: new TableIntegrationStore(tables),
    idempotency: new TableOnceStore(tables.table('Idempotency'), 'idempotency key'),
    webhookDeliveries: new TableOnceStore(tables.table('WebhookDeliveries'), 'webhook delivery'),
    psaWriteBacks: new TablePsaWriteBackQueue(tables),
  };
}
