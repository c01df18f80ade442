import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { signInEntrySchema } from './signInLog';
import { HOME_TENANT_ID, SEED_TENANTS, SERVICE_APP, type SeedDomain, type SeedTenant } from './seed';

/**
 * The sandbox's mutable world: every tenant's directory, the key vault's secrets and the signing
 * key. It is plain JSON so it can be written to the state file as is; the zod schema is what a
 * state file must look like to be loaded back.
 */
const domainSchema = z.object({
  id: z.string(),
  authenticationType: z.enum(['Managed', 'Federated']),
  isVerified: z.boolean(),
  isDefault: z.boolean(),
});

const userSchema = z.object({
  id: z.string(),
  userPrincipalName: z.string(),
  displayName: z.string(),
  mailNickname: z.string(),
  accountEnabled: z.boolean(),
  usageLocation: z.string().nullable(),
  onPremisesImmutableId: z.string().nullable(),
  /** Free text up to 16 characters (Graph's user.employeeId); the service writes its creation marker here. */
  employeeId: z.string().nullable().default(null),
  /** salted SHA-256 of the current password; null when nobody knows it (seeded accounts). */
  passwordHash: z.string().nullable(),
  passwordVersion: z.number().int(),
  forceChangePasswordNextSignIn: z.boolean(),
  lastPasswordChangeDateTime: z.string(),
  signInSessionsValidFromDateTime: z.string(),
  createdDateTime: z.string(),
  /** epoch ms of creation, for replication lag. */
  createdAtMs: z.number(),
  protected: z.boolean(),
  appRoles: z.array(z.string()),
});

const groupSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  isAssignableToRole: z.boolean(),
  memberIds: z.array(z.string()),
  /** Mail-enabled security groups and distribution lists (not Microsoft 365 groups) are managed in Exchange only. */
  mailEnabled: z.boolean().default(false),
  /** 'Unified' (Microsoft 365), 'DynamicMembership' (members come from a rule). */
  groupTypes: z.array(z.string()).default([]),
  /** true: synced from on-premises AD, so its members are mastered there. */
  onPremisesSyncEnabled: z.boolean().nullable().default(null),
});

/**
 * The tenant's Temporary Access Pass policy (authenticationMethodConfigurations/TemporaryAccessPass,
 * learn.microsoft.com/en-us/graph/api/resources/temporaryaccesspassauthenticationmethodconfiguration).
 * Defaults as Entra's: one hour minimum and default, eight hours maximum, reusable passes, all users.
 */
const tapPolicyTargetSchema = z.object({ targetType: z.literal('group'), id: z.string() });
export const tapPolicySchema = z.object({
  state: z.enum(['enabled', 'disabled']),
  defaultLifetimeInMinutes: z.number().int(),
  defaultLength: z.number().int(),
  minimumLifetimeInMinutes: z.number().int(),
  maximumLifetimeInMinutes: z.number().int(),
  isUsableOnce: z.boolean(),
  /** Group ids, or 'all_users'. */
  includeTargets: z.array(tapPolicyTargetSchema),
  excludeTargets: z.array(tapPolicyTargetSchema),
});
export const DEFAULT_TAP_POLICY: z.infer<typeof tapPolicySchema> = {
  state: 'enabled',
  defaultLifetimeInMinutes: 60,
  defaultLength: 8,
  minimumLifetimeInMinutes: 60,
  maximumLifetimeInMinutes: 480,
  isUsableOnce: false,
  includeTargets: [{ targetType: 'group', id: 'all_users' }],
  excludeTargets: [],
};

const roleAssignmentSchema = z.object({
  id: z.string(),
  principalId: z.string(),
  roleDefinitionId: z.string(),
  directoryScopeId: z.string(),
});

const tapSchema = z.object({
  id: z.string(),
  userId: z.string(),
  passHash: z.string(),
  createdDateTime: z.string(),
  startDateTime: z.string(),
  lifetimeInMinutes: z.number().int(),
  isUsableOnce: z.boolean(),
  used: z.boolean(),
});

const appSchema = z.object({
  clientId: z.string(),
  servicePrincipalId: z.string(),
  displayName: z.string(),
  clientSecret: z.string(),
  appPermissions: z.array(z.string()),
  /**
   * Redirect URIs of the "Single-page application" platform (the application's `spa.redirectUris`):
   * only these may receive an authorization code for a browser, and only their origins get CORS
   * answers from the token endpoint.
   */
  spaRedirectUris: z.array(z.string()).default([]),
});

const callsSchema = z.object({ total: z.number().int(), writes: z.number().int() });
/** Graph calls as Graph counts them (each item of a $batch is one), and the HTTP round trips that carried them. */
const graphCallsSchema = callsSchema.extend({ roundTrips: z.number().int().default(0) });

/** A message accepted by `POST /users/{id}/sendMail` (graph/mail.ts), kept so tests can read it back. */
const sentMailSchema = z.object({
  id: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  bcc: z.array(z.string()),
  subject: z.string(),
  contentType: z.enum(['text', 'html']),
  content: z.string(),
  sentDateTime: z.string(),
});

/**
 * A GDAP relationship of a partner (the home tenant) with a customer, and the access assignments
 * that map the partner's security groups to some of its roles (graph/gdap.ts serves them).
 */
const gdapAccessAssignmentSchema = z.object({
  id: z.string(),
  groupId: z.string(),
  roleDefinitionIds: z.array(z.string()),
  status: z.enum(['pending', 'active', 'deleting', 'deleted', 'error']),
  createdDateTime: z.string(),
});
const gdapRelationshipSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  customer: z.object({ tenantId: z.string(), displayName: z.string() }),
  status: z.enum([
    'activating',
    'active',
    'approvalPending',
    'approved',
    'created',
    'expired',
    'expiring',
    'terminated',
    'terminating',
    'terminationRequested',
  ]),
  roleDefinitionIds: z.array(z.string()),
  duration: z.string(),
  autoExtendDuration: z.string(),
  createdDateTime: z.string(),
  activatedDateTime: z.string().nullable(),
  endDateTime: z.string().nullable(),
  accessAssignments: z.array(gdapAccessAssignmentSchema),
});

const tenantSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  domains: z.array(domainSchema),
  users: z.array(userSchema),
  groups: z.array(groupSchema),
  roleAssignments: z.array(roleAssignmentSchema),
  temporaryAccessPasses: z.array(tapSchema),
  temporaryAccessPassPolicy: tapPolicySchema.default(DEFAULT_TAP_POLICY),
  apps: z.array(appSchema),
  calls: graphCallsSchema,
  protectedWriteAttempts: z.number().int(),
  sentMail: z.array(sentMailSchema).default([]),
  /** A partner's GDAP relationships with its customers (the home tenant's only). */
  delegatedAdminRelationships: z.array(gdapRelationshipSchema).default([]),
  /** `GET /auditLogs/signIns` (graph/signInLogs.ts). */
  signIns: z.array(signInEntrySchema).default([]),
  /** An Entra ID P1/P2 licence: without one Graph refuses to read the sign-in log. */
  entraIdPremium: z.boolean().default(true),
});

const secretVersionSchema = z.object({
  version: z.string(),
  value: z.string(),
  tags: z.record(z.string(), z.string()).nullable(),
  contentType: z.string().nullable(),
  enabled: z.boolean(),
  exp: z.number().nullable(),
  nbf: z.number().nullable(),
  created: z.number(),
  updated: z.number(),
});

const secretSchema = z.object({
  name: z.string(),
  versions: z.array(secretVersionSchema),
  deleted: z
    .object({
      deletedDate: z.number(),
      scheduledPurgeDate: z.number(),
      /** Until then (epoch ms) the deletion is still completing (faults' secretDeletionMs). */
      completesAtMs: z.number().optional(),
    })
    .nullable(),
});

export const sandboxStateSchema = z.object({
  version: z.literal(1),
  tenants: z.array(tenantSchema),
  keyVault: z.object({ secrets: z.array(secretSchema), calls: callsSchema }),
  /** RS256 private key as a JWK; its public half is what the JWKS publishes. */
  signingKey: z.object({ kid: z.string(), privateJwk: z.record(z.string(), z.unknown()) }),
});

export type Domain = z.infer<typeof domainSchema>;
export type User = z.infer<typeof userSchema>;
export type Group = z.infer<typeof groupSchema>;
export type RoleAssignment = z.infer<typeof roleAssignmentSchema>;
export type TemporaryAccessPass = z.infer<typeof tapSchema>;
export type TemporaryAccessPassPolicy = z.infer<typeof tapPolicySchema>;
export type App = z.infer<typeof appSchema>;
export type Tenant = z.infer<typeof tenantSchema>;
export type SentMail = z.infer<typeof sentMailSchema>;
export type GdapRelationship = z.infer<typeof gdapRelationshipSchema>;
export type GdapAccessAssignment = z.infer<typeof gdapAccessAssignmentSchema>;
export type SecretVersion = z.infer<typeof secretVersionSchema>;
export type Secret = z.infer<typeof secretSchema>;
export type SandboxState = z.infer<typeof sandboxStateSchema>;
export type SigningKey = SandboxState['signingKey'];

/** A password is never kept: only a salted hash, enough to answer /_sandbox/signin. */
export function hashSecret(value: string): string {
  const salt = randomBytes(8).toString('hex');
  return `${salt}:${createHash('sha256').update(`${salt}:${value}`).digest('hex')}`;
}

export function secretMatches(hash: string | null, value: string): boolean {
  if (hash === null) return false;
  const [salt, digest] = hash.split(':');
  if (salt === undefined || digest === undefined) return false;
  return createHash('sha256').update(`${salt}:${value}`).digest('hex') === digest;
}

/** Graph's unifiedRoleAssignment ids are opaque base64url strings, not GUIDs. */
export function newRoleAssignmentId(): string {
  return `${randomBytes(33).toString('base64url')}-1`;
}

/** A stable object id for a directory role activated in a tenant (differs from its template id, as in Entra). */
export function directoryRoleObjectId(tenantId: string, templateId: string): string {
  const h = createHash('sha256').update(`${tenantId}/${templateId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function seedTenant(seed: SeedTenant, nowIso: string, nowMs: number): Tenant {
  const roleAssignments: RoleAssignment[] = [];
  const assign = (principalId: string, roles: readonly string[] | undefined): void => {
    for (const roleDefinitionId of roles ?? []) {
      roleAssignments.push({ id: newRoleAssignmentId(), principalId, roleDefinitionId, directoryScopeId: '/' });
    }
  };
  for (const user of seed.users) assign(user.id, user.directoryRoles);
  for (const app of seed.apps) assign(app.servicePrincipalId, app.directoryRoles);
  return {
    id: seed.id,
    displayName: seed.displayName,
    domains: seed.domains.map((d: SeedDomain) => ({ ...d })),
    users: seed.users.map((u) => ({
      ...seededUser({ id: u.id, userPrincipalName: u.userPrincipalName, displayName: u.displayName }, nowIso, nowMs),
      protected: u.protected === true,
      appRoles: [...(u.appRoles ?? [])],
    })),
    groups: seed.groups.map((g) => ({
      id: g.id,
      displayName: g.displayName,
      isAssignableToRole: g.isAssignableToRole,
      memberIds: [...g.memberIds],
      mailEnabled: g.mailEnabled ?? false,
      groupTypes: [...(g.groupTypes ?? [])],
      onPremisesSyncEnabled: g.onPremisesSyncEnabled ?? null,
    })),
    roleAssignments,
    temporaryAccessPasses: [],
    temporaryAccessPassPolicy: structuredClone(DEFAULT_TAP_POLICY),
    apps: seed.apps.map((a) => ({
      clientId: a.clientId,
      servicePrincipalId: a.servicePrincipalId,
      displayName: a.displayName,
      clientSecret: a.clientSecret,
      appPermissions: [...a.appPermissions],
      spaRedirectUris: [],
    })),
    calls: { total: 0, writes: 0, roundTrips: 0 },
    protectedWriteAttempts: 0,
    sentMail: [],
    delegatedAdminRelationships: structuredClone([...(seed.delegatedAdminRelationships ?? [])]),
    signIns: [],
    entraIdPremium: true,
  };
}

/** What a sandbox is started with beyond the fixed seed. */
export interface SeedSettings {
  /** SPA redirect URIs on the service's app registration (e.g. the local portal's `http://127.0.0.1:<port>/`). */
  readonly spaRedirectUris?: readonly string[];
}

/** The directory and vault as the seed describes them; the signing key is kept across resets. */
export function seededState(signingKey: SigningKey, settings: SeedSettings = {}, now = new Date()): SandboxState {
  const nowIso = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const state: SandboxState = {
    version: 1,
    tenants: SEED_TENANTS.map((t) => seedTenant(t, nowIso, now.getTime())),
    keyVault: { secrets: [], calls: { total: 0, writes: 0 } },
    signingKey,
  };
  applySeedSettings(state, settings);
  return state;
}

/**
 * Settings win over a loaded state file: the portal's port is chosen at each start, and its redirect
 * URI must be the one registered (as an admin would edit the app registration).
 */
export function applySeedSettings(state: SandboxState, settings: SeedSettings): void {
  const home = state.tenants.find((t) => t.id === HOME_TENANT_ID);
  const app = home?.apps.find((a) => a.clientId === SERVICE_APP.clientId);
  if (app !== undefined) app.spaRedirectUris = [...(settings.spaRedirectUris ?? [])];
}

export function findTenant(state: SandboxState, idOrDomain: string): Tenant | undefined {
  const key = idOrDomain.toLowerCase();
  return state.tenants.find((t) => t.id === key || t.domains.some((d) => d.id.toLowerCase() === key));
}

export function newObjectId(): string {
  return randomUUID();
}

/** Graph timestamps have second precision and a Z suffix. */
export function graphTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A user the sandbox's seed or its admin API adds: enabled, no password of ours, and old enough
 * (a year) never to be subject to replication lag.
 */
export function seededUser(
  names: { readonly id: string; readonly userPrincipalName: string; readonly displayName: string },
  nowIso: string,
  nowMs: number,
): User {
  return {
    ...names,
    mailNickname: names.userPrincipalName.split('@')[0] ?? names.userPrincipalName,
    accountEnabled: true,
    usageLocation: null,
    onPremisesImmutableId: null,
    employeeId: null,
    passwordHash: null,
    passwordVersion: 1,
    forceChangePasswordNextSignIn: false,
    lastPasswordChangeDateTime: nowIso,
    signInSessionsValidFromDateTime: nowIso,
    createdDateTime: nowIso,
    createdAtMs: nowMs - 365 * 24 * 3600 * 1000,
    protected: false,
    appRoles: [],
  };
}
