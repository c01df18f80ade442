import type { GraphError } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import type { DirectoryDomain, DirectoryUser, NameTaken, NewAccount } from '../../app/ports';
import { NotFoundError } from '../../domain/errors';
import type { GraphApi, GraphStep } from './graphApi';
import {
  checkMailNickname,
  checkUserPrincipalName,
  domainSegment,
  objectIdSegment,
  userPrincipalNameSegment,
} from './graphInput';

/**
 * Users and domains in one customer tenant. Writes that address an account we just created
 * (enable, assign) wait out Entra's replication lag; writes at revocation time do not, and report a
 * vanished account as NotFoundError so the use case can decide that nothing is left to revoke.
 */
const USER_SELECT =
  'id,userPrincipalName,accountEnabled,signInSessionsValidFromDateTime,lastPasswordChangeDateTime,employeeId';

const graphUserSchema = z.object({
  id: z.string(),
  userPrincipalName: z.string(),
  accountEnabled: z.boolean().nullish(),
  signInSessionsValidFromDateTime: z.string().nullish(),
  lastPasswordChangeDateTime: z.string().nullish(),
  employeeId: z.string().nullish(),
});
type GraphUser = z.infer<typeof graphUserSchema>;

const graphDomainSchema = z.object({
  id: z.string(),
  isVerified: z.boolean(),
  authenticationType: z.string(),
});

/** Graph answers PATCH, DELETE and actions with 204 and no body. */
export const noContent = z.unknown().transform(() => undefined);

const USER_READ = 'User.Read.All';
const USER_WRITE = 'User.ReadWrite.All';
// learn.microsoft.com/en-us/graph/api/user-update: app-only password changes need a directory role for any user; sensitive properties of admins a higher one.
const PASSWORD_RESET =
  'User.ReadWrite.All and a directory role (at least User Administrator; Privileged Authentication Administrator for an account that holds admin roles)';
const ENABLE_DISABLE =
  'User.ReadWrite.All (and Privileged Authentication Administrator to enable or disable an account that holds admin roles)';

function toDirectoryUser(user: GraphUser, fallbackEnabled?: boolean): DirectoryUser {
  return {
    objectId: user.id,
    userPrincipalName: user.userPrincipalName,
    accountEnabled: user.accountEnabled ?? fallbackEnabled ?? false,
    signInSessionsValidFromDateTime: user.signInSessionsValidFromDateTime ?? null,
    lastPasswordChangeDateTime: user.lastPasswordChangeDateTime ?? null,
    employeeId: user.employeeId ?? null,
  };
}

function absentAsNull(error: GraphError): { readonly value: null } | undefined {
  return error.statusCode === 404 ? { value: null } : undefined;
}

function absentAsDone(error: GraphError): { readonly value: undefined } | undefined {
  return error.statusCode === 404 ? { value: undefined } : undefined;
}

/**
 * The properties whose uniqueness makes a name unusable: the UPN itself, and the addresses made
 * from it (a mailNickname already in use collides in proxyAddresses, unique across the directory).
 */
const NAME_PROPERTIES = new Set(['userPrincipalName', 'proxyAddresses', 'mailNickname']);

/**
 * Graph's "name already in use" answers: 400 Request_BadRequest "Another object with the same value
 * for property {userPrincipalName|proxyAddresses} already exists." with an ObjectConflict detail
 * naming the property (microsoft-graph-docs#1508, microsoft-graph-docs-contrib#8421).
 */
function nameTaken(error: GraphError): NameTaken | undefined {
  if (error.statusCode !== 400) return undefined;
  const property =
    /same value for property (userPrincipalName|proxyAddresses|mailNickname)\b/i.exec(error.message)?.[1] ??
    conflictTarget(error);
  if (property === undefined) return undefined;
  return property.toLowerCase() === 'userprincipalname' ? 'principalNameTaken' : 'mailNicknameTaken';
}

function conflictTarget(error: GraphError): string | undefined {
  try {
    const body = JSON.parse(typeof error.body === 'string' ? error.body : '{}') as {
      details?: { code?: string; target?: string }[];
    };
    return (body.details ?? []).find(
      (d) => d.code === 'ObjectConflict' && d.target !== undefined && NAME_PROPERTIES.has(d.target),
    )?.target;
  } catch {
    return undefined;
  }
}

export class GraphUsers {
  constructor(private readonly graph: GraphApi) {}

  async getDomain(name: string): Promise<DirectoryDomain | null> {
    const segment = domainSegment(name);
    const schema = graphDomainSchema.transform((d): DirectoryDomain => ({
      name: d.id.toLowerCase(),
      isVerified: d.isVerified,
      authenticationType: d.authenticationType === 'Federated' ? 'Federated' : 'Managed',
    }));
    return this.graph.run(
      { operation: `read domain ${segment}`, permission: 'Domain.Read.All', expected: absentAsNull },
      schema.nullable(),
      (request) => request(`/domains/${encodeURIComponent(segment)}`).get(),
    );
  }

  /** Every `jit-` account, whoever made it: the reconciler tells ours from others by its own rows. */
  async listJitAccounts(): Promise<DirectoryUser[]> {
    const users = await this.graph.listAll(
      { operation: 'list jit- accounts', permission: USER_READ },
      graphUserSchema,
      '/users',
      {
        $filter: "startswith(userPrincipalName,'jit-')",
        $select: USER_SELECT,
        $top: '999',
      },
    );
    return users.map((u) => toDirectoryUser(u));
  }

  /** The user, or null when it does not exist. */
  getUserStep(objectId: string): GraphStep<DirectoryUser | null> {
    const id = objectIdSegment('objectId', objectId);
    return this.readUserStep(`read user ${id}`, `/users/${id}`);
  }

  /** A new password (no change forced at sign-in); NotFoundError when the user is gone. */
  setPasswordStep(objectId: string, password: string): GraphStep<undefined> {
    const id = objectIdSegment('objectId', objectId);
    const body = { passwordProfile: { password, forceChangePasswordNextSignIn: false } };
    return this.writeExistingStep(`set the password of user ${id}`, PASSWORD_RESET, 'PATCH', `/users/${id}`, body, id);
  }

  /** Invalidates refresh tokens and session cookies; NotFoundError when the user is gone. */
  revokeSessionsStep(objectId: string): GraphStep<undefined> {
    const id = objectIdSegment('objectId', objectId);
    return this.writeExistingStep(
      `revoke the sessions of user ${id}`,
      'User.RevokeSessions.All (or User.ReadWrite.All)',
      'POST',
      `/users/${id}/revokeSignInSessions`,
      {},
      id,
    );
  }

  async getUser(objectId: string): Promise<DirectoryUser | null> {
    return this.graph.runStep(this.getUserStep(objectId));
  }

  async getUserByPrincipalName(userPrincipalName: string): Promise<DirectoryUser | null> {
    const segment = userPrincipalNameSegment(userPrincipalName);
    return this.graph.runStep(this.readUserStep(`read user ${userPrincipalName}`, `/users/${segment}`));
  }

  async createDisabledAccount(account: NewAccount): Promise<DirectoryUser | NameTaken> {
    return this.createAccount(account, { enabled: false });
  }

  /**
   * POST /users takes accountEnabled and passwordProfile together (both required on create:
   * learn.microsoft.com/graph/api/user-post-users), so an account created enabled with its lease
   * password needs no second write to enable it.
   */
  async createAccount(account: NewAccount, options: { readonly enabled: boolean }): Promise<DirectoryUser | NameTaken> {
    const upn = checkUserPrincipalName(account.userPrincipalName);
    const body = {
      accountEnabled: options.enabled,
      displayName: account.displayName,
      mailNickname: checkMailNickname(account.mailNickname),
      userPrincipalName: upn,
      passwordProfile: { password: account.initialPassword, forceChangePasswordNextSignIn: false },
      ...(account.creationMarker !== undefined ? { employeeId: account.creationMarker } : {}),
    };
    return this.graph.run(
      {
        operation: `create user ${upn}`,
        permission: USER_WRITE,
        expected: (error) => {
          const taken = nameTaken(error);
          return taken === undefined ? undefined : { value: taken };
        },
      },
      z.union([
        z.enum(['principalNameTaken', 'mailNicknameTaken']),
        graphUserSchema.transform((u) => toDirectoryUser(u, options.enabled)),
      ]),
      (request) => request('/users').post(body),
    );
  }

  /** One PATCH: a password the holder keeps (no change forced) and the account enabled. */
  async setPasswordAndEnable(objectId: string, password: string): Promise<void> {
    const id = objectIdSegment('objectId', objectId);
    const body = { accountEnabled: true, passwordProfile: { password, forceChangePasswordNextSignIn: false } };
    await this.graph.run(
      { operation: `enable user ${id} with a new password`, permission: PASSWORD_RESET, awaitReplication: true },
      noContent,
      (request) => request(`/users/${id}`).patch(body),
    );
  }

  async disableAccount(objectId: string): Promise<void> {
    const id = objectIdSegment('objectId', objectId);
    // Setting accountEnabled to false is idempotent in Graph: a disabled account stays disabled.
    await this.graph.runStep(
      this.writeExistingStep(
        `disable user ${id}`,
        ENABLE_DISABLE,
        'PATCH',
        `/users/${id}`,
        { accountEnabled: false },
        id,
      ),
    );
  }

  async deleteUser(objectId: string): Promise<void> {
    const id = objectIdSegment('objectId', objectId);
    await this.graph.run(
      { operation: `delete user ${id}`, permission: USER_WRITE, expected: absentAsDone },
      noContent,
      (request) => request(`/users/${id}`).delete(),
    );
  }

  private readUserStep(operation: string, path: string): GraphStep<DirectoryUser | null> {
    return {
      call: { operation, permission: USER_READ, expected: absentAsNull },
      schema: graphUserSchema.transform((u) => toDirectoryUser(u)).nullable(),
      method: 'GET',
      path,
      query: { $select: USER_SELECT },
    };
  }

  /** A write to an account that should exist: a 404 is the domain's NotFoundError, not a failure of Graph. */
  private writeExistingStep(
    operation: string,
    permission: string,
    method: 'POST' | 'PATCH',
    path: string,
    body: unknown,
    id: string,
  ): GraphStep<undefined> {
    const notFound = (): Error => new NotFoundError(`user ${id} does not exist in tenant ${this.graph.tenantId}`);
    return { call: { operation, permission, notFound }, schema: noContent, method, path, body };
  }
}
