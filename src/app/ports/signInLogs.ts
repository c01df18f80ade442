/** One sign-in of a user as the tenant's sign-in log records it (Graph `signIn`, the fields a report shows). */
export interface SignInRecord {
  readonly createdDateTime: string;
  readonly userPrincipalName: string;
  readonly appDisplayName: string | null;
  readonly ipAddress: string | null;
  /** 0 is a successful sign-in; anything else is Entra's AADSTS error code. */
  readonly errorCode: number;
  readonly failureReason: string | null;
  readonly conditionalAccessStatus: string | null;
  /** "City, state, country" as far as the log knows it; null when it knows nothing. */
  readonly location: string | null;
}

/**
 * The answer of a sign-in log read: the sign-ins, or why they could not be read. Only the reasons a
 * report states to its reader are answers here (the tenant's licence, a missing permission); any
 * other failure is an error.
 */
export type SignInLogRead =
  | { readonly readable: true; readonly signIns: readonly SignInRecord[] }
  | { readonly readable: false; readonly reason: 'no_premium_licence' | 'no_permission'; readonly detail: string };

/** A tenant's sign-in log (Graph `auditLogs/signIns`, AuditLog.Read.All, Entra ID P1 or P2). */
export interface SignInLogs {
  /** The user's sign-ins between `fromIso` and `toIso` (both included), newest first. */
  listSignIns(userObjectId: string, fromIso: string, toIso: string): Promise<SignInLogRead>;
}
