import type { PrincipalRef, Tenant } from '../../domain/config';
import type { TemporaryAccessPassPolicy } from '../../domain/temporaryAccessPassPolicy';
import type { OutgoingMail } from './leaseMailer';

/** Why a name could not be had: its UPN, or the mailNickname/proxyAddresses made from it, is in use. */
export type NameTaken = 'principalNameTaken' | 'mailNicknameTaken';

export interface DirectoryUser {
  readonly objectId: string;
  readonly userPrincipalName: string;
  readonly accountEnabled: boolean;
  readonly signInSessionsValidFromDateTime: string | null;
  readonly lastPasswordChangeDateTime: string | null;
  /** Graph's employeeId: on a JIT account, the creation marker it was created with (users reads only). */
  readonly employeeId?: string | null;
}

export interface AccessGrant {
  readonly roleTemplateIds: readonly string[];
  readonly groupIds: readonly string[];
}

export interface DirectoryAccess {
  readonly user: DirectoryUser;
  readonly roleAssignments: RoleAssignment[];
  /** Direct group memberships. */
  readonly groupIds: string[];
}

export interface DirectoryDomain {
  readonly name: string;
  readonly isVerified: boolean;
  readonly authenticationType: 'Managed' | 'Federated';
}

export interface RoleAssignment {
  readonly assignmentId: string;
  readonly roleTemplateId: string;
}

export interface NewAccount {
  readonly userPrincipalName: string;
  readonly displayName: string;
  readonly mailNickname: string;
  /** The account is created disabled, with this throwaway password nobody keeps. */
  readonly initialPassword: string;
  /**
   * A nonce only the service knows, written as the account's employeeId (Graph: at most 16
   * characters): a retry after a lost answer adopts a user at this UPN only when it carries it.
   */
  readonly creationMarker?: string;
}

export interface Directory {
  readonly tenantId: string;
  getDomain(name: string): Promise<DirectoryDomain | null>;
  getUser(objectId: string): Promise<DirectoryUser | null>;
  getUserByPrincipalName(userPrincipalName: string): Promise<DirectoryUser | null>;
  /**
   * Creates a disabled account. Answers 'principalNameTaken' when the UPN belongs to another
   * object, 'mailNicknameTaken' when the mailNickname/proxyAddresses made from it does.
   */
  createDisabledAccount(account: NewAccount): Promise<DirectoryUser | NameTaken>;
  /** One write: sets the password (no change forced at sign-in) and enables the account. */
  setPasswordAndEnable(objectId: string, password: string): Promise<void>;
  /** Succeeds when the account is already disabled. */
  disableAccount(objectId: string): Promise<void>;
  setPassword(objectId: string, password: string): Promise<void>;
  revokeSessions(objectId: string): Promise<void>;
  listRoleAssignments(principalId: string): Promise<RoleAssignment[]>;
  /** Succeeds when the principal already holds the role (tenant-wide scope "/"). */
  assignRole(principalId: string, roleTemplateId: string): Promise<void>;
  /** Succeeds when the assignment is already gone. */
  removeRoleAssignment(assignmentId: string): Promise<void>;
  /** Ids of the groups the principal is a direct member of. */
  listGroupMemberships(principalId: string): Promise<string[]>;
  /** Succeeds when already a member. */
  addGroupMember(groupId: string, memberId: string): Promise<void>;
  /** Succeeds when not a member. */
  removeGroupMember(groupId: string, memberId: string): Promise<void>;
  deleteUser(objectId: string): Promise<void>;
  // What a lease grants and takes back, each in as few round trips as Graph allows ($batch).
  /** Every role (tenant-wide) and group of the grant; succeeds for what the principal already holds. */
  grantAccess(principalId: string, grant: AccessGrant): Promise<void>;
  /**
   * For an account already disabled: revokes its sessions, sets `newPassword`, and removes every
   * role assignment and group membership it holds. NotFoundError when the account is gone.
   */
  stripAccess(objectId: string, newPassword: string): Promise<void>;
  /** The user with its role assignments and direct groups, read together; null when it does not exist. */
  readAccess(objectId: string): Promise<DirectoryAccess | null>;
  /** The user and every group it belongs to (nested too), read together; null when it does not exist. */
  getUserWithGroups(objectId: string): Promise<{ readonly user: DirectoryUser; readonly groupIds: string[] } | null>;
  /**
   * Creates a Temporary Access Pass and returns the pass (the only time Graph shows it). A user
   * holds one pass: any existing one is deleted first, so a retry replaces rather than fails. The
   * tenant's policy decides: the lifetime is raised to its minimum and the pass made one-time when
   * it says so; DependencyError (code 'TemporaryAccessPassPolicy') when it cannot cover the lifetime.
   */
  createTemporaryAccessPass(
    objectId: string,
    options: { readonly lifetimeInMinutes: number; readonly isUsableOnce: boolean },
  ): Promise<string>;
  /** When the user's current pass stops working (start + lifetime); null when it holds none. */
  getTemporaryAccessPassExpiry(objectId: string): Promise<Date | null>;
  /** The tenant's Temporary Access Pass policy (needs Policy.Read.AuthenticationMethod). */
  getTemporaryAccessPassPolicy(): Promise<TemporaryAccessPassPolicy>;
  /** Deletes every Temporary Access Pass of the user; succeeds when there is none (or no user). */
  deleteTemporaryAccessPasses(objectId: string): Promise<void>;
  /** How many Temporary Access Passes the user holds, usable or not. */
  countTemporaryAccessPasses(objectId: string): Promise<number>;
  // Reads for onboarding (tenant verification) and target validation.
  /** Obtains a Graph token now (not from a cache); DependencyError('login') when Entra refuses. */
  signIn(): Promise<DirectorySignIn>;
  /** The tenant's directory role definitions (built-in and custom). */
  listRoleDefinitions(): Promise<DirectoryRoleDefinition[]>;
  getGroup(groupId: string): Promise<DirectoryGroup | null>;
  /** The service principal of an application (by its client id) in this tenant. */
  getServicePrincipalByAppId(appId: string): Promise<DirectoryServicePrincipal | null>;
  /**
   * Sends a plain-text email from a mailbox of this tenant (Graph sendMail, application permission
   * Mail.Send). Graph accepts it (202) and delivers later: delivery itself is not known here.
   */
  sendMail(fromUserPrincipalName: string, mail: OutgoingMail): Promise<void>;
  /** The enabled users among a group's direct members; [] when the group is gone. */
  listGroupUsers(groupId: string): Promise<DirectoryUser[]>;
  /**
   * The users and groups assigned the app role `roleValue` (e.g. Jit.Approver) of the application
   * `appId` in this tenant; [] when the app or the role does not exist here.
   */
  listAppRoleHolders(appId: string, roleValue: string): Promise<PrincipalRef[]>;
  /** The first `top` users: proves the app can read users. */
  listUsers(options: { readonly top: number }): Promise<DirectoryUser[]>;
  /** Every group the user belongs to, nested ones included (what a token's `groups` claim holds). */
  listTransitiveGroupIds(userId: string): Promise<string[]>;
  /** Every account whose UPN starts with `jit-` (the reconciler's drift check), enabled or not. */
  listJitAccounts(): Promise<DirectoryUser[]>;
}

export interface DirectorySignIn {
  /** Graph application permissions granted to the app, from the token's `roles`; null when unreadable. */
  readonly applicationPermissions: readonly string[] | null;
}

export interface DirectoryRoleDefinition {
  readonly templateId: string;
  readonly displayName: string;
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

/** Gives a Directory for a connected tenant, reusing credentials and connections. */
export interface DirectoryOptions {
  /** Revocations (and the reconciler) go first when Graph write budgets run short. */
  readonly purpose?: 'revocation' | 'provisioning';
}

export interface DirectoryProvider {
  forTenant(tenant: Tenant, options?: DirectoryOptions): Promise<Directory>;
  /** Drops the tenant's cached credential and connection: its next use signs in afresh. */
  forget(tenantId: string): void;
}
