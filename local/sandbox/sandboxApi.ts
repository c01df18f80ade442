import { z } from 'zod';
import {
  findTenant,
  graphTimestamp,
  seededUser,
  hashSecret,
  newObjectId,
  newRoleAssignmentId,
  secretMatches,
  tapPolicySchema,
  type Tenant,
  type User,
} from './directory';
import { faultsBodySchema } from './faults';
import { json, noContent, parseJsonBody, type SandboxRequest, type SandboxResponse } from './http';
import type { SandboxStore } from './store';
import { AMR_NOT_IN_ACCESS_TOKENS, authenticationContextIdSchema } from './authenticationContexts';
import { createSandboxTenant } from './tenantsApi';
import { createGdapCustomers } from './gdapCustomersApi';
import { recordSignIn, seedSignInsBodySchema, signInEntrySchema } from './signInLog';
import { mintToken, TOKEN_LIFETIME_SECONDS } from './tokens';
import { userClaims } from './userClaims';

/**
 * The sandbox's own API (never part of the product): user tokens, state inspection (never a
 * password, secret or pass value), faults, reset, a sign-in check, and changes made "by someone in
 * the customer tenant" (not counted as Graph calls).
 */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parseBody<T>(schema: z.ZodType<T>, req: SandboxRequest): T {
  let body: unknown;
  try {
    body = parseJsonBody(req.rawBody) ?? {};
  } catch {
    throw new ApiError(400, 'request body is not valid JSON');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new ApiError(400, parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return parsed.data;
}

function findUserAnywhere(store: SandboxStore, upn: string): { tenant: Tenant; user: User } | undefined {
  for (const tenant of store.state.tenants) {
    const user = tenant.users.find((u) => u.userPrincipalName.toLowerCase() === upn.toLowerCase());
    if (user !== undefined) return { tenant, user };
  }
  return undefined;
}

const tokenSchema = z
  .object({
    user: z.string().min(1),
    audience: z.string().min(1).optional(),
    expiresInSeconds: z.number().int().min(-31_536_000).max(31_536_000).optional(),
    notBeforeInSeconds: z.number().int().min(0).max(31_536_000).optional(),
    untrustedKey: z.boolean().optional(),
    omitClaims: z.array(z.string()).optional(),
    /** Issue a groups overage whatever the user's group count (Entra does above 200 groups in a JWT). */
    groupsOverage: z.boolean().optional(),
    /** `id`: the ID token the same sign-in returns (no `scp`), which the API must refuse. Default `access`. */
    tokenType: z.enum(['access', 'id']).optional(),
    /** Conditional Access authentication contexts the user satisfied (`acrs`, access tokens only). */
    acrs: z.array(authenticationContextIdSchema).max(99).optional(),
    amr: z.unknown().optional(),
  })
  .strict();

async function userToken(store: SandboxStore, req: SandboxRequest): Promise<SandboxResponse> {
  const body = parseBody(tokenSchema, req);
  if (body.amr !== undefined) throw new ApiError(400, AMR_NOT_IN_ACCESS_TOKENS);
  if (body.acrs !== undefined && body.tokenType === 'id')
    throw new ApiError(400, 'acrs: Entra puts acrs in access tokens only, not in ID tokens');
  const found = findUserAnywhere(store, body.user);
  if (found === undefined) throw new ApiError(404, `no user '${body.user}' in any sandbox tenant`);
  const claims = userClaims(found.tenant, found.user, {
    type: body.tokenType ?? 'access',
    baseUrl: store.url,
    ...(body.audience === undefined ? {} : { audience: body.audience }),
    ...(body.groupsOverage === undefined ? {} : { groupsOverage: body.groupsOverage }),
    ...(body.acrs === undefined ? {} : { acrs: body.acrs }),
  });
  const expiresInSeconds = body.expiresInSeconds ?? TOKEN_LIFETIME_SECONDS;
  // An untrusted token claims the real kid but is signed with a key the JWKS does not hold.
  const key = body.untrustedKey === true ? { ...store.untrustedKeys, kid: store.keys.kid } : store.keys;
  const accessToken = await mintToken({
    claims,
    key,
    expiresInSeconds,
    notBeforeInSeconds: body.notBeforeInSeconds,
    omitClaims: body.omitClaims,
  });
  return json(200, { token_type: 'Bearer', access_token: accessToken, expires_in: expiresInSeconds });
}

function directoryRolesOf(tenant: Tenant, principalId: string): string[] {
  return tenant.roleAssignments.filter((a) => a.principalId === principalId).map((a) => a.roleDefinitionId);
}

function stateView(store: SandboxStore): Record<string, unknown> {
  const s = store.state;
  return {
    tenants: s.tenants.map((t) => ({
      id: t.id,
      displayName: t.displayName,
      domains: t.domains,
      apps: t.apps.map((a) => ({
        clientId: a.clientId,
        servicePrincipalId: a.servicePrincipalId,
        appPermissions: a.appPermissions,
        directoryRoles: directoryRolesOf(t, a.servicePrincipalId),
      })),
      users: t.users.map((u) => ({
        id: u.id,
        userPrincipalName: u.userPrincipalName,
        displayName: u.displayName,
        accountEnabled: u.accountEnabled,
        passwordVersion: u.passwordVersion,
        lastPasswordChangeDateTime: u.lastPasswordChangeDateTime,
        signInSessionsValidFromDateTime: u.signInSessionsValidFromDateTime,
        createdDateTime: u.createdDateTime,
        protected: u.protected,
      })),
      groups: t.groups.map((g) => ({
        id: g.id,
        displayName: g.displayName,
        isAssignableToRole: g.isAssignableToRole,
        memberIds: g.memberIds,
      })),
      roleAssignments: t.roleAssignments,
      temporaryAccessPasses: t.temporaryAccessPasses.map((p) => ({
        id: p.id,
        userId: p.userId,
        startDateTime: p.startDateTime,
        lifetimeInMinutes: p.lifetimeInMinutes,
        isUsableOnce: p.isUsableOnce,
      })),
      calls: t.calls,
      protectedWriteAttempts: t.protectedWriteAttempts,
    })),
    keyVault: {
      secrets: s.keyVault.secrets.flatMap((secret) => {
        const v = secret.versions[secret.versions.length - 1];
        if (v === undefined) return [];
        return [
          {
            name: secret.name,
            version: v.version,
            tags: v.tags,
            contentType: v.contentType,
            expiresOn: v.exp === null ? null : new Date(v.exp * 1000).toISOString(),
            deleted: secret.deleted !== null,
          },
        ];
      }),
      calls: s.keyVault.calls,
    },
    calls: {
      total: s.tenants.reduce((n, t) => n + t.calls.total, 0),
      writes: s.tenants.reduce((n, t) => n + t.calls.writes, 0),
    },
  };
}

const signinSchema = z.object({ userPrincipalName: z.string().min(1), password: z.string() });

function signin(store: SandboxStore, req: SandboxRequest): SandboxResponse {
  const body = parseBody(signinSchema, req);
  const found = findUserAnywhere(store, body.userPrincipalName);
  if (found === undefined) return json(401, { ok: false, reason: 'unknown_user' });
  const { tenant, user } = found;
  if (!user.accountEnabled) {
    recordSignIn(tenant, user, new Date(), 'account_disabled');
    store.save();
    return json(401, { ok: false, reason: 'account_disabled' });
  }
  if (secretMatches(user.passwordHash, body.password)) {
    recordSignIn(tenant, user, new Date(), 'success');
    store.save();
    return json(200, { ok: true });
  }
  const now = Date.now();
  const tap = tenant.temporaryAccessPasses.find((p) => {
    const start = Date.parse(p.startDateTime);
    return (
      p.userId === user.id &&
      !p.used &&
      now >= start &&
      now < start + p.lifetimeInMinutes * 60_000 &&
      secretMatches(p.passHash, body.password)
    );
  });
  if (tap === undefined) {
    recordSignIn(tenant, user, new Date(), 'invalid_credentials');
    store.save();
    return json(401, { ok: false, reason: 'invalid_credentials' });
  }
  if (tap.isUsableOnce) tap.used = true;
  recordSignIn(tenant, user, new Date(), 'success');
  store.save();
  return json(200, { ok: true });
}

function tenantOf(store: SandboxStore, id: string): Tenant {
  const tenant = findTenant(store.state, id);
  if (tenant === undefined) throw new ApiError(404, `no tenant '${id}'`);
  return tenant;
}

const patchUserSchema = z
  .object({ accountEnabled: z.boolean().optional(), password: z.string().min(1).optional() })
  .strict();

function patchUser(store: SandboxStore, req: SandboxRequest, tenantId: string, userId: string): SandboxResponse {
  const body = parseBody(patchUserSchema, req);
  const tenant = tenantOf(store, tenantId);
  const user = tenant.users.find(
    (u) => u.id === userId.toLowerCase() || u.userPrincipalName.toLowerCase() === userId.toLowerCase(),
  );
  if (user === undefined) throw new ApiError(404, `no user '${userId}' in tenant ${tenant.id}`);
  if (body.accountEnabled !== undefined) user.accountEnabled = body.accountEnabled;
  if (body.password !== undefined) {
    user.passwordHash = hashSecret(body.password);
    user.passwordVersion += 1;
    user.lastPasswordChangeDateTime = graphTimestamp(new Date());
  }
  store.save();
  return noContent();
}

const patchAppSchema = z
  .object({
    appPermissions: z.array(z.string()).optional(),
    directoryRoles: z.array(z.string()).optional(),
    clientSecret: z.string().min(1).optional(),
  })
  .strict();

function patchApp(store: SandboxStore, req: SandboxRequest, tenantId: string, clientId: string): SandboxResponse {
  const body = parseBody(patchAppSchema, req);
  const tenant = tenantOf(store, tenantId);
  const app = tenant.apps.find((a) => a.clientId === clientId.toLowerCase());
  if (app === undefined) throw new ApiError(404, `no app '${clientId}' in tenant ${tenant.id}`);
  if (body.appPermissions !== undefined) app.appPermissions = [...body.appPermissions];
  if (body.clientSecret !== undefined) app.clientSecret = body.clientSecret;
  if (body.directoryRoles !== undefined) {
    tenant.roleAssignments = tenant.roleAssignments.filter((a) => a.principalId !== app.servicePrincipalId);
    for (const roleDefinitionId of body.directoryRoles) {
      tenant.roleAssignments.push({
        id: newRoleAssignmentId(),
        principalId: app.servicePrincipalId,
        roleDefinitionId: roleDefinitionId.toLowerCase(),
        directoryScopeId: '/',
      });
    }
  }
  store.save();
  return noContent();
}

const createUserSchema = z
  .object({
    userPrincipalName: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must look like name@domain'),
    displayName: z.string().min(1).max(256).optional(),
    /** Group ids or display names in the same tenant. */
    groups: z.array(z.string().min(1)).max(100).optional(),
    appRoles: z.array(z.string().min(1)).max(20).optional(),
  })
  .strict();

/**
 * A user added "by someone in the tenant" (not a Graph call, not counted): the benchmark's extra
 * technicians. Exists from the start (no replication lag), like the seeded users.
 */
function createUser(store: SandboxStore, req: SandboxRequest, tenantId: string): SandboxResponse {
  const body = parseBody(createUserSchema, req);
  const tenant = tenantOf(store, tenantId);
  const upn = body.userPrincipalName;
  const domain = upn.split('@')[1]?.toLowerCase() ?? '';
  if (!tenant.domains.some((d) => d.id.toLowerCase() === domain))
    throw new ApiError(400, `userPrincipalName: '${domain}' is not a domain of tenant ${tenant.id}`);
  if (tenant.users.some((u) => u.userPrincipalName.toLowerCase() === upn.toLowerCase()))
    throw new ApiError(409, `a user '${upn}' already exists in tenant ${tenant.id}`);
  const groups = (body.groups ?? []).map((key) => {
    const group = tenant.groups.find(
      (g) => g.id === key.toLowerCase() || g.displayName.toLowerCase() === key.toLowerCase(),
    );
    if (group === undefined) throw new ApiError(400, `groups: no group '${key}' in tenant ${tenant.id}`);
    return group;
  });
  const now = new Date();
  const user: User = {
    ...seededUser(
      { id: newObjectId(), userPrincipalName: upn, displayName: body.displayName ?? upn.split('@')[0] ?? upn },
      graphTimestamp(now),
      now.getTime(),
    ),
    appRoles: [...(body.appRoles ?? [])],
  };
  tenant.users.push(user);
  for (const group of groups) if (!group.memberIds.includes(user.id)) group.memberIds.push(user.id);
  store.save();
  return json(201, { id: user.id, userPrincipalName: user.userPrincipalName, groups: groups.map((g) => g.id) });
}

const patchTapPolicySchema = tapPolicySchema.partial().strict();

/** The tenant's Temporary Access Pass policy changed "by an admin of the tenant". */
function patchTapPolicy(store: SandboxStore, req: SandboxRequest, tenantId: string): SandboxResponse {
  const body = parseBody(patchTapPolicySchema, req);
  const tenant = tenantOf(store, tenantId);
  tenant.temporaryAccessPassPolicy = { ...tenant.temporaryAccessPassPolicy, ...body };
  store.save();
  return json(200, tenant.temporaryAccessPassPolicy);
}

/** A group deleted "by an admin of the tenant": its memberships and role assignments go with it. */
function deleteGroup(store: SandboxStore, tenantId: string, groupId: string): SandboxResponse {
  const tenant = tenantOf(store, tenantId);
  const id = groupId.toLowerCase();
  if (!tenant.groups.some((g) => g.id === id)) throw new ApiError(404, `no group '${groupId}' in tenant ${tenant.id}`);
  tenant.groups = tenant.groups.filter((g) => g.id !== id);
  for (const g of tenant.groups) g.memberIds = g.memberIds.filter((m) => m !== id);
  tenant.roleAssignments = tenant.roleAssignments.filter((a) => a.principalId !== id);
  store.save();
  return noContent();
}

/** A cheap view of one tenant's users for pollers: no groups, roles or secrets. */
function listUsers(store: SandboxStore, tenantId: string): SandboxResponse {
  const tenant = tenantOf(store, tenantId);
  return json(200, {
    users: tenant.users.map((u) => ({
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      accountEnabled: u.accountEnabled,
    })),
  });
}

/** Only the call counters of `/_sandbox/state`, for pollers. */
function callCounters(store: SandboxStore): SandboxResponse {
  const s = store.state;
  return json(200, {
    tenants: s.tenants.map((t) => ({ id: t.id, calls: t.calls })),
    keyVault: s.keyVault.calls,
    total: s.tenants.reduce((n, t) => n + t.calls.total, 0),
    writes: s.tenants.reduce((n, t) => n + t.calls.writes, 0),
  });
}

/** Every message Graph sendMail accepted, in each tenant, oldest first (graph/mail.ts). */
function sentMail(store: SandboxStore): SandboxResponse {
  return json(200, {
    value: store.state.tenants.flatMap((t) => t.sentMail.map((mail) => ({ tenantId: t.id, ...mail }))),
  });
}

const addRelationshipSchema = z
  .object({
    customer: z.object({ tenantId: z.uuid(), displayName: z.string().min(1) }).strict(),
    status: z.enum(['active', 'approvalPending', 'expired', 'terminated']).default('active'),
    roleDefinitionIds: z.array(z.uuid()).min(1),
    accessAssignments: z
      .array(z.object({ groupId: z.uuid(), roleDefinitionIds: z.array(z.uuid()).min(1) }).strict())
      .default([]),
  })
  .strict();

/** A GDAP relationship the customer approved (or not), as Partner Center would create it (graph/gdap.ts serves it). */
function addRelationship(store: SandboxStore, req: SandboxRequest, tenantId: string): SandboxResponse {
  const body = parseBody(addRelationshipSchema, req);
  const partner = tenantOf(store, tenantId);
  const now = graphTimestamp(new Date());
  const active = body.status === 'active';
  const relationship = {
    id: `${newObjectId()}-${body.customer.tenantId}`,
    displayName: `${body.customer.displayName} support`.slice(0, 50),
    customer: body.customer,
    status: body.status,
    roleDefinitionIds: body.roleDefinitionIds,
    duration: 'P730D',
    autoExtendDuration: 'PT0S',
    createdDateTime: now,
    activatedDateTime: active ? now : null,
    endDateTime: active ? graphTimestamp(new Date(Date.now() + 730 * 86_400_000)) : null,
    accessAssignments: body.accessAssignments.map((a) => ({
      id: newObjectId(),
      groupId: a.groupId,
      roleDefinitionIds: a.roleDefinitionIds,
      status: 'active' as const,
      createdDateTime: now,
    })),
  };
  partner.delegatedAdminRelationships.push(relationship);
  store.save();
  return json(201, { id: relationship.id });
}

/** `POST /_sandbox/tenants/{tenant}/signIns`: sign-ins as if users had signed in at those times. */
function seedSignIns(store: SandboxStore, req: SandboxRequest, tenantId: string): SandboxResponse {
  const body = parseBody(seedSignInsBodySchema, req);
  const tenant = tenantOf(store, tenantId);
  const added = body.value.map(({ user: key, ...entry }) => {
    const user = tenant.users.find(
      (u) => u.id === key.toLowerCase() || u.userPrincipalName.toLowerCase() === key.toLowerCase(),
    );
    if (user === undefined) throw new ApiError(404, `no user '${key}' in tenant ${tenant.id}`);
    return signInEntrySchema.parse({
      ...entry,
      id: newObjectId(),
      userId: user.id,
      userPrincipalName: user.userPrincipalName,
      userDisplayName: entry.userDisplayName ?? user.displayName,
    });
  });
  tenant.signIns.push(...added);
  store.save();
  return json(201, { value: added });
}

/** `PATCH /_sandbox/tenants/{tenant}` `{ "entraIdPremium": false }`: a tenant without Entra ID P1/P2. */
const patchTenantSchema = z.strictObject({ entraIdPremium: z.boolean() });
function patchTenant(store: SandboxStore, req: SandboxRequest, tenantId: string): SandboxResponse {
  const body = parseBody(patchTenantSchema, req);
  const tenant = tenantOf(store, tenantId);
  tenant.entraIdPremium = body.entraIdPremium;
  store.save();
  return json(200, { id: tenant.id, entraIdPremium: tenant.entraIdPremium });
}

/** `/_sandbox/...` */
export async function handleSandboxApi(store: SandboxStore, req: SandboxRequest): Promise<SandboxResponse> {
  const [, first, second, third, fourth, ...rest] = req.segments;
  const m = req.method;
  try {
    if (first === 'tokens' && second === undefined && m === 'POST') return await userToken(store, req);
    if (first === 'state' && second === undefined && m === 'GET') return json(200, stateView(store));
    if (first === 'faults' && second === undefined && m === 'PUT') {
      const body = parseBody(faultsBodySchema, req);
      // Faults are keyed by tenant id; a domain name is accepted and resolved.
      const tenantId = body.tenantId === undefined ? undefined : tenantOf(store, body.tenantId).id;
      return json(200, store.faults.set({ ...body, tenantId }));
    }
    if (first === 'faults' && second === undefined && m === 'DELETE') {
      store.faults.clear();
      return noContent();
    }
    if (first === 'reset' && second === undefined && m === 'POST') {
      store.reset();
      return noContent();
    }
    if (first === 'signin' && second === undefined && m === 'POST') return signin(store, req);
    if (first === 'calls' && second === undefined && m === 'GET') return callCounters(store);
    if (first === 'mail' && second === undefined && m === 'GET') return sentMail(store);
    if (first === 'tenants' && second === undefined && m === 'POST') return createSandboxTenant(store, req);
    if (first === 'tenants' && second !== undefined && third === undefined && m === 'PATCH')
      return patchTenant(store, req, second);
    if (first === 'tenants' && second !== undefined && third === 'signIns' && fourth === undefined && m === 'POST')
      return seedSignIns(store, req, second);
    if (first === 'tenants' && second !== undefined && third === 'users' && fourth === undefined) {
      if (m === 'POST') return createUser(store, req, second);
      if (m === 'GET') return listUsers(store, second);
    }
    if (first === 'tenants' && second !== undefined && third === 'delegatedAdminRelationships' && m === 'POST')
      return addRelationship(store, req, second);
    if (
      first === 'tenants' &&
      second !== undefined &&
      third === 'gdapCustomers' &&
      fourth === undefined &&
      m === 'POST'
    )
      return createGdapCustomers(store, req, second);
    if (
      first === 'tenants' &&
      second !== undefined &&
      third === 'temporaryAccessPassPolicy' &&
      fourth === undefined &&
      m === 'PATCH'
    )
      return patchTapPolicy(store, req, second);
    if (
      first === 'tenants' &&
      second !== undefined &&
      third === 'groups' &&
      fourth !== undefined &&
      rest.length === 0 &&
      m === 'DELETE'
    )
      return deleteGroup(store, second, fourth);
    if (first === 'tenants' && second !== undefined && fourth !== undefined && rest.length === 0 && m === 'PATCH') {
      if (third === 'users') return patchUser(store, req, second, fourth);
      if (third === 'apps') return patchApp(store, req, second, fourth);
    }
    return json(404, { error: `no sandbox API ${m} ${req.segments.join('/')}` });
  } catch (error) {
    if (error instanceof ApiError) return json(error.status, { error: error.message });
    throw error;
  }
}
