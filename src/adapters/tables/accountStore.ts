import { odata } from '@azure/data-tables';
import type { AccountStore, AccountWithNameHolders } from '../../app/ports';
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

  /**
   * One query of the tenant's partition (a row per technician) instead of a point read and a UPN
   * query: a new technician's provisioning needs both answers before it creates anything.
   */
  async getWithNameHolders(
    tenantId: string,
    requesterObjectId: string,
    userPrincipalNames: readonly string[],
  ): Promise<AccountWithNameHolders> {
    const upns = [...new Set(userPrincipalNames.map((u) => u.toLowerCase()))];
    const either = [odata`RowKey eq ${requesterObjectId}`, ...upns.map((upn) => odata`upnLower eq ${upn}`)];
    const rows = await this.rows.list(odata`PartitionKey eq ${tenantId}` + ` and (${either.join(' or ')})`);
    const holders = new Map<string, JitAccount>();
    for (const row of rows) {
      const upn = row.userPrincipalName.toLowerCase();
      if (upns.includes(upn) && !holders.has(upn)) holders.set(upn, row);
    }
    return { own: rows.find((r) => r.requesterObjectId === requesterObjectId) ?? null, holders };
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
