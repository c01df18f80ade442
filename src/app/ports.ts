import { ConflictError } from '../domain/errors';
import type { AuditEvent } from '../domain/audit';
import type { AuditRecord, ChainAnchor, ChainVerification } from '../domain/auditChain';
import type { PrincipalRef, Rule, Target, Tenant } from '../domain/config';
import type { JitAccount } from '../domain/jitAccount';
import type { LeaseRequest, RequestStatus, RevokeCause } from '../domain/request';
import type { TemporaryAccessPassPolicy } from '../domain/temporaryAccessPassPolicy';
import type { Verification } from './config/schemas';
import type { PsaMapping } from './psa/common';

/**
 * What the use cases need from the outside world, named for the domain. src/adapters implements
 * them with the real SDKs (Graph, Key Vault, Table Storage); tests use the same adapters against
 * the local sandbox and Azurite.
 */

// ── Directory (one customer tenant, through Microsoft Graph) ────────────────────────────────────

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

// ── Secrets (Key Vault) ─────────────────────────────────────────────────────────────────────────

export interface LeaseCredentialMetadata {
  readonly requestId: string;
  readonly tenantId: string;
  readonly userPrincipalName: string;
  /** Key Vault's `expiresOn`: the lease end. */
  readonly expiresOn: Date;
}

export interface StoredLeaseCredential {
  readonly requestId: string;
  readonly expiresOn: Date | null;
}

export interface SecretVault {
  putLeaseCredential(password: string, metadata: LeaseCredentialMetadata): Promise<void>;
  getLeaseCredential(requestId: string): Promise<string | null>;
  /** Deletes (and purges where the vault allows); succeeds when already gone. */
  deleteLeaseCredential(requestId: string): Promise<void>;
  listLeaseCredentials(): Promise<StoredLeaseCredential[]>;
  /** Stores a customer tenant's client secret; returns the secret's name for the tenant row. */
  putTenantSecret(tenantId: string, secret: string): Promise<string>;
  getTenantSecret(secretName: string): Promise<string | null>;
  deleteTenantSecret(secretName: string): Promise<void>;
  /** Moves a live credential's `expiresOn` (the lease was extended); succeeds when it is gone. */
  updateLeaseCredentialExpiry(requestId: string, expiresOn: Date): Promise<void>;
  /**
   * Stores a ticketing integration's secret; returns the secret's name. A rotation passes a new
   * `version` so the secret it replaces stays readable during an overlap window.
   */
  putIntegrationSecret(integrationId: string, secret: string, options?: { readonly version?: string }): Promise<string>;
  getIntegrationSecret(secretName: string): Promise<string | null>;
  /** Deletes (and purges where the vault allows); succeeds when already gone. */
  deleteIntegrationSecret(secretName: string): Promise<void>;
}

// ── State (Table Storage) ───────────────────────────────────────────────────────────────────────

/** A stored value with the ETag to write it back under optimistic concurrency. */
export interface Versioned<T> {
  readonly value: T;
  readonly etag: string;
}

/** Thrown by stores when a conditional write loses a race (ETag mismatch). */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
}

/** Thrown by stores when an insert finds the key already present. */
export class AlreadyExistsError extends Error {
  override readonly name = 'AlreadyExistsError';
}

export interface Page<T> {
  readonly items: T[];
  readonly continuationToken: string | null;
}

export interface RequestFilter {
  readonly requesterObjectId?: string;
  readonly tenantId?: string;
  readonly statuses?: readonly RequestStatus[];
}

export interface RequestStore {
  /** Insert-if-absent: AlreadyExistsError when the id exists. */
  create(request: LeaseRequest): Promise<Versioned<LeaseRequest>>;
  get(id: string): Promise<Versioned<LeaseRequest> | null>;
  /** ConcurrencyError when the ETag is stale. */
  replace(request: LeaseRequest, etag: string): Promise<Versioned<LeaseRequest>>;
  list(
    filter: RequestFilter,
    options: { readonly limit: number; readonly continuationToken?: string | null },
  ): Promise<Page<LeaseRequest>>;
}

/**
 * One live lease per account: the lock on (tenant, requester) names the request holding it.
 * `claim` is insert-if-absent; a lock held by an ended request can be taken over with its ETag.
 */
export interface LeaseLock {
  readonly tenantId: string;
  readonly requesterObjectId: string;
  readonly requestId: string;
}

export interface LeaseLockStore {
  claim(
    lock: LeaseLock,
  ): Promise<{ readonly claimed: true } | { readonly claimed: false; readonly holder: Versioned<LeaseLock> }>;
  /** ConcurrencyError when the ETag is stale. */
  takeOver(lock: LeaseLock, etag: string): Promise<void>;
  /** Releases only if held by requestId; succeeds when already released. */
  release(lock: LeaseLock): Promise<void>;
  /** The lock on (tenant, requester) as it is now; null when nobody holds it. */
  get(tenantId: string, requesterObjectId: string): Promise<LeaseLock | null>;
}

export interface AccountStore {
  get(tenantId: string, requesterObjectId: string): Promise<JitAccount | null>;
  /** The account row holding this UPN in the tenant, whoever it belongs to. */
  getByPrincipalName(tenantId: string, userPrincipalName: string): Promise<JitAccount | null>;
  upsert(account: JitAccount): Promise<void>;
  list(tenantId?: string): Promise<JitAccount[]>;
  delete(tenantId: string, requesterObjectId: string): Promise<void>;
}

export interface ConfigStore {
  getTenant(tenantId: string): Promise<Versioned<Tenant> | null>;
  listTenants(): Promise<Tenant[]>;
  createTenant(tenant: Tenant): Promise<Versioned<Tenant>>;
  replaceTenant(tenant: Tenant, etag: string): Promise<Versioned<Tenant>>;
  deleteTenant(tenantId: string): Promise<void>;
  getTarget(tenantId: string, targetId: string): Promise<Versioned<Target> | null>;
  listTargets(tenantId?: string): Promise<Target[]>;
  createTarget(target: Target): Promise<Versioned<Target>>;
  replaceTarget(target: Target, etag: string): Promise<Versioned<Target>>;
  deleteTarget(tenantId: string, targetId: string): Promise<void>;
  getRule(ruleId: string): Promise<Versioned<Rule> | null>;
  listRules(): Promise<Rule[]>;
  createRule(rule: Rule): Promise<Versioned<Rule>>;
  replaceRule(rule: Rule, etag: string): Promise<Versioned<Rule>>;
  deleteRule(ruleId: string): Promise<void>;
  /** Keeps a tenant's latest verification (replacing the one before), for the readiness list. */
  recordVerification(verification: Verification): Promise<void>;
  /** The latest verification of every tenant verified since it was connected. */
  listVerifications(): Promise<Verification[]>;
}

export interface AuditFilter {
  readonly tenantId?: string;
  readonly requestId?: string;
  readonly actorId?: string;
  /** The requester of the lease the event is about. */
  readonly requesterId?: string;
  readonly action?: string;
  readonly from?: string;
  readonly to?: string;
}

export interface AuditLog {
  /** Appends to the hash chain of each partition the event belongs to; a retried id is not appended twice. */
  append(event: AuditEvent): Promise<void>;
  list(
    filter: AuditFilter,
    options: { readonly limit: number; readonly continuationToken?: string | null },
  ): Promise<Page<AuditRecord>>;
  /**
   * Walks one chain (all events, or one tenant's) and reports the first broken link; with an
   * anchor, also checks that record anchor.seq still has anchor.hash.
   */
  verify(scope: { readonly tenantId?: string }, anchor?: ChainAnchor): Promise<ChainVerification>;
  /** The chain's last seq and hash (null when empty): what to note as an anchor. */
  head(scope: { readonly tenantId?: string }): Promise<ChainAnchor | null>;
}

// ── Ticketing integrations, idempotency and webhook deliveries ──────────────────────────────────

interface IntegrationBase {
  readonly integrationId: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt?: string;
  /** Deleted by an admin: the row stays as a tombstone so late deliveries are refused and audited. */
  readonly deletedAt?: string;
  /** The secret replaced by the last rotation, still accepted until `validUntil` (an overlap window). */
  readonly previousSecret?: { readonly secretName: string; readonly validUntil: string };
}

/**
 * A ticketing integration: the generic signed event, or a PSA's native webhooks with the mapping
 * from its tickets to access requests (src/app/psa). `secretName` names the Key Vault secret that
 * authenticates deliveries (the generic and Autotask HMAC keys, HaloPSA's Basic password); the
 * secret itself is never stored here. ConnectWise signs with a key its own site serves; its
 * `secretName` is the secret carried in the callback URL (absent on rows made before that existed:
 * such an integration refuses callbacks until its secret is rotated).
 */
export type Integration =
  | (IntegrationBase & { readonly kind: 'generic'; readonly secretName: string })
  | (IntegrationBase & { readonly kind: 'autotask'; readonly secretName: string; readonly mapping: PsaMapping })
  | (IntegrationBase & {
      readonly kind: 'halopsa';
      readonly secretName: string;
      readonly basicUsername: string;
      readonly mapping: PsaMapping;
    })
  | (IntegrationBase & {
      readonly kind: 'connectwise';
      readonly secretName?: string;
      readonly companyId: string;
      readonly callbackKeyOrigin: string;
      readonly mapping: PsaMapping;
    });

export type IntegrationKind = Integration['kind'];

export interface IntegrationStore {
  create(integration: Integration): Promise<Versioned<Integration>>;
  /** The row, tombstones included (null when there never was one). */
  get(integrationId: string): Promise<Versioned<Integration> | null>;
  /** Throws ConcurrencyError when the row changed since `etag` was read. */
  replace(integration: Integration, etag: string): Promise<Versioned<Integration>>;
  /** Every integration that is not deleted. */
  list(): Promise<Integration[]>;
}

/** The first outcome of something that must happen once (an Idempotency-Key, a webhook delivery). */
export interface StoredOutcome {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type OnceClaim =
  | { readonly claimed: true }
  | { readonly claimed: false; readonly fingerprint: string; readonly outcome: StoredOutcome | null };

export interface OnceStore {
  /** Insert-if-absent of (scope, key) with the fingerprint of what was asked. */
  claim(scope: string, key: string, fingerprint: string): Promise<OnceClaim>;
  /** Records the outcome for replays. */
  complete(scope: string, key: string, outcome: StoredOutcome): Promise<void>;
  /** Forgets a claim whose handling failed in a way worth retrying (a 5xx). */
  release(scope: string, key: string): Promise<void>;
}

// ── Notifications (Teams, signed webhooks) ──────────────────────────────────────────────────────

export type NotificationKind =
  'pending_approval' | 'approved' | 'denied' | 'active' | 'ending_soon' | 'ended' | 'revocation_failed';

/** What a notification says: ids, names and times only, never a credential. */
export interface LeaseNotification {
  readonly kind: NotificationKind;
  readonly requestId: string;
  readonly tenantId: string;
  readonly targetId: string;
  readonly requester: string;
  readonly status: string;
  readonly ticket: string | null;
  readonly justification: string | null;
  readonly duration: string;
  readonly expiresAt: string | null;
  readonly endReason: string | null;
  readonly decidedBy: string | null;
  readonly link: string | null;
  readonly at: string;
}

export interface Notifier {
  /** Throws when the channel refused it; callers treat notification as best effort. */
  notify(notification: LeaseNotification): Promise<void>;
}

/** Who an email goes to, and in which role: the text differs for an approver and a requester. */
export type MailAudience = 'approver' | 'requester';

/** Lease emails (Graph sendMail from a mailbox of the home tenant). */
export interface LeaseMailer {
  /** One message to the addresses `to` (none: nothing is sent); throws when Graph refuses it. */
  send(to: readonly string[], audience: MailAudience, notification: LeaseNotification): Promise<void>;
}

/** One plain-text email as Graph sendMail takes it. */
export interface OutgoingMail {
  readonly to: readonly string[];
  readonly subject: string;
  /** Plain text (sent as contentType Text): nothing in it is markup. */
  readonly text: string;
}

// ── Time and ids ────────────────────────────────────────────────────────────────────────────────

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

// ── Lease orchestrations (Durable Functions client) ─────────────────────────────────────────────

/** Orchestration input: ids and non-secret settings only (it is persisted in the task hub). */
export interface LeaseOrchestrationInput {
  readonly requestId: string;
  /** How long to wait between revocation attempts while revocation keeps failing. */
  readonly revocationRetryIntervalMs: number;
  /** First wait before an activity is retried (absent in inputs of older runs: 2 s). */
  readonly activityRetryFirstIntervalMs?: number;
  /** Set when the request waits for approval: the deadline of the decision (ISO 8601). */
  readonly approvalDeadline?: string;
  /** false: no notification channel is configured, so the orchestration skips the notify activity. */
  readonly notify?: boolean;
  /** How long before the expiry "ending soon" goes out (absent in inputs of older runs: 10 minutes). */
  readonly endingSoonBeforeMs?: number;
  /** Set by continueAsNew when a long revocation retry loop restarts the history. */
  readonly resumeRevocation?: {
    readonly cause: RevokeCause | 'provisionFailed';
    readonly by: string | null;
    readonly failure?: string;
  };
}

export type LeaseEventName = 'revoke' | 'extend' | 'decision';

export interface LeaseOrchestrations {
  /** Starts the lease orchestration for a request; idempotent on the request id. */
  start(input: LeaseOrchestrationInput): Promise<void>;
  /** Raises an event at the request's orchestration; the payload holds ids and times only. */
  raise(requestId: string, event: LeaseEventName, payload: Readonly<Record<string, string | null>>): Promise<void>;
}

/** The lease's orchestration is not running (finished, failed, terminated or missing): nobody hears its events. */
export class OrchestrationNotRunningError extends ConflictError {
  constructor(
    readonly requestId: string,
    readonly event: LeaseEventName,
    readonly orchestration: LeaseOrchestrationState,
  ) {
    super(`the lease of request ${requestId} is not running (${orchestration}) and cannot take '${event}' events`, {
      orchestration,
    });
  }
}

/** Where a lease's orchestration stands, as the reconciler sees it. */
export type LeaseOrchestrationState = 'running' | 'completed' | 'failed' | 'terminated' | 'missing';

/** What the reconciler needs beyond starting and signalling: look, and start again. */
export interface LeaseOrchestrationControl extends LeaseOrchestrations {
  state(requestId: string): Promise<LeaseOrchestrationState>;
  /** Starts a new run under the request id, replacing a finished (failed, terminated) one. */
  restart(input: LeaseOrchestrationInput): Promise<void>;
}
