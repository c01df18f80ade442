/** An authenticated caller of the API, from a validated home-tenant token. */
export interface Caller {
  readonly objectId: string;
  readonly tenantId: string;
  readonly userPrincipalName: string;
  readonly displayName: string | undefined;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
}
