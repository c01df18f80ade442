import { z } from 'zod';
import {
  approvalPolicySchema,
  maxScheduleAheadSchema,
  cleanupAfterDaysUnusedSchema,
  domainNameSchema,
  principalRefSchema,
  ruleSchema,
  ruleScopeSchema,
  MAX_TENANT_TAGS,
  slugSchema,
  targetCredentialTypeSchema,
  targetKindSchema,
  tenantTagSchema,
  targetSchema,
  userPrincipalNameSchema,
} from '../../domain/config';
import { durationSchema } from '../../domain/duration';
import { credentialTypeSchema } from '../../domain/request';
import { verificationCheckSchema, verificationSchema } from '../../domain/tenantVerification';
import { stepUpPolicySchema } from '../../domain/stepUp';

/**
 * The admin API's bodies and answers. These zod schemas are the contract: the handlers parse with
 * them and the OpenAPI document (src/http/openapi.ts) is generated from them.
 */

// ── Tenants ─────────────────────────────────────────────────────────────────────────────────────

export const tenantConnectionInputSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('clientSecret'),
    clientId: z.uuid().describe("Application (client) id of the app registration in the customer's tenant"),
    clientSecret: z.string().min(1).max(1024).describe('Stored in Key Vault at once; never returned by any endpoint'),
  }),
  z
    .strictObject({ mode: z.literal('federated') })
    .describe("The service's multi-tenant app, signed in with the Function App's managed identity: no secret anywhere"),
]);
export type TenantConnectionInput = z.infer<typeof tenantConnectionInputSchema>;

const displayNameSchema = z.string().trim().min(1).max(256);

/** Tags as a set: a repeated tag is a mistake worth naming, not something to store twice. */
const tenantTagsInputSchema = z
  .array(tenantTagSchema)
  .max(MAX_TENANT_TAGS)
  .superRefine((tags, ctx) => {
    tags.forEach((tag, i) => {
      if (tags.indexOf(tag) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `repeats tag '${tag}'` });
    });
  })
  .describe('Labels for rules scoped { "tenantTag": … } (replaces the whole list on PATCH)');

export const createTenantBodySchema = z.strictObject({
  tenantId: z.uuid(),
  displayName: displayNameSchema,
  jitDomain: domainNameSchema.describe(
    'A managed, verified domain of the tenant for JIT accounts (jit-<alias>@<jitDomain>)',
  ),
  protectedAccounts: z
    .array(userPrincipalNameSchema)
    .max(100)
    .optional()
    .describe('Accounts the service must never create, change or delete'),
  tags: tenantTagsInputSchema.optional(),
  connection: tenantConnectionInputSchema,
});
export type CreateTenantBody = z.infer<typeof createTenantBodySchema>;

export const patchTenantBodySchema = z
  .strictObject({
    displayName: displayNameSchema.optional(),
    jitDomain: domainNameSchema.optional(),
    protectedAccounts: z.array(userPrincipalNameSchema).max(100).optional(),
    tags: tenantTagsInputSchema.optional(),
    connection: tenantConnectionInputSchema
      .optional()
      .describe('Replaces the connection; send a new clientSecret to rotate it'),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one field to change' });
export type PatchTenantBody = z.infer<typeof patchTenantBodySchema>;

export const tenantViewSchema = z.strictObject({
  tenantId: z.uuid(),
  displayName: z.string(),
  jitDomain: z.string(),
  protectedAccounts: z.array(z.string()),
  tags: z.array(z.string()),
  connection: z.discriminatedUnion('mode', [
    z.strictObject({
      mode: z.literal('clientSecret'),
      clientId: z.uuid(),
      clientSecret: z.literal('stored in Key Vault'),
    }),
    z.strictObject({ mode: z.literal('federated') }),
  ]),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TenantView = z.infer<typeof tenantViewSchema>;

export {
  verificationCheckNameSchema,
  verificationCheckSchema,
  verificationSchema,
  type Verification,
  type VerificationCheck,
  type VerificationCheckName,
} from '../../domain/tenantVerification';

export const tenantWithVerificationSchema = tenantViewSchema.extend({ verification: verificationSchema });

export const tenantListSchema = z.strictObject({ items: z.array(tenantViewSchema) });

export const readinessStatusSchema = z.enum(['ready', 'notReady', 'unverified']);

export const tenantReadinessSchema = z.strictObject({
  tenantId: z.uuid(),
  displayName: z.string(),
  tags: z.array(z.string()),
  /** ready: every check passed at the last verification; unverified: not verified since it was connected. */
  status: readinessStatusSchema,
  lastVerifiedAt: z.iso.datetime().nullable(),
  /** The checks that failed at the last verification, each with its fix. */
  failing: z.array(verificationCheckSchema),
});

export const readinessQuerySchema = z.strictObject({
  status: readinessStatusSchema.optional().describe('Only the tenants in this state'),
});
export type ReadinessQuery = z.infer<typeof readinessQuerySchema>;

export const readinessListSchema = z.strictObject({
  items: z.array(tenantReadinessSchema),
  /** Counts over all connected tenants, whatever the filter. */
  summary: z.strictObject({
    tenants: z.number().int(),
    ready: z.number().int(),
    notReady: z.number().int(),
    unverified: z.number().int(),
  }),
});
export type ReadinessList = z.infer<typeof readinessListSchema>;

export const consentUrlSchema = z.strictObject({
  tenantId: z.uuid(),
  clientId: z.uuid(),
  consentUrl: z.url(),
  instructions: z.string(),
});

export const deleteTenantResultSchema = z.strictObject({
  tenantId: z.uuid(),
  deleted: z.boolean(),
  /** Live leases asked to revoke (force=true). */
  revokedRequests: z.array(z.uuid()),
  /** Leases not yet ended when the call answered: repeat the DELETE once they have. */
  pendingRequests: z.array(z.uuid()),
  deletedTargets: z.array(z.string()),
  changedRules: z.array(z.string()),
});

// ── Targets ─────────────────────────────────────────────────────────────────────────────────────

const STEP_UP_DESCRIPTION =
  "Conditional Access authentication contexts (c1..c99) the caller's token must show (acrs) to request and reveal (authenticationContext) and to approve (approverAuthenticationContext); without it a 401 claims challenge";

const roleInputSchema = z.strictObject({
  templateId: z.uuid().describe("A directory role's template id, checked against the tenant's role definitions"),
});
const groupInputSchema = z.strictObject({ id: z.uuid().describe("A group's object id in the target's tenant") });

export const createTargetBodySchema = z.strictObject({
  targetId: slugSchema,
  name: displayNameSchema,
  kind: targetKindSchema,
  roles: z.array(roleInputSchema).max(20).optional(),
  groups: z.array(groupInputSchema).max(20).optional(),
  defaultDuration: durationSchema.optional().describe('PT4H unless set'),
  minDuration: durationSchema.optional().describe('PT15M unless set'),
  maxDuration: durationSchema.optional().describe('PT8H unless set; at most P7D'),
  approval: approvalPolicySchema.optional(),
  maxScheduleAhead: maxScheduleAheadSchema
    .optional()
    .describe('How far ahead a request may set startAt (e.g. P14D, at most P90D); absent: no scheduling'),
  requireJustification: z.boolean().optional(),
  requireTicket: z.boolean().optional(),
  accessDetails: z.string().max(400).optional().describe('Shown to the requester with the credential'),
  stepUp: stepUpPolicySchema.optional().describe(STEP_UP_DESCRIPTION),
  credentialType: targetCredentialTypeSchema.optional().describe('adminAccount targets only; password unless set'),
  temporaryAccessPassUsableOnce: z
    .boolean()
    .optional()
    .describe('For temporaryAccessPass targets: the pass signs in once; JIT_TAP_USABLE_ONCE unless set'),
  cleanupAfterDaysUnused: cleanupAfterDaysUnusedSchema
    .optional()
    .describe('adminAccount targets only: delete the JIT account after this many days unused'),
  groupId: z
    .uuid()
    .optional()
    .describe('gdapGroup targets only: the home security group GDAP access assignments map to customer roles'),
});
export type CreateTargetBody = z.infer<typeof createTargetBodySchema>;

export const patchTargetBodySchema = z
  .strictObject({
    name: displayNameSchema.optional(),
    roles: z.array(roleInputSchema).max(20).optional(),
    groups: z.array(groupInputSchema).max(20).optional(),
    defaultDuration: durationSchema.optional(),
    minDuration: durationSchema.optional(),
    maxDuration: durationSchema.optional(),
    approval: approvalPolicySchema.optional(),
    maxScheduleAhead: maxScheduleAheadSchema.nullable().optional().describe('null: no scheduling'),
    requireJustification: z.boolean().optional(),
    requireTicket: z.boolean().optional(),
    accessDetails: z.string().max(400).nullable().optional().describe('null removes it'),
    stepUp: stepUpPolicySchema.nullable().optional().describe(`${STEP_UP_DESCRIPTION}; null removes it`),
    kind: targetKindSchema
      .optional()
      .describe('A new kind drops the fields only the old kind had (an elevation target has no credentialType)'),
    credentialType: targetCredentialTypeSchema.optional().describe('adminAccount targets only'),
    temporaryAccessPassUsableOnce: z.boolean().nullable().optional().describe('null: JIT_TAP_USABLE_ONCE decides'),
    cleanupAfterDaysUnused: cleanupAfterDaysUnusedSchema.nullable().optional().describe('null: keep accounts'),
    groupId: z.uuid().optional().describe('gdapGroup targets only'),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one field to change' });
export type PatchTargetBody = z.infer<typeof patchTargetBodySchema>;

/** A target as stored: its kind's fields and no others (domain targetSchema). */
export const targetViewSchema = targetSchema;
export const targetListSchema = z.strictObject({ items: z.array(targetViewSchema) });

// ── Rules ───────────────────────────────────────────────────────────────────────────────────────

const ruleFields = {
  description: z.string().max(500).optional(),
  principal: principalRefSchema.describe('A user or group of the home tenant (group ids as in the token groups claim)'),
  scope: ruleScopeSchema.describe(
    'These targets; every target of these tenants; { "allTenants": true }: every target of every connected tenant, including tenants connected later; or { "tenantTag": "gold" }: every target of the tenants tagged so (a tag no tenant carries yet is accepted)',
  ),
  maxDuration: durationSchema.optional().describe("A tighter cap than the target's maxDuration"),
  approvalRequired: z
    .boolean()
    .optional()
    .describe(
      "true forces approval (it wins over any other matching rule); false waives the target's approval, only for a rule that names the target and only when no matching rule forces it",
    ),
};

export const createRuleBodySchema = z.strictObject({ ruleId: slugSchema, ...ruleFields });
export type CreateRuleBody = z.infer<typeof createRuleBodySchema>;
export const replaceRuleBodySchema = z.strictObject(ruleFields);
export type ReplaceRuleBody = z.infer<typeof replaceRuleBodySchema>;

export const ruleViewSchema = ruleSchema;
export const ruleListSchema = z.strictObject({ items: z.array(ruleSchema) });

// ── Entitlements ────────────────────────────────────────────────────────────────────────────────

export const entitlementCheckBodySchema = z.strictObject({
  tenantId: z.uuid(),
  targetId: slugSchema,
  duration: durationSchema.optional(),
  principal: z
    .strictObject({ type: z.literal('user'), id: z.uuid(), groups: z.array(z.uuid()).max(500).optional() })
    .optional()
    .describe('Check for someone else (Jit.Admin only); absent: the caller, with the groups of their token'),
});
export type EntitlementCheckBody = z.infer<typeof entitlementCheckBodySchema>;

export const entitlementCheckResultSchema = z.strictObject({
  tenantId: z.uuid(),
  targetId: z.string(),
  allowed: z.boolean(),
  reasons: z.array(z.string()),
  matchedRules: z.array(z.string()),
  effectiveMaxDuration: z.string(),
  minDuration: z.string(),
  defaultDuration: z.string(),
  approvalRequired: z.boolean(),
  requireJustification: z.boolean(),
  requireTicket: z.boolean(),
});
export type EntitlementCheckResult = z.infer<typeof entitlementCheckResultSchema>;

export const entitlementItemSchema = z.strictObject({
  tenantId: z.uuid(),
  tenantDisplayName: z.string(),
  targetId: z.string(),
  name: z.string(),
  kind: targetKindSchema,
  roles: z.array(z.strictObject({ templateId: z.string(), displayName: z.string().optional() })),
  groups: z.array(z.strictObject({ id: z.string(), displayName: z.string().optional() })),
  defaultDuration: z.string(),
  minDuration: z.string(),
  effectiveMaxDuration: z.string(),
  approvalRequired: z.boolean(),
  requireJustification: z.boolean(),
  requireTicket: z.boolean(),
  credentialType: credentialTypeSchema.describe(
    "'none' for elevation targets: the requester's own account, no credential",
  ),
  maxScheduleAhead: z
    .string()
    .optional()
    .describe('How far ahead a request may set startAt; absent: the target does not allow scheduling'),
  matchedRules: z.array(z.string()),
});
export const entitlementListSchema = z.strictObject({ items: z.array(entitlementItemSchema) });
