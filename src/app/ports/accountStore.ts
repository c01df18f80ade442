import type { JitAccount } from '../../domain/jitAccount';

export interface AccountStore {
  get(tenantId: string, requesterObjectId: string): Promise<JitAccount | null>;
  /** The account row holding this UPN in the tenant, whoever it belongs to. */
  getByPrincipalName(tenantId: string, userPrincipalName: string): Promise<JitAccount | null>;
  /**
   * In one read: this technician's account row in the tenant, and the rows holding any of
   * `userPrincipalNames` (by lower-cased UPN; the first by row key, as getByPrincipalName answers).
   */
  getWithNameHolders(
    tenantId: string,
    requesterObjectId: string,
    userPrincipalNames: readonly string[],
  ): Promise<AccountWithNameHolders>;
  upsert(account: JitAccount): Promise<void>;
  list(tenantId?: string): Promise<JitAccount[]>;
  delete(tenantId: string, requesterObjectId: string): Promise<void>;
}

export interface AccountWithNameHolders {
  readonly own: JitAccount | null;
  readonly holders: ReadonlyMap<string, JitAccount>;
}
