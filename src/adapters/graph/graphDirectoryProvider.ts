import type { TokenCredential } from '@azure/identity';
import type {
  AccessGrant,
  Directory,
  DirectoryAccess,
  DirectoryDomain,
  DirectoryGroup,
  DirectoryPrincipal,
  DirectoryOptions,
  DirectoryProvider,
  DirectoryRoleDefinition,
  DirectoryServicePrincipal,
  DirectorySignIn,
  DirectoryUser,
  GdapAccessAssignment,
  GdapCustomer,
  GdapRelationship,
  NameTaken,
  NewAccount,
  OutgoingMail,
  RoleAssignment,
  SignInLogRead,
} from '../../app/ports';
import type { PrincipalRef, Tenant } from '../../domain/config';
import type { TemporaryAccessPassPolicy } from '../../domain/temporaryAccessPassPolicy';
import type { TenantCredentials } from '../identity';
import { GraphAccess, groupIdsOf } from './graphAccess';
import { GraphAuthMethods } from './graphAuthMethods';
import { GraphMail } from './graphMail';
import { GraphApi, type ReplicationRetry } from './graphApi';
import { GraphPartnerRelationships } from './graphPartnerRelationships';
import { GraphSearch } from './graphSearch';
import { GraphSignInLogs } from './graphSignInLogs';
import { GraphUsers } from './graphUsers';
import { GraphVerification } from './graphVerification';
import { GraphWriteBudget, type GraphPriority } from './writeBudget';

/** One customer tenant's directory through Microsoft Graph. */
export class GraphDirectory implements Directory {
  private readonly users: GraphUsers;
  private readonly access: GraphAccess;
  private readonly authMethods: GraphAuthMethods;
  private readonly verification: GraphVerification;
  private readonly mail: GraphMail;
  private readonly partner: GraphPartnerRelationships;
  private readonly search: GraphSearch;
  private readonly signInLogs: GraphSignInLogs;

  constructor(readonly graph: GraphApi) {
    this.mail = new GraphMail(graph);
    this.partner = new GraphPartnerRelationships(graph);
    this.users = new GraphUsers(graph);
    this.access = new GraphAccess(graph);
    this.authMethods = new GraphAuthMethods(graph);
    this.verification = new GraphVerification(graph);
    this.search = new GraphSearch(graph);
    this.signInLogs = new GraphSignInLogs(graph);
  }

  get tenantId(): string {
    return this.graph.tenantId;
  }

  // Every method is async so that input refused before any call rejects rather than throws.

  async getDomain(name: string): Promise<DirectoryDomain | null> {
    return this.users.getDomain(name);
  }
  async getUser(objectId: string): Promise<DirectoryUser | null> {
    return this.users.getUser(objectId);
  }
  async getUserByPrincipalName(userPrincipalName: string): Promise<DirectoryUser | null> {
    return this.users.getUserByPrincipalName(userPrincipalName);
  }
  async createDisabledAccount(account: NewAccount): Promise<DirectoryUser | NameTaken> {
    return this.users.createDisabledAccount(account);
  }
  async createAccount(account: NewAccount, options: { readonly enabled: boolean }): Promise<DirectoryUser | NameTaken> {
    return this.users.createAccount(account, options);
  }
  async setPasswordAndEnable(objectId: string, password: string): Promise<void> {
    return this.users.setPasswordAndEnable(objectId, password);
  }
  async disableAccount(objectId: string): Promise<void> {
    return this.users.disableAccount(objectId);
  }
  async deleteUser(objectId: string): Promise<void> {
    return this.users.deleteUser(objectId);
  }
  async listRoleAssignments(principalId: string): Promise<RoleAssignment[]> {
    return this.access.listRoleAssignments(principalId);
  }
  async assignRole(principalId: string, roleTemplateId: string): Promise<void> {
    return this.access.assignRole(principalId, roleTemplateId);
  }
  async removeRoleAssignment(assignmentId: string): Promise<void> {
    return this.access.removeRoleAssignment(assignmentId);
  }
  async listGroupMemberships(principalId: string): Promise<string[]> {
    return this.access.listGroupMemberships(principalId);
  }
  async addGroupMember(groupId: string, memberId: string): Promise<void> {
    return this.access.addGroupMember(groupId, memberId);
  }
  async removeGroupMember(groupId: string, memberId: string): Promise<void> {
    return this.access.removeGroupMember(groupId, memberId);
  }
  async grantAccess(principalId: string, grant: AccessGrant): Promise<void> {
    await this.graph.batch([
      ...grant.roleTemplateIds.map((role) => this.access.assignRoleStep(principalId, role)),
      ...grant.groupIds.map((group) => this.access.addGroupMemberStep(group, principalId)),
    ]);
  }
  async stripAccess(objectId: string, newPassword: string): Promise<void> {
    const roles = this.access.roleAssignmentsStep(objectId);
    const groups = this.access.groupMembershipsStep(objectId);
    const [, , firstRoles, firstGroups] = await this.graph.batch([
      this.users.revokeSessionsStep(objectId),
      this.users.setPasswordStep(objectId, newPassword),
      roles,
      groups,
    ]);
    const assignments = await this.graph.restOfList(roles, firstRoles);
    const groupIds = groupIdsOf(await this.graph.restOfList(groups, firstGroups));
    await this.graph.batch([
      ...assignments.map((assignment) => this.access.removeRoleAssignmentStep(assignment.assignmentId)),
      ...groupIds.map((group) => this.access.removeGroupMemberStep(group, objectId)),
    ]);
  }
  async readAccess(objectId: string): Promise<DirectoryAccess | null> {
    const roles = this.access.roleAssignmentsStep(objectId);
    const groups = this.access.groupMembershipsStep(objectId, { absentAsEmpty: true });
    const [user, firstRoles, firstGroups] = await this.graph.batch([this.users.getUserStep(objectId), roles, groups]);
    if (user === null) return null;
    return {
      user,
      roleAssignments: await this.graph.restOfList(roles, firstRoles),
      groupIds: groupIdsOf(await this.graph.restOfList(groups, firstGroups)),
    };
  }
  async getUserWithGroups(
    objectId: string,
  ): Promise<{ readonly user: DirectoryUser; readonly groupIds: string[] } | null> {
    const groups = this.access.transitiveGroupsStep(objectId, { absentAsEmpty: true });
    const [user, firstGroups] = await this.graph.batch([this.users.getUserStep(objectId), groups]);
    if (user === null) return null;
    return { user, groupIds: groupIdsOf(await this.graph.restOfList(groups, firstGroups)) };
  }
  async createTemporaryAccessPass(
    objectId: string,
    options: { readonly lifetimeInMinutes: number; readonly isUsableOnce: boolean },
  ): Promise<string> {
    return this.authMethods.createTemporaryAccessPass(objectId, options);
  }
  async deleteTemporaryAccessPasses(objectId: string): Promise<void> {
    return this.authMethods.deleteTemporaryAccessPasses(objectId);
  }
  async countTemporaryAccessPasses(objectId: string): Promise<number> {
    return this.authMethods.countTemporaryAccessPasses(objectId);
  }
  async getTemporaryAccessPassExpiry(objectId: string): Promise<Date | null> {
    return this.authMethods.getTemporaryAccessPassExpiry(objectId);
  }
  async getTemporaryAccessPassPolicy(): Promise<TemporaryAccessPassPolicy> {
    return this.authMethods.getPolicy();
  }
  async signIn(): Promise<DirectorySignIn> {
    return this.verification.signIn();
  }
  async listRoleDefinitions(): Promise<DirectoryRoleDefinition[]> {
    return this.verification.listRoleDefinitions();
  }
  async getGroup(groupId: string): Promise<DirectoryGroup | null> {
    return this.verification.getGroup(groupId);
  }
  async findGroupsByDisplayName(displayName: string): Promise<DirectoryGroup[]> {
    return this.verification.findGroupsByDisplayName(displayName);
  }
  async searchGroups(text: string, options: { readonly top: number }): Promise<DirectoryGroup[]> {
    return this.search.searchGroups(text, options);
  }
  async searchPrincipals(text: string, options: { readonly top: number }): Promise<DirectoryPrincipal[]> {
    return this.search.searchPrincipals(text, options);
  }
  async getServicePrincipalByAppId(appId: string): Promise<DirectoryServicePrincipal | null> {
    return this.verification.getServicePrincipalByAppId(appId);
  }
  async listSignIns(userObjectId: string, fromIso: string, toIso: string): Promise<SignInLogRead> {
    return this.signInLogs.listSignIns(userObjectId, fromIso, toIso);
  }
  async sendMail(fromUserPrincipalName: string, mail: OutgoingMail): Promise<void> {
    return this.mail.sendMail(fromUserPrincipalName, mail);
  }
  async listGroupUsers(groupId: string): Promise<DirectoryUser[]> {
    return this.mail.listGroupUsers(groupId);
  }
  async listAppRoleHolders(appId: string, roleValue: string): Promise<PrincipalRef[]> {
    return this.mail.listAppRoleHolders(appId, roleValue);
  }
  async listUsers(options: { readonly top: number }): Promise<DirectoryUser[]> {
    return this.verification.listUsers(options);
  }
  async listJitAccounts(): Promise<DirectoryUser[]> {
    return this.users.listJitAccounts();
  }
  async listGdapCustomers(): Promise<GdapCustomer[]> {
    return this.partner.listGdapCustomers();
  }
  async listGdapRelationships(): Promise<GdapRelationship[]> {
    return this.partner.listGdapRelationships();
  }
  async listGdapAccessAssignments(relationshipId: string): Promise<GdapAccessAssignment[]> {
    return this.partner.listGdapAccessAssignments(relationshipId);
  }
}

export interface GraphDirectoryProviderOptions {
  readonly replicationRetry?: ReplicationRetry;
  /** How long one Graph call may wait out throttling; default 60 s. */
  readonly throttleBudgetInMs?: number;
  /** Client-side identity write limits (default: 90% of Graph's published budgets). */
  readonly writeBudget?: GraphWriteBudget;
}

/**
 * One Graph client per tenant and purpose, kept for the life of the process: the credential inside
 * it caches tokens, and the client keeps its connections. The containment client of a tenant goes
 * first when the shared write budget runs short, then its revocation (cleanup) client. A tenant whose credential changed (secret
 * rotated, connection switched) or was refused gets new clients on its next use.
 */
export class GraphDirectoryProvider implements DirectoryProvider {
  private readonly directories = new Map<
    string,
    { readonly credential: TokenCredential; readonly directory: GraphDirectory }
  >();
  private readonly writeBudget: GraphWriteBudget;

  constructor(
    private readonly graphBaseUrl: string,
    private readonly credentials: TenantCredentials,
    private readonly options: GraphDirectoryProviderOptions = {},
  ) {
    this.writeBudget = options.writeBudget ?? new GraphWriteBudget();
  }

  async forTenant(tenant: Tenant, options: DirectoryOptions = {}): Promise<Directory> {
    const credential = await this.credentials.forTenant(tenant);
    const priority: GraphPriority =
      options.purpose === 'containment' || options.purpose === 'revocation' ? options.purpose : 'normal';
    const key = `${tenant.tenantId}/${priority}`;
    const cached = this.directories.get(key);
    if (cached !== undefined && cached.credential === credential) return cached.directory;
    const api = new GraphApi(tenant.tenantId, this.graphBaseUrl, credential, {
      replication: this.options.replicationRetry,
      throttleBudgetInMs: this.options.throttleBudgetInMs,
      onCredentialRefused: () => this.forget(tenant.tenantId),
      writeBudget: { budget: this.writeBudget, priority },
    });
    const directory = new GraphDirectory(api);
    this.directories.set(key, { credential, directory });
    return directory;
  }

  expectContainment(tenantId: string, at: Date): void {
    this.writeBudget.expectContainment(tenantId, at.getTime());
  }

  forget(tenantId: string): void {
    this.credentials.forget(tenantId);
    for (const key of [...this.directories.keys()]) if (key.startsWith(`${tenantId}/`)) this.directories.delete(key);
  }
}
