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

export interface NewAccount {
  readonly userPrincipalName: string;
  readonly displayName: string;
  readonly mailNickname: string;
  /**
   * The account's first password: a throwaway nobody keeps for a disabled account; for one created
   * enabled (createAccount), the lease's own password, which makes it usable at once.
   */
  readonly initialPassword: string;
  /**
   * A nonce only the service knows, written as the account's employeeId (Graph: at most 16
   * characters): a retry after a lost answer adopts a user at this UPN only when it carries it.
   */
  readonly creationMarker?: string;
}

/** A tenant's user accounts: reading them, and the life of a JIT account (create, enable, disable, delete). */
export interface DirectoryAccounts {
  getUser(objectId: string): Promise<DirectoryUser | null>;
  getUserByPrincipalName(userPrincipalName: string): Promise<DirectoryUser | null>;
  /**
   * Creates a disabled account. Answers 'principalNameTaken' when the UPN belongs to another
   * object, 'mailNicknameTaken' when the mailNickname/proxyAddresses made from it does.
   */
  createDisabledAccount(account: NewAccount): Promise<DirectoryUser | NameTaken>;
  /**
   * One write: creates the account, enabled or not, with `initialPassword` (no change forced at
   * sign-in). Answers as createDisabledAccount.
   */
  createAccount(account: NewAccount, options: { readonly enabled: boolean }): Promise<DirectoryUser | NameTaken>;
  /** One write: sets the password (no change forced at sign-in) and enables the account. */
  setPasswordAndEnable(objectId: string, password: string): Promise<void>;
  /** Succeeds when the account is already disabled. */
  disableAccount(objectId: string): Promise<void>;
  deleteUser(objectId: string): Promise<void>;
  /** Every account whose UPN starts with `jit-` (the reconciler's drift check), enabled or not. */
  listJitAccounts(): Promise<DirectoryUser[]>;
}
