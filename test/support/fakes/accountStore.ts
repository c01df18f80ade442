import type { JitAccount } from '../../../src/domain/jitAccount';
import type { AccountStore, AccountWithNameHolders } from '../../../src/app/ports';
import { VersionedMap } from './versionedMap';

const keyOf = (tenantId: string, requesterObjectId: string): string => `${tenantId}|${requesterObjectId}`;

export class InMemoryAccountStore implements AccountStore {
  readonly rows = new VersionedMap<JitAccount>();

  get(tenantId: string, requesterObjectId: string): Promise<JitAccount | null> {
    return Promise.resolve(this.rows.get(keyOf(tenantId, requesterObjectId))?.value ?? null);
  }

  getByPrincipalName(tenantId: string, userPrincipalName: string): Promise<JitAccount | null> {
    const upn = userPrincipalName.toLowerCase();
    const found = this.rows.values().find((a) => a.tenantId === tenantId && a.userPrincipalName.toLowerCase() === upn);
    return Promise.resolve(found ?? null);
  }

  async getWithNameHolders(
    tenantId: string,
    requesterObjectId: string,
    userPrincipalNames: readonly string[],
  ): Promise<AccountWithNameHolders> {
    const holders = new Map<string, JitAccount>();
    for (const upn of userPrincipalNames) {
      const holder = await this.getByPrincipalName(tenantId, upn);
      if (holder !== null) holders.set(upn.toLowerCase(), holder);
    }
    return { own: await this.get(tenantId, requesterObjectId), holders };
  }

  upsert(account: JitAccount): Promise<void> {
    this.rows.put(keyOf(account.tenantId, account.requesterObjectId), account);
    return Promise.resolve();
  }

  list(tenantId?: string): Promise<JitAccount[]> {
    return Promise.resolve(this.rows.values().filter((a) => tenantId === undefined || a.tenantId === tenantId));
  }

  delete(tenantId: string, requesterObjectId: string): Promise<void> {
    this.rows.delete(keyOf(tenantId, requesterObjectId));
    return Promise.resolve();
  }
}
