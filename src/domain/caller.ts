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
  /**
   * The token carried no `groups` but a groups overage (the user is in more than 200 groups) and
   * they could not be read from the home tenant: `groups` is then empty, not the truth.
   */
  readonly groupsOverage?: boolean;
  readonly roles: readonly string[];
  /** Conditional Access authentication contexts the token shows it satisfied (`acrs`, e.g. c1): see stepUp.ts. */
  readonly authenticationContexts?: readonly string[];
}

export function isAdmin(caller: Pick<Caller, 'roles'>): boolean {
  return caller.roles.includes(ADMIN_ROLE);
}
