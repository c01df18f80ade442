/** App roles of the service's API, from the token's `roles` claim. */
export const ADMIN_ROLE = 'Jit.Admin';
export const APPROVER_ROLE = 'Jit.Approver';

/** An authenticated caller of the API, from a validated home-tenant token. */
export interface Caller {
  readonly objectId: string;
  readonly tenantId: string;
  readonly userPrincipalName: string;
  readonly displayName: string | undefined;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
}

export function isAdmin(caller: Pick<Caller, 'roles'>): boolean {
  return caller.roles.includes(ADMIN_ROLE);
}
