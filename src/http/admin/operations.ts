import { z } from 'zod';
import {
  consentUrlSchema,
  createRuleBodySchema,
  createTargetBodySchema,
  createTenantBodySchema,
  deleteTenantResultSchema,
  entitlementCheckBodySchema,
  entitlementCheckResultSchema,
  entitlementListSchema,
  patchTargetBodySchema,
  patchTenantBodySchema,
  replaceRuleBodySchema,
  ruleListSchema,
  ruleViewSchema,
  targetListSchema,
  targetViewSchema,
  tenantListSchema,
  tenantViewSchema,
  tenantWithVerificationSchema,
  verificationSchema,
} from '../../app/config/schemas';
import { revokeRequestBodySchema, submitRequestBodySchema } from '../../app/requests';
import { leaseRequestSchema } from '../../domain/request';

/**
 * Every operation of the HTTP API, for the OpenAPI document (src/http/openapi.ts). The examples
 * run in this order against the local stack's seed (a test sends each one): Contoso is connected
 * with target `helpdesk-admin`; carol@msp.example is the admin, alice@msp.example a technician.
 * A path parameter written `$response.<operationId>#/<field>` takes that field of the answer to an
 * earlier example.
 */
const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  errors: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
});

const healthCheckSchema = z.strictObject({ ok: z.boolean(), latencyMs: z.number(), detail: z.string().optional() });
const healthSchema = z.strictObject({
  status: z.enum(['ok', 'degraded']),
  checks: z.strictObject({ storage: healthCheckSchema, keyVault: healthCheckSchema, directory: healthCheckSchema }),
});

const credentialSchema = z.union([
  z.strictObject({
    credentialType: z.literal('password').optional(),
    userPrincipalName: z.string(),
    password: z.string(),
    expiresAt: z.iso.datetime(),
    accessDetails: z.string().nullable(),
  }),
  z.strictObject({
    credentialType: z.literal('temporaryAccessPass'),
    userPrincipalName: z.string(),
    temporaryAccessPass: z.string(),
    expiresAt: z.iso.datetime(),
    accessDetails: z.string().nullable(),
  }),
]);

const openApiSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) });

export const NAMED_SCHEMAS = {
  Problem: { schema: problemSchema, io: 'output' },
  Health: { schema: healthSchema, io: 'output' },
  OpenApiDocument: { schema: openApiSchema, io: 'output' },
  CreateTenantBody: { schema: createTenantBodySchema, io: 'input' },
  PatchTenantBody: { schema: patchTenantBodySchema, io: 'input' },
  Tenant: { schema: tenantViewSchema, io: 'output' },
  TenantWithVerification: { schema: tenantWithVerificationSchema, io: 'output' },
  PatchedTenant: { schema: tenantViewSchema.extend({ verification: verificationSchema.optional() }), io: 'output' },
  TenantList: { schema: tenantListSchema, io: 'output' },
  Verification: { schema: verificationSchema, io: 'output' },
  ConsentUrl: { schema: consentUrlSchema, io: 'output' },
  DeleteTenantResult: { schema: deleteTenantResultSchema, io: 'output' },
  CreateTargetBody: { schema: createTargetBodySchema, io: 'input' },
  PatchTargetBody: { schema: patchTargetBodySchema, io: 'input' },
  Target: { schema: targetViewSchema, io: 'output' },
  TargetList: { schema: targetListSchema, io: 'output' },
  CreateRuleBody: { schema: createRuleBodySchema, io: 'input' },
  ReplaceRuleBody: { schema: replaceRuleBodySchema, io: 'input' },
  Rule: { schema: ruleViewSchema, io: 'output' },
  RuleList: { schema: ruleListSchema, io: 'output' },
  EntitlementList: { schema: entitlementListSchema, io: 'output' },
  EntitlementCheckBody: { schema: entitlementCheckBodySchema, io: 'input' },
  EntitlementCheckResult: { schema: entitlementCheckResultSchema, io: 'output' },
  SubmitRequestBody: { schema: submitRequestBodySchema, io: 'input' },
  RevokeRequestBody: { schema: revokeRequestBodySchema, io: 'input' },
  LeaseRequest: { schema: leaseRequestSchema, io: 'output' },
  Credential: { schema: credentialSchema, io: 'output' },
} as const satisfies Record<string, { schema: z.ZodType; io: 'input' | 'output' }>;

export type SchemaName = keyof typeof NAMED_SCHEMAS;

export interface ApiExample {
  /** Who sends it: the seeded admin, a technician, or nobody (no token). */
  readonly caller: 'admin' | 'technician' | null;
  readonly pathParams?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly status: number;
  /** The answer depends on a lease reaching a state: repeat for a while until this status comes. */
  readonly retryUntilStatus?: boolean;
}

export interface ApiOperation {
  readonly operationId: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI path under /api, with {params}. */
  readonly path: string;
  readonly tag: 'service' | 'tenants' | 'targets' | 'rules' | 'entitlements' | 'requests';
  readonly summary: string;
  readonly description?: string;
  readonly auth: 'anonymous' | 'caller' | 'admin';
  readonly requestBody?: SchemaName;
  readonly requestBodyRequired?: boolean;
  readonly query?: readonly { readonly name: string; readonly description: string; readonly schema: Record<string, unknown> }[];
  /** Takes If-Match. */
  readonly conditional?: boolean;
  readonly responses: Readonly<Record<string, { readonly description: string; readonly schema?: SchemaName; readonly headers?: readonly string[]; readonly example?: unknown }>>;
  readonly example?: ApiExample;
}

const CONTOSO = '6c2e4f70-1a2b-4c3d-9e4f-5a6b7c8d9e01';
const FABRIKAM = '8e4a6b80-2c3d-4e5f-a061-7b8c9d0e1f02';
const ALICE = '1a000000-0000-4000-8000-00000000a11c';
const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';

const problems = (...statuses: number[]): Record<string, { description: string; schema: 'Problem' }> => {
  const text: Record<number, string> = {
    400: 'Bad input: every failing field is named in `errors`',
    401: 'No valid token',
    403: 'Not allowed (configuration needs Jit.Admin; requests need an entitlement)',
    404: 'No such tenant, target, rule or request',
    409: 'Conflicts with the current state (already exists, live leases)',
    412: 'If-Match names an ETag that is no longer current',
    413: 'Body larger than 64 KiB',
    415: 'Body is not JSON',
    502: 'The customer tenant refused a directory read needed to validate the change',
    503: 'A dependency is unavailable; try again',
  };
  return Object.fromEntries(statuses.map((s) => [String(s), { description: text[s] ?? 'Error', schema: 'Problem' as const }]));
};
const ADMIN_ERRORS = [401, 403] as const;

export const API_OPERATIONS: readonly ApiOperation[] = [
  {
    operationId: 'health',
    method: 'GET',
    path: '/health',
    tag: 'service',
    summary: 'Storage, Key Vault and sign-in endpoint reachability',
    auth: 'anonymous',
    responses: { '200': { description: 'Everything reachable', schema: 'Health' }, '503': { description: 'Something is down', schema: 'Health' } },
    example: { caller: null, status: 200 },
  },
  {
    operationId: 'openApi',
    method: 'GET',
    path: '/openapi.json',
    tag: 'service',
    summary: 'This document',
    auth: 'anonymous',
    responses: { '200': { description: 'The OpenAPI 3.1 document', schema: 'OpenApiDocument' } },
    example: { caller: null, status: 200 },
  },
  {
    operationId: 'createTenant',
    method: 'POST',
    path: '/tenants',
    tag: 'tenants',
    summary: 'Connect a customer tenant',
    description:
      'The client secret (mode clientSecret) goes to Key Vault at once and is never returned. The connection is verified at once; a failing check does not undo the connection ' +
      '(consent or the directory role often comes later): fix what the checks say and POST …/verify. The example connects Fabrikam in federated mode, which the local stack cannot sign in with, so its verification shows how a failure reads.',
    auth: 'admin',
    requestBody: 'CreateTenantBody',
    responses: { '201': { description: 'Connected; verification results included', schema: 'TenantWithVerification', headers: ['Location', 'ETag'] }, ...problems(400, ...ADMIN_ERRORS, 409) },
    example: { caller: 'admin', body: { tenantId: FABRIKAM, displayName: 'Fabrikam', jitDomain: 'fabrikam.example', protectedAccounts: ['breakglass@fabrikam.example'], connection: { mode: 'federated' } }, status: 201 },
  },
  {
    operationId: 'listTenants',
    method: 'GET',
    path: '/tenants',
    tag: 'tenants',
    summary: 'Connected tenants',
    auth: 'admin',
    responses: { '200': { description: 'Every connected tenant', schema: 'TenantList' }, ...problems(...ADMIN_ERRORS) },
    example: { caller: 'admin', status: 200 },
  },
  {
    operationId: 'getTenant',
    method: 'GET',
    path: '/tenants/{tenantId}',
    tag: 'tenants',
    summary: 'One tenant',
    auth: 'admin',
    responses: { '200': { description: 'The tenant', schema: 'Tenant', headers: ['ETag'] }, ...problems(...ADMIN_ERRORS, 404) },
    example: { caller: 'admin', pathParams: { tenantId: FABRIKAM }, status: 200 },
  },
  {
    operationId: 'patchTenant',
    method: 'PATCH',
    path: '/tenants/{tenantId}',
    tag: 'tenants',
    summary: 'Change a tenant (rotate its client secret by sending a new connection)',
    description: 'Verified again when the connection or the JIT domain changes (the answer then includes `verification`).',
    auth: 'admin',
    conditional: true,
    requestBody: 'PatchTenantBody',
    responses: { '200': { description: 'Changed', schema: 'PatchedTenant', headers: ['ETag'] }, ...problems(400, ...ADMIN_ERRORS, 404, 409, 412) },
    example: { caller: 'admin', pathParams: { tenantId: FABRIKAM }, body: { displayName: 'Fabrikam Ltd' }, status: 200 },
  },
  {
    operationId: 'verifyTenant',
    method: 'POST',
    path: '/tenants/{tenantId}/verify',
    tag: 'tenants',
    summary: 'Check the connection: sign-in, permissions, JIT domain, reads, directory role',
    description: 'Each check is named with ok, what was found and, when it failed, how to fix it. Always answers 200; `ok` says whether every check passed.',
    auth: 'admin',
    responses: {
      '200': {
        description: 'The checks',
        schema: 'Verification',
        example: {
          tenantId: CONTOSO,
          ok: false,
          checkedAt: '2026-11-23T18:48:25.943Z',
          checks: [
            { name: 'signIn', ok: true, detail: `a Microsoft Graph token was issued to app 5e000000-0000-4000-8000-00c00000a991 in tenant ${CONTOSO}`, fix: null },
            { name: 'permissions', ok: true, detail: 'granted: Directory.Read.All, Domain.Read.All, GroupMember.ReadWrite.All, RoleManagement.ReadWrite.Directory, User.ReadWrite.All', fix: null },
            {
              name: 'jitDomain',
              ok: false,
              detail: 'domain fed.contoso.example is federated: its users sign in at another identity provider, so the password the service sets is not the credential that counts and disabling the account in Entra does not end sessions there. JIT accounts need a managed domain.',
              fix: "PATCH the tenant with a managed, verified domain (e.g. the tenant's <name>.onmicrosoft.com domain) as jitDomain.",
            },
            { name: 'readRoleDefinitions', ok: true, detail: 'read 10 directory role definitions', fix: null },
            { name: 'readUsers', ok: true, detail: 'the app can read users', fix: null },
            { name: 'passwordResetRole', ok: true, detail: 'service principal 5e000000-0000-4000-8000-00c00000a5b1 holds Privileged Authentication Administrator', fix: null },
          ],
        },
      },
      ...problems(...ADMIN_ERRORS, 404),
    },
    example: { caller: 'admin', pathParams: { tenantId: CONTOSO }, status: 200 },
  },
  {
    operationId: 'tenantConsentUrl',
    method: 'GET',
    path: '/tenants/{tenantId}/consent-url',
    tag: 'tenants',
    summary: "The admin-consent link to send to the customer's Global Administrator",
    auth: 'admin',
    responses: { '200': { description: 'The link', schema: 'ConsentUrl' }, ...problems(...ADMIN_ERRORS, 404) },
    example: { caller: 'admin', pathParams: { tenantId: FABRIKAM }, status: 200 },
  },
  {
    operationId: 'createTarget',
    method: 'POST',
    path: '/tenants/{tenantId}/targets',
    tag: 'targets',
    summary: 'Define what can be requested in a tenant',
    description: "Roles are checked against the tenant's role definitions (names are filled in), groups must exist (role-assignable for elevation targets).",
    auth: 'admin',
    requestBody: 'CreateTargetBody',
    responses: { '201': { description: 'Created', schema: 'Target', headers: ['Location', 'ETag'] }, ...problems(400, ...ADMIN_ERRORS, 404, 409, 502) },
    example: {
      caller: 'admin',
      pathParams: { tenantId: CONTOSO },
      body: {
        targetId: 'user-admin',
        name: 'User administrator',
        kind: 'adminAccount',
        roles: [{ templateId: USER_ADMINISTRATOR }],
        defaultDuration: 'PT1H',
        minDuration: 'PT15M',
        maxDuration: 'PT4H',
        requireJustification: true,
        accessDetails: 'Sign in at https://entra.microsoft.com; the account is disabled again when the lease ends.',
      },
      status: 201,
    },
  },
  {
    operationId: 'listTargets',
    method: 'GET',
    path: '/tenants/{tenantId}/targets',
    tag: 'targets',
    summary: "A tenant's targets",
    auth: 'admin',
    responses: { '200': { description: 'The targets', schema: 'TargetList' }, ...problems(...ADMIN_ERRORS, 404) },
    example: { caller: 'admin', pathParams: { tenantId: CONTOSO }, status: 200 },
  },
  {
    operationId: 'getTarget',
    method: 'GET',
    path: '/tenants/{tenantId}/targets/{targetId}',
    tag: 'targets',
    summary: 'One target',
    auth: 'admin',
    responses: { '200': { description: 'The target', schema: 'Target', headers: ['ETag'] }, ...problems(...ADMIN_ERRORS, 404) },
    example: { caller: 'admin', pathParams: { tenantId: CONTOSO, targetId: 'user-admin' }, status: 200 },
  },
  {
    operationId: 'patchTarget',
    method: 'PATCH',
    path: '/tenants/{tenantId}/targets/{targetId}',
    tag: 'targets',
    summary: 'Change a target',
    auth: 'admin',
    conditional: true,
    requestBody: 'PatchTargetBody',
    responses: { '200': { description: 'Changed', schema: 'Target', headers: ['ETag'] }, ...problems(400, ...ADMIN_ERRORS, 404, 409, 412, 502) },
    example: { caller: 'admin', pathParams: { tenantId: CONTOSO, targetId: 'user-admin' }, body: { roles: [{ templateId: USER_ADMINISTRATOR }, { templateId: HELPDESK_ADMINISTRATOR }], maxDuration: 'PT2H' }, status: 200 },
  },
  {
    operationId: 'createRule',
    method: 'POST',
    path: '/rules',
    tag: 'rules',
    summary: 'Who may request what: IF principal (user or group) THEN targets',
    auth: 'admin',
    requestBody: 'CreateRuleBody',
    responses: { '201': { description: 'Created', schema: 'Rule', headers: ['Location', 'ETag'] }, ...problems(400, ...ADMIN_ERRORS, 409) },
    example: {
      caller: 'admin',
      body: { ruleId: 'alice-user-admin', description: 'Alice may be User administrator in Contoso for up to an hour', principal: { type: 'user', id: ALICE }, scope: { targets: [{ tenantId: CONTOSO, targetId: 'user-admin' }] }, maxDuration: 'PT1H' },
      status: 201,
    },
  },
  {
    operationId: 'listRules',
    method: 'GET',
    path: '/rules',
    tag: 'rules',
    summary: 'Every rule',
    auth: 'admin',
    responses: { '200': { description: 'The rules', schema: 'RuleList' }, ...problems(...ADMIN_ERRORS) },
    example: { caller: 'admin', status: 200 },
  },
  {
    operationId: 'getRule',
    method: 'GET',
    path: '/rules/{ruleId}',
    tag: 'rules',
    summary: 'One rule',
    auth: 'admin',
    responses: { '200': { description: 'The rule', schema: 'Rule', headers: ['ETag'] }, ...problems(...ADMIN_ERRORS, 404) },
    example: { caller: 'admin', pathParams: { ruleId: 'alice-user-admin' }, status: 200 },
  },
  {
    operationId: 'replaceRule',
    method: 'PUT',
    path: '/rules/{ruleId}',
    tag: 'rules',
    summary: 'Replace a rule',
    auth: 'admin',
    conditional: true,
    requestBody: 'ReplaceRuleBody',
    responses: { '200': { description: 'Replaced', schema: 'Rule', headers: ['ETag'] }, ...problems(400, ...ADMIN_ERRORS, 404, 412) },
    example: {
      caller: 'admin',
      pathParams: { ruleId: 'alice-user-admin' },
      body: { description: 'Alice may be User administrator in Contoso for up to 90 minutes', principal: { type: 'user', id: ALICE }, scope: { targets: [{ tenantId: CONTOSO, targetId: 'user-admin' }] }, maxDuration: 'PT1H30M' },
      status: 200,
    },
  },
  {
    operationId: 'listEntitlements',
    method: 'GET',
    path: '/entitlements',
    tag: 'entitlements',
    summary: "The caller's requestable targets, with their effective policy",
    auth: 'caller',
    responses: { '200': { description: 'What the caller may request', schema: 'EntitlementList' }, ...problems(401) },
    example: { caller: 'technician', status: 200 },
  },
  {
    operationId: 'checkEntitlement',
    method: 'POST',
    path: '/entitlements/check',
    tag: 'entitlements',
    summary: 'Would this request be allowed, and under which policy?',
    description: '`principal` (checking for someone else) needs Jit.Admin. A duration above the effective cap (or below the minimum) is a 400 naming it.',
    auth: 'caller',
    requestBody: 'EntitlementCheckBody',
    responses: {
      '200': {
        description: 'The evaluation',
        schema: 'EntitlementCheckResult',
        example: {
          tenantId: CONTOSO,
          targetId: 'user-admin',
          allowed: true,
          reasons: ["granted by rule 'alice-user-admin'"],
          matchedRules: ['alice-user-admin'],
          effectiveMaxDuration: 'PT1H30M',
          minDuration: 'PT15M',
          defaultDuration: 'PT1H',
          approvalRequired: false,
          requireJustification: true,
          requireTicket: false,
        },
      },
      ...problems(400, 401, 403, 404),
    },
    example: { caller: 'technician', body: { tenantId: CONTOSO, targetId: 'user-admin', duration: 'PT1H' }, status: 200 },
  },
  {
    operationId: 'submitRequest',
    method: 'POST',
    path: '/requests',
    tag: 'requests',
    summary: 'Ask for access (202 and a Location to follow)',
    auth: 'caller',
    requestBody: 'SubmitRequestBody',
    responses: { '202': { description: 'Accepted: provisioning (or awaiting approval)', schema: 'LeaseRequest', headers: ['Location'] }, ...problems(400, 401, 403, 404, 409) },
    example: { caller: 'technician', body: { tenantId: CONTOSO, targetId: 'helpdesk-admin', duration: 'PT5M', justification: 'Password reset for a Contoso user' }, status: 202 },
  },
  {
    operationId: 'getRequest',
    method: 'GET',
    path: '/requests/{id}',
    tag: 'requests',
    summary: 'A request and its status',
    auth: 'caller',
    responses: { '200': { description: 'The request', schema: 'LeaseRequest' }, ...problems(401, 403, 404) },
    example: { caller: 'technician', pathParams: { id: '$response.submitRequest#/id' }, status: 200 },
  },
  {
    operationId: 'revealCredential',
    method: 'POST',
    path: '/requests/{id}/credential',
    tag: 'requests',
    summary: "Reveal the lease's credential (the requester, while active; audited; never cached)",
    auth: 'caller',
    responses: { '200': { description: 'The credential', schema: 'Credential' }, ...problems(401, 403, 404, 409) },
    example: { caller: 'technician', pathParams: { id: '$response.submitRequest#/id' }, status: 200, retryUntilStatus: true },
  },
  {
    operationId: 'revokeRequest',
    method: 'POST',
    path: '/requests/{id}/revoke',
    tag: 'requests',
    summary: 'End the lease now (the requester or an admin)',
    auth: 'caller',
    requestBody: 'RevokeRequestBody',
    requestBodyRequired: false,
    responses: { '202': { description: 'Revocation started', schema: 'LeaseRequest' }, ...problems(400, 401, 403, 404, 409) },
    example: { caller: 'technician', pathParams: { id: '$response.submitRequest#/id' }, body: { reason: 'Done' }, status: 202 },
  },
  {
    operationId: 'deleteRule',
    method: 'DELETE',
    path: '/rules/{ruleId}',
    tag: 'rules',
    summary: 'Delete a rule',
    auth: 'admin',
    conditional: true,
    responses: { '204': { description: 'Deleted' }, ...problems(...ADMIN_ERRORS, 404, 412) },
    example: { caller: 'admin', pathParams: { ruleId: 'alice-user-admin' }, status: 204 },
  },
  {
    operationId: 'deleteTarget',
    method: 'DELETE',
    path: '/tenants/{tenantId}/targets/{targetId}',
    tag: 'targets',
    summary: 'Delete a target (refused while it has live leases); rules lose their references to it',
    auth: 'admin',
    conditional: true,
    responses: { '204': { description: 'Deleted' }, ...problems(...ADMIN_ERRORS, 404, 409, 412) },
    example: { caller: 'admin', pathParams: { tenantId: CONTOSO, targetId: 'user-admin' }, status: 204 },
  },
  {
    operationId: 'deleteTenant',
    method: 'DELETE',
    path: '/tenants/{tenantId}',
    tag: 'tenants',
    summary: 'Disconnect a tenant: its targets and secret go, rules lose their references',
    description:
      'Live leases refuse it (409 naming them) unless `force=true`, which asks each to revoke and waits up to 20 s for them to end. ' +
      'Nothing is deleted while a lease is still live: then the answer is 202 naming the pending leases; repeat the call once they have ended.',
    auth: 'admin',
    conditional: true,
    query: [{ name: 'force', description: 'true: revoke live leases first', schema: { type: 'string', enum: ['true', 'false'] } }],
    responses: {
      '200': { description: 'Deleted', schema: 'DeleteTenantResult' },
      '202': { description: 'Leases revoked but not all ended yet; nothing deleted', schema: 'DeleteTenantResult' },
      ...problems(400, ...ADMIN_ERRORS, 404, 409, 412),
    },
    example: { caller: 'admin', pathParams: { tenantId: FABRIKAM }, status: 200 },
  },
];
