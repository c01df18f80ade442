import { z } from 'zod';
import { slugSchema, targetKindSchema } from '../../domain/config';
import { templateFields, templateSchema } from '../../domain/template';

/** The template API's bodies and answers (the contract: handlers parse with them, OpenAPI is made from them). */

const describedFields = {
  ...templateFields,
  kind: targetKindSchema.describe('The kind of target it makes in each tenant'),
  roles: templateFields.roles.describe(
    "Directory roles by template id, checked against each tenant's role definitions",
  ),
  groups: templateFields.groups.describe(
    'Groups by display name: in each tenant exactly one group must carry the name (a missing or ambiguous name fails that tenant, which gets no target)',
  ),
  applyTo: templateFields.applyTo.describe(
    '{ "tenants": [...] }, { "allTenants": true } (every connected tenant) or { "tenantTag": "gold" }',
  ),
  applyToNewTenants: templateFields.applyToNewTenants.describe(
    'Tenants connected later that fall in applyTo get the target when they are connected',
  ),
};

export const createTemplateBodySchema = z.strictObject({
  templateId: slugSchema.describe('Also the id of the target it makes in each tenant'),
  ...describedFields,
});
export type CreateTemplateBody = z.infer<typeof createTemplateBodySchema>;

/** A replacement: every field as on creation, except the id. */
export const replaceTemplateBodySchema = z.strictObject(describedFields);
export type ReplaceTemplateBody = z.infer<typeof replaceTemplateBodySchema>;

export const templateViewSchema = templateSchema;
export const templateListSchema = z.strictObject({ items: z.array(templateSchema) });

export const APPLY_BATCH_SIZE = 50;

export const applyTemplateBodySchema = z.strictObject({
  tenants: z
    .array(z.uuid())
    .min(1)
    .max(APPLY_BATCH_SIZE)
    .optional()
    .describe('Apply to these connected tenants only; absent: every tenant the template applies to, in batches'),
  continuationToken: z
    .string()
    .max(200)
    .optional()
    .describe('From the previous answer: the next batch of tenants (without tenants only)'),
});
export type ApplyTemplateBody = z.infer<typeof applyTemplateBodySchema>;

export const applicationResultSchema = z.strictObject({
  tenantId: z.uuid(),
  outcome: z.enum(['created', 'updated', 'unchanged', 'failed']).describe('failed: nothing was written in that tenant'),
  detail: z.string().optional().describe('Why it failed'),
});
export type ApplicationResult = z.infer<typeof applicationResultSchema>;

export const applyTemplateResultSchema = z.strictObject({
  templateId: z.string(),
  version: z.number().int(),
  results: z.array(applicationResultSchema),
  progress: z.strictObject({
    done: z.number().int().describe('Tenants handled so far, this batch included'),
    total: z.number().int().describe('Tenants to handle in all'),
  }),
  continuationToken: z
    .string()
    .nullable()
    .describe('Send it back to apply the next batch; null when every tenant was handled'),
});
export type ApplyTemplateResult = z.infer<typeof applyTemplateResultSchema>;

export const templateTenantStatusSchema = z.strictObject({
  tenantId: z.uuid(),
  displayName: z.string(),
  status: z
    .enum(['inSync', 'drifted', 'notApplied', 'failed'])
    .describe("drifted: the tenant's target differs from the template in driftedFields; failed: the last apply failed"),
  driftedFields: z.array(z.string()),
  detail: z.string().optional().describe('Why the last apply failed'),
  targetVersion: z.number().int().nullable().describe('The template version the target was made from'),
});
export type TemplateTenantStatus = z.infer<typeof templateTenantStatusSchema>;

export const templateTenantListSchema = z.strictObject({
  templateId: z.string(),
  version: z.number().int(),
  items: z.array(templateTenantStatusSchema),
  summary: z.strictObject({
    tenants: z.number().int(),
    inSync: z.number().int(),
    drifted: z.number().int(),
    notApplied: z.number().int(),
    failed: z.number().int(),
  }),
});
export type TemplateTenantList = z.infer<typeof templateTenantListSchema>;

export const deleteTemplateResultSchema = z.strictObject({
  templateId: z.string(),
  deleted: z.literal(true),
  targetsKept: z
    .array(z.strictObject({ tenantId: z.uuid(), targetId: z.string() }))
    .describe(
      'The targets it made stay as they are (delete them as any target); a template made again with the same id takes them up',
    ),
});
