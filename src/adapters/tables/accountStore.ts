import { odata } from '@azure/data-tables';
import type { AccountStore } from '../../app/ports';
import { jitAccountSchema, type JitAccount } from '../../domain/jitAccount';
import { DocumentTable } from './documentTable';
import type { TableSet } from './tableSet';

/**
 * JIT accounts: partition = customer tenant id, row key = requester object id. The two lookups
 * the use cases make are "this technician's account in this tenant" (a point read) and "who holds
 * this UPN in this tenant" (one partition scan on the lower-cased UPN column: Entra compares UPNs
 * case-insensitively). The reconciler lists a tenant's accounts (one partition) or all of them.
 */
export class TableAccountStore implements AccountStore {
  private readonly rows: DocumentTable<typeof jitAccountSchema>;

  constructor(tables: TableSet) {
    this.rows = new DocumentTable(tables.table('Accounts'), jitAccountSchema, 'JIT account');
  }

  async get(tenantId: string, requesterObjectId: string): Promise<JitAccount | null> {
    return (await this.rows.get(tenantId, requesterObjectId))?.value ?? null;
  }

  async getByPrincipalName(tenantId: string, userPrincipalName: string): Promise<JitAccount | null> {
    const upn = userPrincipalName.toLowerCase();
    const found = await this.rows.list(odata`PartitionKey eq ${tenantId} and upnLower eq ${upn}`);
    return found[0] ?? null;
  }

  upsert(account: JitAccount): Promise<void> {
    return this.rows.upsert(
      {
        partitionKey: account.tenantId,
        rowKey: account.requesterObjectId,
        columns: { upnLower: account.userPrincipalName.toLowerCase() },
      },
      account,
    );
  }

  list(tenantId?: string): Promise<JitAccount[]> {
    return this.rows.list(tenantId === undefined ? undefined : odata`PartitionKey eq ${tenantId}`);
  }

  delete(tenantId: string, requesterObjectId: string): Promise<void> {
    return this.rows.delete(tenantId, requesterObjectId);
  }
}
