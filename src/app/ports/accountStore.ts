import type { JitAccount } from '../../domain/jitAccount';

export interface AccountStore {
  get(tenantId: string, requesterObjectId: string): Promise<JitAccount | null>;
  /** The account row holding this UPN in the tenant, whoever it belongs to. */
  getByPrincipalName(tenantId: string, userPrincipalName: string): Promise<JitAccount | null>;
  upsert(account: JitAccount): Promise<void>;
  list(tenantId?: string): Promise<JitAccount[]>;
  delete(tenantId: string, requesterObjectId: string): Promise<void>;
}
