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
  readinessListSchema,
  readinessQuerySchema,
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
import { decisionBodySchema } from '../../app/approvals';
import { auditQuerySchema, auditVerifyQuerySchema } from '../../app/auditQuery';
import { extendBodySchema } from '../../app/extend';
import { IDEMPOTENCY_KEY_HEADER } from '../../app/idempotency';
import { createIntegrationBodySchema, patchIntegrationBodySchema } from '../../app/integrations';
import { psaMappingSchema } from '../../app/psa/common';
import { listRequestsQuerySchema, revokeRequestBodySchema, submitRequestBodySchema } from '../../app/requests';
import { webhookEventSchema } from '../../app/webhooks';
import { auditRecordSchema } from '../../domain/auditChain';
import { endReasonSchema, leaseRequestSchema } from '../../domain/request';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../domain/webhookSignature';

/**
 * Every operation of the HTTP API, for the OpenAPI document (src/http/openapi.ts). The examples
 * run in this order against the local stack's seed (a test sends each one): Contoso is connected
 * with target `helpdesk-admin`, and the home tenant (msp.example) is connected too (webhook
 * technicians are looked up there); carol@msp.example is the admin, bob@msp.example an approver,
 * alice@msp.example and dave@msp.example are technicians ("All technicians"). A path or query
 * parameter written `$response.<operationId>#/<field>` takes that field of the answer to an
 * earlier example. The story: a target needing approval and a rule for all technicians are made;
 * alice asks for it, bob approves, alice reveals the credential, extends and ends the lease; a
 * ticketing integration asks for dave and bob denies; the audit trail is read and verified; the
 * configuration is removed; the reconciler runs.
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
  checks: z.strictObject({
    storage: healthCheckSchema,
    keyVault: healthCheckSchema,
    directory: healthCheckSchema,
    taskHub: healthCheckSchema,
  }),
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

const continuationTokenSchema = z
  .string()
  .nullable()
  .describe('Pass as `continuationToken` for the next page; null on the last page');
const requestPageSchema = z.strictObject({
  items: z.array(leaseRequestSchema),
  continuationToken: continuationTokenSchema,
});

/** The extend answer: the lease as it stands (still active) and the expiry asked for; the orchestration applies it. */
const variant = <S extends { readonly shape: { readonly status: { readonly value: 'active' } } }>(schema: S): S =>
  schema; // fails to compile if [2] is not 'active'
const activeLeaseSchema = variant(leaseRequestSchema.options[2]);
const extendedRequestSchema = activeLeaseSchema.extend({
  requestedExpiresAt: z.iso
    .datetime()
    .describe('The new expiry once the orchestration has applied the extension (GET the request to see it)'),
});

const auditPageSchema = z.strictObject({
  items: z.array(auditRecordSchema),
  continuationToken: continuationTokenSchema,
});
const auditVerificationSchema = z.strictObject({
  partition: z.string().describe("'all', or 'tenant <tenantId>'"),
  intact: z.boolean(),
  records: z.number().int().min(0),
  headSeq: z.number().int().min(0),
  headHash: z
    .string()
    .nullable()
    .describe('Note it with headSeq (the reconciler logs both as audit_anchor) to check later as an anchor'),
  anchorMatches: z
    .boolean()
    .nullable()
    .describe('With an anchor: whether record anchorSeq still has anchorHash; null without one'),
  firstBroken: z
    .strictObject({ seq: z.number().int(), eventId: z.string().nullable(), reason: z.string() })
    .nullable()
    .describe('The oldest broken link, when the chain is not intact'),
});

const integrationViewSchema = z.strictObject({
  integrationId: z.uuid(),
  name: z.string(),
  kind: z.enum(['generic', 'connectwise', 'autotask', 'halopsa']),
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  mapping: psaMappingSchema
    .optional()
    .describe('PSA kinds: how a ticket becomes an access request (docs/ticketing.md)'),
  basicUsername: z.string().optional().describe('halopsa: the Basic authentication username the webhook sends'),
  companyId: z.string().optional().describe('connectwise: the PSA company whose callbacks are accepted'),
  callbackKeyOrigin: z.string().optional().describe('connectwise: the PSA site signing keys are fetched from'),
  webhookPath: z
    .string()
    .describe('Where the ticketing system POSTs its events (ConnectWise: with the secret, see callbackPath)'),
  updatedAt: z.iso.datetime().optional(),
  previousSecretValidUntil: z.iso
    .datetime()
    .optional()
    .describe('After a rotation with an overlap: until when the replaced secret is still accepted'),
});
const createdIntegrationSchema = integrationViewSchema.extend({
  signingSecret: z
    .string()
    .optional()
    .describe(
      "generic and autotask: the HMAC signing secret, used as the literal string (Autotask: the webhook's SecretKey); shown in this answer only, never again",
    ),
  basicAuth: z
    .strictObject({ username: z.string(), password: z.string() })
    .optional()
    .describe("halopsa: the webhook's Basic authentication; the password is shown in this answer only, never again"),
  callbackSecret: z
    .string()
    .optional()
    .describe('connectwise: the secret the callback URL carries; shown in this answer only, never again'),
  callbackPath: z
    .string()
    .optional()
    .describe("connectwise: the path (with its ?secret=) to register as the callback url, after your app's origin"),
});
const integrationListSchema = z.strictObject({ items: z.array(integrationViewSchema) });

const webhookIgnoredSchema = z.strictObject({
  ignored: z.literal(true),
  reason: z
    .string()
    .describe(
      'Why the PSA event asks for nothing: not a ticket, a status that does not ask for access, an unmapped company or technician, an empty target field',
    ),
});

const webhookAcceptedSchema = z.strictObject({
  requestId: z.uuid(),
  status: z.enum(['pending_approval', 'provisioning']),
  ticket: z.string().nullable(),
  technician: z.string().describe("The technician's user principal name in the home tenant"),
});

const reconcileReportSchema = z.strictObject({
  leasesRestarted: z
    .array(z.string())
    .describe('Request ids whose orchestration had failed, been terminated or vanished'),
  leasesRevoked: z
    .array(z.string())
    .describe(
      'Request ids of active leases revoked because the requester was deleted or disabled in the home tenant (endReason requester_offboarded) or is no longer entitled (entitlement_lost)',
    ),
  driftDisabled: z.array(z.string()).describe('JIT accounts of ours found enabled without a live lease, now disabled'),
  foreignJitAccounts: z
    .array(z.string())
    .describe('Accounts named like JIT accounts that this service did not make (reported, never touched)'),
  credentialsDeleted: z.array(z.string()).describe('Request ids whose stored credential outlived the lease'),
  accountsDeleted: z.array(z.string()).describe("Accounts unused for longer than their tenant's cleanup period"),
  errors: z.array(z.string()).describe("One tenant's or lease's failure does not stop the others"),
});

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
  TenantReadinessList: { schema: readinessListSchema, io: 'output' },
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
  RequestPage: { schema: requestPageSchema, io: 'output' },
  DecisionBody: { schema: decisionBodySchema, io: 'input' },
  ExtendBody: { schema: extendBodySchema, io: 'input' },
  ExtendedRequest: { schema: extendedRequestSchema, io: 'output' },
  AuditPage: { schema: auditPageSchema, io: 'output' },
  AuditVerification: { schema: auditVerificationSchema, io: 'output' },
  CreateIntegrationBody: { schema: createIntegrationBodySchema, io: 'input' },
  CreatedIntegration: { schema: createdIntegrationSchema, io: 'output' },
  Integration: { schema: integrationViewSchema, io: 'output' },
  PatchIntegrationBody: { schema: patchIntegrationBodySchema, io: 'input' },
  PatchedIntegration: { schema: createdIntegrationSchema, io: 'output' },
  IntegrationList: { schema: integrationListSchema, io: 'output' },
  WebhookEvent: { schema: webhookEventSchema, io: 'input' },
  WebhookAccepted: { schema: webhookAcceptedSchema, io: 'output' },
  WebhookIgnored: { schema: webhookIgnoredSchema, io: 'output' },
  ReconcileReport: { schema: reconcileReportSchema, io: 'output' },
} as const satisfies Record<string, { schema: z.ZodType; io: 'input' | 'output' }>;

export type SchemaName = keyof typeof NAMED_SCHEMAS;

export interface ApiExample {
  /** Who sends it: the seeded admin (carol), an approver (bob), a technician (alice), or nobody (no token). */
  readonly caller: 'admin' | 'approver' | 'technician' | null;
  readonly pathParams?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  /** Request headers sent as they are (e.g. Idempotency-Key). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /**
   * Signed webhook: a `$response` reference to the signing secret. The sender sets X-Jit-Timestamp
   * to the current unix time and X-Jit-Signature over that timestamp and the body exactly as sent.
   */
  readonly signedWith?: string;
  readonly status: number;
  /** The answer depends on a lease reaching a state: repeat for a while until this status comes. */
  readonly retryUntilStatus?: boolean;
}

export interface ApiParameter {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  readonly schema: Record<string, unknown>;
}

/** A response header; `required: false` for one that only some answers carry. */
export interface ApiResponseHeader {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
}

export interface ApiOperation {
  readonly operationId: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI path under /api, with {params}. */
  readonly path: string;
  readonly tag:
    | 'service'
    | 'tenants'
    | 'targets'
    | 'rules'
    | 'entitlements'
    | 'requests'
    | 'approvals'
    | 'audit'
    | 'integrations'
    | 'webhooks';
  readonly summary: string;
  readonly description?: string;
  /** `signature`: no token; the body is signed with the integration's secret (X-Jit-Timestamp, X-Jit-Signature). */
  readonly auth: 'anonymous' | 'caller' | 'admin' | 'signature';
  readonly requestBody?: SchemaName;
  readonly requestBodyRequired?: boolean;
  readonly query?: readonly ApiParameter[];
  /** Request headers other than Authorization and If-Match. */
  readonly requestHeaders?: readonly ApiParameter[];
  /** Takes If-Match. */
  readonly conditional?: boolean;
  readonly responses: Readonly<
    Record<
      string,
      {
        readonly description: string;
        readonly schema?: SchemaName;
        readonly headers?: readonly (string | ApiResponseHeader)[];
        readonly example?: unknown;
      }
    >
  >;
  readonly example?: ApiExample;
}

/**
 * Query parameters documented from the zod schema the handler validates them with (as input: what
 * a caller sends), with a description for each. Every key of the schema must be described.
 */
function queryParameters<S extends z.ZodObject>(
  schema: S,
  descriptions: { readonly [K in keyof S['shape'] & string]: string },
): ApiParameter[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const generated = z.toJSONSchema(field as z.ZodType, {
      io: 'input',
      target: 'draft-2020-12',
      unrepresentable: 'any',
    }) as Record<string, unknown>;
    delete generated.$schema;
    return { name, description: descriptions[name as keyof typeof descriptions], schema: generated };
  });
}

const REQUEST_STATUSES = leaseRequestSchema.options.map((o) => o.shape.status.value);
const LIFECYCLE =
  `Statuses: ${REQUEST_STATUSES.join(', ')}. A request needing approval starts pending_approval; approved, it goes provisioning → active → revoking → ended ` +
  '(revocation_failed while a revocation keeps failing; failed when provisioning failed). ' +
  `An ended request says why in endReason: ${endReasonSchema.options.join(', ')} (withdrawn: revoked by the requester or an admin while still waiting for approval; ` +
  'requester_offboarded / entitlement_lost: revoked by the reconciler because the requester was deleted or disabled in the home tenant, or no longer holds the entitlement).';

const CONTOSO = '6c2e4f70-1a2b-4c3d-9e4f-5a6b7c8d9e01';
const FABRIKAM = '8e4a6b80-2c3d-4e5f-a061-7b8c9d0e1f02';
const ALL_TECHNICIANS = '2b000000-0000-4000-8000-0000000a1173';
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
    422: 'The idempotency key (Idempotency-Key, or a webhook deliveryId) was used before with a different body',
    502: 'The customer tenant refused a directory read needed to validate the change',
    503: 'A dependency is unavailable; try again',
  };
  return Object.fromEntries(
    statuses.map((s) => [String(s), { description: text[s] ?? 'Error', schema: 'Problem' as const }]),
  );
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
    responses: {
      '200': { description: 'Everything reachable', schema: 'Health' },
      '503': { description: 'Something is down', schema: 'Health' },
    },
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
      '(consent or the directory role often comes later): fix what the checks say and POST …/verify. A `jitDomain` the tenant reports as federated is refused at once (400 naming it; nothing is stored). ' +
      'The example connects Fabrikam in federated mode, which the local stack cannot sign in with, so its verification shows how a failure reads.',
    auth: 'admin',
    requestBody: 'CreateTenantBody',
    responses: {
      '201': {
        description: 'Connected; verification results included',
        schema: 'TenantWithVerification',
        headers: ['Location', 'ETag'],
      },
      ...problems(400, ...ADMIN_ERRORS, 409),
    },
    example: {
      caller: 'admin',
      body: {
        tenantId: FABRIKAM,
        displayName: 'Fabrikam',
        jitDomain: 'fabrikam.example',
        protectedAccounts: ['breakglass@fabrikam.example'],
        tags: ['gold'],
        connection: { mode: 'federated' },
      },
      status: 201,
    },
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
    operationId: 'tenantReadiness',
    method: 'GET',
    path: '/tenants/readiness',
    tag: 'tenants',
    summary: "Every tenant's readiness in one list: which check fails, when it was last verified, the fix",
    description:
      'From the verification the service keeps per tenant (made on connect, on a PATCH of the connection or JIT domain, and by POST …/verify); nothing is checked again, so verify a tenant after fixing it. ' +
      'unverified: not verified since it was connected. A missing Privileged Authentication Administrator role is fixed by the one Graph PowerShell command the passwordResetRole check gives (assigning it through admin consent is not offered). ' +
      'The example lists the tenants not ready: Fabrikam, connected above in federated mode, which the local stack cannot sign in with.',
    auth: 'admin',
    query: queryParameters(readinessQuerySchema, {
      status: 'Only the tenants in this state: ready, notReady or unverified',
    }),
    responses: {
      '200': { description: 'One row per connected tenant, with counts', schema: 'TenantReadinessList' },
      ...problems(400, ...ADMIN_ERRORS),
    },
    example: { caller: 'admin', query: { status: 'notReady' }, status: 200 },
  },
  {
    operationId: 'getTenant',
    method: 'GET',
    path: '/tenants/{tenantId}',
    tag: 'tenants',
    summary: 'One tenant',
    auth: 'admin',
    responses: {
      '200': { description: 'The tenant', schema: 'Tenant', headers: ['ETag'] },
      ...problems(...ADMIN_ERRORS, 404),
    },
    example: { caller: 'admin', pathParams: { tenantId: FABRIKAM }, status: 200 },
  },
  {
    operationId: 'patchTenant',
    method: 'PATCH',
    path: '/tenants/{tenantId}',
    tag: 'tenants',
    summary: 'Change a tenant (rotate its client secret by sending a new connection)',
    description:
      'Verified again when the connection or the JIT domain changes (the answer then includes `verification`). A new `jitDomain` the tenant reports as federated is refused (400 naming it). ' +
      'Adding to `protectedAccounts` a UPN that a live lease uses is refused (409 naming the lease): revoke the lease first.',
    auth: 'admin',
    conditional: true,
    requestBody: 'PatchTenantBody',
    responses: {
      '200': { description: 'Changed', schema: 'PatchedTenant', headers: ['ETag'] },
      ...problems(400, ...ADMIN_ERRORS, 404, 409, 412),
    },
    example: {
      caller: 'admin',
      pathParams: { tenantId: FABRIKAM },
      body: { displayName: 'Fabrikam Ltd', tags: ['gold', 'region-eu'] },
      status: 200,
    },
  },
  {
    operationId: 'verifyTenant',
    method: 'POST',
    path: '/tenants/{tenantId}/verify',
    tag: 'tenants',
    summary: 'Check the connection: sign-in, permissions, JIT domain, reads, directory role',
    description:
      'Each check is named with ok, what was found and, when it failed, how to fix it. Always answers 200; `ok` says whether every check passed.',
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
            {
              name: 'signIn',
              ok: true,
              detail: `a Microsoft Graph token was issued to app 5e000000-0000-4000-8000-00c00000a991 in tenant ${CONTOSO}`,
              fix: null,
            },
            {
              name: 'permissions',
              ok: true,
              detail:
                'granted: Directory.Read.All, Domain.Read.All, GroupMember.ReadWrite.All, Policy.Read.AuthenticationMethod, RoleManagement.ReadWrite.Directory, User.ReadWrite.All, UserAuthenticationMethod.ReadWrite.All',
              fix: null,
            },
            {
              name: 'jitDomain',
              ok: false,
              detail:
                'domain fed.contoso.example is federated: its users sign in at another identity provider, so the password the service sets is not the credential that counts and disabling the account in Entra does not end sessions there. JIT accounts need a managed domain.',
              fix: "PATCH the tenant with a managed, verified domain (e.g. the tenant's <name>.onmicrosoft.com domain) as jitDomain.",
            },
            { name: 'readRoleDefinitions', ok: true, detail: 'read 10 directory role definitions', fix: null },
            { name: 'readUsers', ok: true, detail: 'the app can read users', fix: null },
            {
              name: 'readMemberships',
              ok: true,
              detail: "the app can read a user's group and role memberships (memberOf)",
              fix: null,
            },
            {
              name: 'passwordResetRole',
              ok: true,
              detail:
                'service principal 5e000000-0000-4000-8000-00c00000a5b1 holds Privileged Authentication Administrator',
              fix: null,
            },
            {
              name: 'temporaryAccessPassPolicy',
              ok: true,
              detail: 'not needed: the tenant has no temporaryAccessPass targets',
              fix: null,
            },
            {
              name: 'readAuthenticationMethods',
              ok: true,
              detail: 'not needed: the tenant has no temporaryAccessPass targets',
              fix: null,
            },
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
    description:
      "Roles are checked against the tenant's role definitions (names are filled in), groups must exist (role-assignable for elevation targets).",
    auth: 'admin',
    requestBody: 'CreateTargetBody',
    responses: {
      '201': { description: 'Created', schema: 'Target', headers: ['Location', 'ETag'] },
      ...problems(400, ...ADMIN_ERRORS, 404, 409, 502),
    },
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
        approval: { mode: 'required', deadline: 'PT1H' },
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
    responses: {
      '200': { description: 'The target', schema: 'Target', headers: ['ETag'] },
      ...problems(...ADMIN_ERRORS, 404),
    },
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
    responses: {
      '200': { description: 'Changed', schema: 'Target', headers: ['ETag'] },
      ...problems(400, ...ADMIN_ERRORS, 404, 409, 412, 502),
    },
    example: {
      caller: 'admin',
      pathParams: { tenantId: CONTOSO, targetId: 'user-admin' },
      body: {
        roles: [{ templateId: USER_ADMINISTRATOR }, { templateId: HELPDESK_ADMINISTRATOR }],
        maxDuration: 'PT2H',
      },
      status: 200,
    },
  },
  {
    operationId: 'createRule',
    method: 'POST',
    path: '/rules',
    tag: 'rules',
    summary: 'Who may request what: IF principal (user or group) THEN targets',
    description:
      'scope is one of: { targets: [...] }; { tenants: [...] } (every target of these tenants); { allTenants: true } (every target of every connected tenant, including those connected later; no list, so no cap); ' +
      '{ tenantTag: "gold" } (every target of the tenants tagged so, as tags change). approvalRequired true forces approval whatever other rules say; false waives it only in a rule scoped to targets.',
    auth: 'admin',
    requestBody: 'CreateRuleBody',
    responses: {
      '201': { description: 'Created', schema: 'Rule', headers: ['Location', 'ETag'] },
      ...problems(400, ...ADMIN_ERRORS, 409),
    },
    example: {
      caller: 'admin',
      body: {
        ruleId: 'technicians-user-admin',
        description:
          'All technicians may be User administrator in Contoso for up to an hour (the target needs approval)',
        principal: { type: 'group', id: ALL_TECHNICIANS },
        scope: { targets: [{ tenantId: CONTOSO, targetId: 'user-admin' }] },
        maxDuration: 'PT1H',
      },
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
    responses: {
      '200': { description: 'The rule', schema: 'Rule', headers: ['ETag'] },
      ...problems(...ADMIN_ERRORS, 404),
    },
    example: { caller: 'admin', pathParams: { ruleId: 'technicians-user-admin' }, status: 200 },
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
    responses: {
      '200': { description: 'Replaced', schema: 'Rule', headers: ['ETag'] },
      ...problems(400, ...ADMIN_ERRORS, 404, 412),
    },
    example: {
      caller: 'admin',
      pathParams: { ruleId: 'technicians-user-admin' },
      body: {
        description:
          'All technicians may be User administrator in Contoso for up to 90 minutes (the target needs approval)',
        principal: { type: 'group', id: ALL_TECHNICIANS },
        scope: { targets: [{ tenantId: CONTOSO, targetId: 'user-admin' }] },
        maxDuration: 'PT1H30M',
      },
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
    description:
      '`principal` (checking for someone else) needs Jit.Admin. It is a question: a duration above the effective cap (or below the minimum) is answered `allowed: false` with the bound among the `reasons` (POST /requests refuses it with a 400); only a malformed body is a 400.',
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
          reasons: ["granted by rule 'technicians-user-admin'"],
          matchedRules: ['technicians-user-admin'],
          effectiveMaxDuration: 'PT1H30M',
          minDuration: 'PT15M',
          defaultDuration: 'PT1H',
          approvalRequired: true,
          requireJustification: true,
          requireTicket: false,
        },
      },
      ...problems(400, 401, 403, 404),
    },
    example: {
      caller: 'technician',
      body: { tenantId: CONTOSO, targetId: 'user-admin', duration: 'PT1H' },
      status: 200,
    },
  },
  {
    operationId: 'submitRequest',
    method: 'POST',
    path: '/requests',
    tag: 'requests',
    summary: 'Ask for access (202 and a Location to follow)',
    description:
      'The entitlement, the duration bounds and the justification/ticket the policy asks for are checked at once. One live request per requester and tenant (409 names the live one). ' +
      'With an `Idempotency-Key`, a repeat of the same body answers the first outcome (also a refusal) with `Idempotent-Replayed: true` and starts nothing; the same key with another body is a 422. ' +
      LIFECYCLE,
    auth: 'caller',
    requestBody: 'SubmitRequestBody',
    requestHeaders: [
      {
        name: IDEMPOTENCY_KEY_HEADER,
        description:
          'Optional, 1 to 200 visible ASCII characters, scoped to the caller: a retry with the same key and body gets the first answer instead of a second request',
        schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' },
      },
    ],
    responses: {
      '202': {
        description: 'Accepted: pending_approval (the target or rule needs approval) or provisioning',
        schema: 'LeaseRequest',
        headers: [
          'Location',
          {
            name: 'Idempotent-Replayed',
            description: "'true' when this is the stored answer to an earlier request with the same Idempotency-Key",
            required: false,
          },
        ],
      },
      ...problems(400, 401, 403, 404, 409, 422),
    },
    example: {
      caller: 'technician',
      headers: { [IDEMPOTENCY_KEY_HEADER]: 'portal-7f3c9a2e-0001' },
      body: {
        tenantId: CONTOSO,
        targetId: 'user-admin',
        duration: 'PT15M',
        justification: 'Reset MFA for a Contoso user (ticket T-4702)',
      },
      status: 202,
    },
  },
  {
    operationId: 'getRequest',
    method: 'GET',
    path: '/requests/{id}',
    tag: 'requests',
    summary: 'A request and its status',
    description: `The requester, an approver or an admin. ${LIFECYCLE}`,
    auth: 'caller',
    responses: { '200': { description: 'The request', schema: 'LeaseRequest' }, ...problems(401, 403, 404) },
    example: { caller: 'technician', pathParams: { id: '$response.submitRequest#/id' }, status: 200 },
  },
  {
    operationId: 'listRequests',
    method: 'GET',
    path: '/requests',
    tag: 'requests',
    summary:
      'Requests, newest first: admins see all, everyone else their own; `awaiting=me` lists what the caller may decide now',
    description:
      '`awaiting=me` reads a page of pending requests and keeps those the caller may decide (not their own, and an eligible approver), so a page can hold fewer than `limit` ' +
      'while `continuationToken` is not null; it ignores `status` and `mine`. A non-admin always gets their own requests, whatever `mine` says. An unknown or repeated parameter is a 400.',
    auth: 'caller',
    query: queryParameters(listRequestsQuerySchema, {
      status: `Comma-separated statuses to keep: ${REQUEST_STATUSES.join(', ')}`,
      tenantId: 'Only requests for this customer tenant',
      mine: "'true': only the caller's own requests (what non-admins always get)",
      awaiting: "'me': requests waiting for a decision the caller may make",
      limit: 'Page size (1 to 200, default 50)',
      continuationToken: 'From the previous page',
    }),
    responses: { '200': { description: 'A page of requests', schema: 'RequestPage' }, ...problems(400, 401) },
    example: { caller: 'approver', query: { awaiting: 'me', tenantId: CONTOSO, limit: '20' }, status: 200 },
  },
  {
    operationId: 'approveRequest',
    method: 'POST',
    path: '/requests/{id}/approve',
    tag: 'approvals',
    summary: 'Approve a request waiting for approval (202: the lease orchestration provisions it)',
    description:
      "Nobody decides their own request (403, whatever their roles). Then only the target's listed approvers (users or groups) decide, or, when it lists none, any holder of Jit.Approver " +
      '(Jit.Admin alone is not enough): 403. Only a pending request before its approval deadline can be decided: 409. The answer is the request once the orchestration has recorded the decision ' +
      '(`decision` with who, by UPN, and when; `provisioning` or later), or, if that takes over 5 s, as it stands then; follow Location.',
    auth: 'caller',
    requestBody: 'DecisionBody',
    requestBodyRequired: false,
    responses: {
      '202': { description: 'Decision sent', schema: 'LeaseRequest', headers: ['Location'] },
      ...problems(400, 401, 403, 404, 409, 415),
    },
    example: {
      caller: 'approver',
      pathParams: { id: '$response.submitRequest#/id' },
      body: { comment: 'OK for T-4702' },
      status: 202,
    },
  },
  {
    operationId: 'revealCredential',
    method: 'POST',
    path: '/requests/{id}/credential',
    tag: 'requests',
    summary: "Reveal the lease's credential (the requester, while active; audited; never cached)",
    auth: 'caller',
    responses: { '200': { description: 'The credential', schema: 'Credential' }, ...problems(401, 403, 404, 409) },
    example: {
      caller: 'technician',
      pathParams: { id: '$response.submitRequest#/id' },
      status: 200,
      retryUntilStatus: true,
    },
  },
  {
    operationId: 'extendRequest',
    method: 'POST',
    path: '/requests/{id}/extend',
    tag: 'requests',
    summary: 'Extend an active lease by a duration (the requester or an admin)',
    description:
      "The duration is added to the current expiry; the lease's total length from activation may not exceed the policy's maximum (the target's, or a matching rule's tighter cap): " +
      "a 400 names the cap. Access is never dropped: the orchestration moves the expiry (and the credential's) and answers nothing more; GET the request for the new `expiresAt`.",
    auth: 'caller',
    requestBody: 'ExtendBody',
    responses: {
      '202': { description: 'Extension sent', schema: 'ExtendedRequest' },
      ...problems(400, 401, 403, 404, 409, 415),
    },
    example: {
      caller: 'technician',
      pathParams: { id: '$response.submitRequest#/id' },
      body: { duration: 'PT15M' },
      status: 202,
    },
  },
  {
    operationId: 'revokeRequest',
    method: 'POST',
    path: '/requests/{id}/revoke',
    tag: 'requests',
    summary: 'End the lease now, or withdraw a request still waiting for approval (the requester or an admin)',
    description:
      'The reason is recorded on the request (`revokeReason`) and who revoked as `revokedBy` (UPN). The answer is the request once the orchestration has taken the revocation up ' +
      '(`revoking`, or `ended` with endReason revoked or withdrawn), or as it stands after 5 s (a request still provisioning is revoked when provisioning finishes); follow Location to `ended`. ' +
      'A request that has already ended is a 409.',
    auth: 'caller',
    requestBody: 'RevokeRequestBody',
    requestBodyRequired: false,
    responses: {
      '202': { description: 'Revocation taken up', schema: 'LeaseRequest', headers: ['Location'] },
      ...problems(400, 401, 403, 404, 409),
    },
    example: {
      caller: 'technician',
      pathParams: { id: '$response.submitRequest#/id' },
      body: { reason: 'Done' },
      status: 202,
    },
  },
  {
    operationId: 'createIntegration',
    method: 'POST',
    path: '/integrations',
    tag: 'integrations',
    summary: 'Register a ticketing integration; its secret is in this answer only',
    description:
      "`kind` generic (the default) takes the signed event below; connectwise, autotask and halopsa take those PSAs' native webhooks, with a `mapping` from tickets to access requests (docs/ticketing.md). " +
      'The 256-bit secret that authenticates deliveries (generic and autotask: `signingSecret`, used as the literal string; halopsa: `basicAuth`; connectwise: `callbackSecret`, carried in the callback URL `callbackPath`) is generated here and kept in Key Vault; ' +
      "it is never shown again (rotate it with PATCH). ConnectWise also signs its callbacks, but with keys any company on the same ConnectWise cloud can have: the URL secret is what tells the MSP's callbacks apart. " +
      'A connectwise `callbackKeyOrigin` on loopback or a private address is refused outside local development. Events go to `webhookPath`.',
    auth: 'admin',
    requestBody: 'CreateIntegrationBody',
    responses: {
      '201': { description: 'Created', schema: 'CreatedIntegration', headers: ['Location', 'ETag'] },
      ...problems(400, ...ADMIN_ERRORS, 413, 415),
    },
    example: { caller: 'admin', body: { name: 'ServiceDesk PSA' }, status: 201 },
  },
  {
    operationId: 'listIntegrations',
    method: 'GET',
    path: '/integrations',
    tag: 'integrations',
    summary: 'Ticketing integrations (never their secrets)',
    auth: 'admin',
    responses: { '200': { description: 'Every integration', schema: 'IntegrationList' }, ...problems(...ADMIN_ERRORS) },
    example: { caller: 'admin', status: 200 },
  },
  {
    operationId: 'receiveWebhook',
    method: 'POST',
    path: '/webhooks/{integrationId}',
    tag: 'webhooks',
    summary: "A ticketing system asks for access for a technician (signed with the integration's secret, no token)",
    description:
      `Authenticated by an HMAC signature, not a token: \`${TIMESTAMP_HEADER}: <unix seconds>\` and \`${SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>\`, ` +
      "over the body bytes exactly as sent; a timestamp more than 5 minutes from the server's time is refused (401). " +
      'The technician is looked up in the home tenant (by objectId or userPrincipalName; the home tenant must be connected, else 409) and the entitlement rules are checked for them as for a portal request. ' +
      'A repeated `deliveryId` answers the first success with `Idempotent-Replayed: true`; a refusal (403, 404, 409 …) is not kept, so a retry after the configuration is fixed is evaluated again; the same deliveryId with another body is a 422. ' +
      'A body whose declared Content-Length exceeds 64 KiB is refused (413) before it is read. ' +
      "Integrations of kind connectwise, autotask and halopsa take their PSA's native payload instead, authenticated as the PSA does it (X-Content-Signature, X-Hook-Signature, Basic credentials; see docs/ticketing.md); " +
      "the headers below are the generic kind's. A native event that does not ask for access is answered 200 with the reason.",
    auth: 'signature',
    requestBody: 'WebhookEvent',
    requestHeaders: [
      {
        name: TIMESTAMP_HEADER,
        description: "Signing time in unix seconds, within 5 minutes of the server's time",
        required: true,
        schema: { type: 'string', pattern: '^[0-9]{1,12}$' },
      },
      {
        name: SIGNATURE_HEADER,
        description: 'sha256=<lowercase or uppercase hex of HMAC-SHA256(signing secret, timestamp + "." + raw body)>',
        required: true,
        schema: { type: 'string', pattern: '^sha256=[0-9a-fA-F]{64}$' },
      },
    ],
    responses: {
      '202': {
        description: 'Accepted: the request is made for the technician (pending_approval or provisioning)',
        schema: 'WebhookAccepted',
        headers: [
          'Location',
          {
            name: 'Idempotent-Replayed',
            description: "'true' when this is the stored answer to an earlier delivery with the same deliveryId",
            required: false,
          },
        ],
      },
      '200': {
        description: 'A native PSA event that asks for no access (why is in `reason`); nothing was done',
        schema: 'WebhookIgnored',
      },
      '400': {
        description: 'Bad event: every failing field is named in `errors` (also: no such technician)',
        schema: 'Problem',
      },
      '401': {
        description:
          'Signature or timestamp missing, malformed, stale or not matching the body (or the native credential wrong)',
        schema: 'Problem',
      },
      '403': { description: 'The technician is not entitled to the target', schema: 'Problem' },
      '404': {
        description: 'No such integration, or it is disabled or deleted (audited); no such tenant or target',
        schema: 'Problem',
      },
      '409': {
        description:
          'The technician already has a live request for the tenant; the home tenant is not connected; the first delivery is still being processed',
        schema: 'Problem',
      },
      ...problems(413, 422, 503),
    },
    example: {
      caller: null,
      signedWith: '$response.createIntegration#/signingSecret',
      pathParams: { integrationId: '$response.createIntegration#/integrationId' },
      body: {
        deliveryId: 'psa-delivery-000118',
        type: 'access.requested',
        ticket: 'T-4711',
        technician: { userPrincipalName: 'dave@msp.example' },
        tenantId: CONTOSO,
        targetId: 'user-admin',
        duration: 'PT30M',
        justification: 'Ticket T-4711: unlock a Contoso user',
      },
      status: 202,
    },
  },
  {
    operationId: 'getIntegration',
    method: 'GET',
    path: '/integrations/{integrationId}',
    tag: 'integrations',
    summary: 'One ticketing integration (never its secret), with its ETag',
    auth: 'admin',
    responses: {
      '200': { description: 'The integration', schema: 'Integration', headers: ['ETag'] },
      ...problems(...ADMIN_ERRORS, 404),
    },
    example: {
      caller: 'admin',
      pathParams: { integrationId: '$response.createIntegration#/integrationId' },
      status: 200,
    },
  },
  {
    operationId: 'patchIntegration',
    method: 'PATCH',
    path: '/integrations/{integrationId}',
    tag: 'integrations',
    summary: 'Rename, disable or enable an integration, replace its mapping, or rotate its secret',
    description:
      '`enabled: false` refuses every delivery (404) and audits it (`webhook.refused`, at most once a minute per integration) until it is enabled again. ' +
      '`rotateSecret` makes a new secret, shown in this answer only (the same field as at creation); the replaced one keeps authenticating deliveries for `overlap` ' +
      '(at most P7D; none: it stops at once), so the sender can be switched over without losing deliveries. A `mapping` replaces the old one as a whole (its tenants must be connected).',
    auth: 'admin',
    conditional: true,
    requestBody: 'PatchIntegrationBody',
    responses: {
      '200': { description: 'Changed', schema: 'PatchedIntegration', headers: ['ETag'] },
      ...problems(400, ...ADMIN_ERRORS, 404, 409, 412, 413, 415),
    },
    example: {
      caller: 'admin',
      pathParams: { integrationId: '$response.createIntegration#/integrationId' },
      body: { name: 'ServiceDesk PSA (EU)', rotateSecret: { overlap: 'PT1H' } },
      status: 200,
    },
  },
  {
    operationId: 'denyRequest',
    method: 'POST',
    path: '/requests/{id}/deny',
    tag: 'approvals',
    summary: 'Deny a request waiting for approval (202: the lease orchestration ends it, endReason denied)',
    description:
      'The same checks as approve: not your own request, an eligible approver (403), still pending before its deadline (409). The answer is the request once the decision is recorded ' +
      '(`ended`, `endReason` denied, `decision` with who and when), or as it stands after 5 s; follow Location.',
    auth: 'caller',
    requestBody: 'DecisionBody',
    requestBodyRequired: false,
    responses: {
      '202': { description: 'Decision sent', schema: 'LeaseRequest', headers: ['Location'] },
      ...problems(400, 401, 403, 404, 409, 415),
    },
    example: {
      caller: 'approver',
      pathParams: { id: '$response.receiveWebhook#/requestId' },
      body: { comment: 'Not during the change freeze' },
      status: 202,
    },
  },
  {
    operationId: 'listAudit',
    method: 'GET',
    path: '/audit',
    tag: 'audit',
    summary: 'The audit log, newest first, filtered',
    description:
      'Every lease step, decision, credential reveal, configuration change and reconciler finding. Details are non-secret facts only. An unknown or repeated parameter is a 400.',
    auth: 'admin',
    query: queryParameters(auditQuerySchema, {
      tenantId: 'Only events about this customer tenant',
      requestId: 'Only events about this request',
      requester: 'Only events about leases of this requester (home-tenant object id)',
      actor: 'Only events by this actor (object id, integration id or entra-jit for the service)',
      action: 'Only this action, e.g. lease.provisioned, request.approved, credential.revealed',
      from: 'Events at or after this time (ISO 8601 with offset)',
      to: 'Events at or before this time (ISO 8601 with offset)',
      limit: 'Page size (1 to 500, default 100)',
      continuationToken: 'From the previous page',
    }),
    responses: {
      '200': { description: 'A page of audit records', schema: 'AuditPage' },
      ...problems(400, ...ADMIN_ERRORS),
    },
    example: { caller: 'admin', query: { requestId: '$response.submitRequest#/id', limit: '50' }, status: 200 },
  },
  {
    operationId: 'verifyAudit',
    method: 'GET',
    path: '/audit/verify',
    tag: 'audit',
    summary: 'Walk the audit hash chain and report the first broken link',
    description:
      "Without tenantId the chain of all events is checked, with it that tenant's chain. An edited record breaks its hash; a deleted one leaves a gap. " +
      'A chain rebuilt from scratch by someone with storage access is caught by an anchor: a seq and hash noted earlier outside the table (the reconciler logs the head as audit_anchor on every run).',
    auth: 'admin',
    query: queryParameters(auditVerifyQuerySchema, {
      tenantId: "Check this tenant's chain instead of the chain of all events",
      anchorSeq:
        'With anchorHash: a record noted earlier (headSeq of an earlier verification, or an audit_anchor log line)',
      anchorHash: 'With anchorSeq: the hash noted for it',
    }),
    responses: {
      '200': { description: 'The verification (intact or not: always 200)', schema: 'AuditVerification' },
      ...problems(400, ...ADMIN_ERRORS),
    },
    example: { caller: 'admin', query: { tenantId: CONTOSO }, status: 200 },
  },
  {
    operationId: 'deleteIntegration',
    method: 'DELETE',
    path: '/integrations/{integrationId}',
    tag: 'integrations',
    summary: 'Delete an integration: its secrets leave Key Vault; later deliveries are refused (404) and audited',
    auth: 'admin',
    conditional: true,
    responses: { '204': { description: 'Deleted' }, ...problems(...ADMIN_ERRORS, 404, 412) },
    example: {
      caller: 'admin',
      pathParams: { integrationId: '$response.createIntegration#/integrationId' },
      status: 204,
    },
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
    example: { caller: 'admin', pathParams: { ruleId: 'technicians-user-admin' }, status: 204 },
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
    // Waits for the lease revoked above to end: until then the target has a live lease (409).
    example: {
      caller: 'admin',
      pathParams: { tenantId: CONTOSO, targetId: 'user-admin' },
      status: 204,
      retryUntilStatus: true,
    },
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
    query: [
      {
        name: 'force',
        description: 'true: revoke live leases first',
        schema: { type: 'string', enum: ['true', 'false'] },
      },
    ],
    responses: {
      '200': { description: 'Deleted', schema: 'DeleteTenantResult' },
      '202': { description: 'Leases revoked but not all ended yet; nothing deleted', schema: 'DeleteTenantResult' },
      ...problems(400, ...ADMIN_ERRORS, 404, 409, 412),
    },
    example: { caller: 'admin', pathParams: { tenantId: FABRIKAM }, status: 200 },
  },
  {
    operationId: 'reconcile',
    method: 'POST',
    path: '/ops/reconcile',
    tag: 'service',
    summary: 'Run the reconciler now (it also runs on its schedule) and see what it found and did',
    description:
      'Restarts leases whose orchestration failed or vanished, disables JIT accounts enabled without a live lease (drift), reports look-alike accounts it did not make, ' +
      "deletes credentials that outlived their lease and accounts unused past their tenant's cleanup period. Every finding is audited. Takes no body.",
    auth: 'admin',
    responses: { '200': { description: 'The report', schema: 'ReconcileReport' }, ...problems(...ADMIN_ERRORS, 503) },
    example: { caller: 'admin', status: 200 },
  },
];
