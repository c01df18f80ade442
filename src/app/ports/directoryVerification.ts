import type { DirectoryUser } from './directoryAccounts';

export interface DirectoryDomain {
  readonly name: string;
  readonly isVerified: boolean;
  readonly authenticationType: 'Managed' | 'Federated';
}

export interface DirectorySignIn {
  /** Graph application permissions granted to the app, from the token's `roles`; null when unreadable. */
  readonly applicationPermissions: readonly string[] | null;
}

export interface DirectoryRoleDefinition {
  readonly templateId: string;
  readonly displayName: string;
  readonly description: string | null;
  readonly isBuiltIn: boolean;
  readonly isEnabled: boolean;
}

export interface DirectoryGroup {
  readonly id: string;
  readonly displayName: string;
  readonly isAssignableToRole: boolean;
  readonly securityEnabled: boolean;
  readonly mailEnabled: boolean;
  /** Members come from a membership rule (groupTypes has 'DynamicMembership'). */
  readonly isDynamic: boolean;
  /** A Microsoft 365 group (groupTypes has 'Unified'). */
  readonly isMicrosoft365: boolean;
  /** Synced from on-premises Active Directory, where its members are mastered. */
  readonly onPremisesSyncEnabled: boolean;
}

export interface DirectoryServicePrincipal {
  readonly objectId: string;
  readonly appId: string;
  readonly displayName: string;
}

/** Reads for onboarding (tenant verification) and target validation: can the service work in this tenant? */
export interface DirectoryVerification {
  /** Obtains a Graph token now (not from a cache); DependencyError('login') when Entra refuses. */
  signIn(): Promise<DirectorySignIn>;
  getDomain(name: string): Promise<DirectoryDomain | null>;
  /** The tenant's directory role definitions (built-in and custom). */
  listRoleDefinitions(): Promise<DirectoryRoleDefinition[]>;
  getGroup(groupId: string): Promise<DirectoryGroup | null>;
  /** The service principal of an application (by its client id) in this tenant. */
  getServicePrincipalByAppId(appId: string): Promise<DirectoryServicePrincipal | null>;
  /** The first `top` users: proves the app can read users. */
  listUsers(options: { readonly top: number }): Promise<DirectoryUser[]>;
}
