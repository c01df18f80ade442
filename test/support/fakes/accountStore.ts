import type { JitAccount } from '../../../src/domain/jitAccount';
import type { AccountStore } from '../../../src/app/ports';
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
