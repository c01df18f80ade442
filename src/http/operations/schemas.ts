import { psaWriteBackSettingsSchema } from '../../domain/psaWriteBack';
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
import {
  applyTemplateBodySchema,
  applyTemplateResultSchema,
  createTemplateBodySchema,
  deleteTemplateResultSchema,
  replaceTemplateBodySchema,
  templateListSchema,
  templateTenantListSchema,
  templateViewSchema,
} from '../../app/config/templateSchemas';
import { decisionBodySchema } from '../../app/approvals';
import {
  connectCustomersBodySchema,
  connectCustomersResultSchema,
  gdapCustomerListSchema,
} from '../../app/config/customerSchemas';
import {
  groupMatchListSchema,
  principalMatchListSchema,
  roleDefinitionListSchema,
} from '../../app/config/directoryPickers';
import { extendBodySchema } from '../../app/extend';
import { createIntegrationBodySchema, patchIntegrationBodySchema } from '../../app/integrations';
import { psaMappingSchema } from '../../domain/psaMapping';
import { revokeRequestBodySchema, submitRequestBodySchema } from '../../app/requests';
import { webhookEventSchema } from '../../app/webhooks';
import { auditRecordSchema } from '../../domain/auditChain';
import { customerReportSchema } from '../../app/reports/reportSchemas';
import { reportSettingsSchema } from '../../app/reports/reportSettings';
import { leaseRequestSchema } from '../../domain/request';
import { adaptiveCardInvokeResponseSchema, botActivitySchema } from '../teamsBotSchemas';

/**
 * The named schemas of the OpenAPI document (`components.schemas`): the zod schemas the handlers
 * parse with and answer in, plus the answers only the HTTP layer shapes. Operations refer to them
 * by name.
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
  writeBack: psaWriteBackSettingsSchema
    .optional()
    .describe("PSA kinds: what is written on a request's ticket as its lease moves (never the credentials)"),
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
  CreateTemplateBody: { schema: createTemplateBodySchema, io: 'input' },
  ReplaceTemplateBody: { schema: replaceTemplateBodySchema, io: 'input' },
  Template: { schema: templateViewSchema, io: 'output' },
  TemplateList: { schema: templateListSchema, io: 'output' },
  DeleteTemplateResult: { schema: deleteTemplateResultSchema, io: 'output' },
  ApplyTemplateBody: { schema: applyTemplateBodySchema, io: 'input' },
  ApplyTemplateResult: { schema: applyTemplateResultSchema, io: 'output' },
  TemplateTenantList: { schema: templateTenantListSchema, io: 'output' },
  RoleDefinitionList: { schema: roleDefinitionListSchema, io: 'output' },
  GroupMatchList: { schema: groupMatchListSchema, io: 'output' },
  PrincipalMatchList: { schema: principalMatchListSchema, io: 'output' },
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
  CustomerReport: { schema: customerReportSchema, io: 'output' },
  ReportSettings: { schema: reportSettingsSchema, io: 'input' },
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
  GdapCustomerList: { schema: gdapCustomerListSchema, io: 'output' },
  ConnectCustomersBody: { schema: connectCustomersBodySchema, io: 'input' },
  ConnectCustomersResult: { schema: connectCustomersResultSchema, io: 'output' },
  BotActivity: { schema: botActivitySchema, io: 'input' },
  AdaptiveCardInvokeResponse: { schema: adaptiveCardInvokeResponseSchema, io: 'output' },
} as const satisfies Record<string, { schema: z.ZodType; io: 'input' | 'output' }>;

export type SchemaName = keyof typeof NAMED_SCHEMAS;
