import { z } from 'zod';
import {
  approvalPolicySchema,
  slugSchema,
  targetCredentialTypeSchema,
  targetKindSchema,
  tenantTagSchema,
  type Target,
  type Tenant,
} from './config';
import { durationSchema } from './duration';

/**
 * A target template: one definition of an access target (roles by template id, groups by display
 * name, durations, approval, credential type) that becomes a target in each tenant it is applied
 * to. Group names are resolved to ids in each tenant, since every tenant has its own object ids.
 */

/** Which tenants a template is for: these, every connected tenant, or the tenants carrying a tag. */
export const templateScopeSchema = z.union([
  z.strictObject({ tenants: z.array(z.uuid()).min(1).max(1000) }),
  z.strictObject({ allTenants: z.literal(true) }),
  z.strictObject({ tenantTag: tenantTagSchema }),
]);
export type TemplateScope = z.infer<typeof templateScopeSchema>;

export const groupDisplayNameSchema = z.string().trim().min(1).max(256);

/** What a template defines; the stored template adds its id, version and times. */
export const templateFields = {
  name: z.string().trim().min(1).max(256),
  kind: targetKindSchema,
  /** Directory roles by template id: the same built-in ids in every tenant. */
  roles: z.array(z.uuid()).max(20).default([]),
  /** Groups by display name, resolved in each tenant (exactly one group must carry the name). */
  groups: z.array(groupDisplayNameSchema).max(20).default([]),
  defaultDuration: durationSchema.default('PT4H'),
  minDuration: durationSchema.default('PT15M'),
  maxDuration: durationSchema.default('PT8H'),
  approval: approvalPolicySchema.default({ mode: 'none' }),
  requireJustification: z.boolean().default(false),
  requireTicket: z.boolean().default(false),
  accessDetails: z.string().max(400).optional(),
  /** adminAccount templates only (as on targets). */
  credentialType: targetCredentialTypeSchema.optional(),
  applyTo: templateScopeSchema,
  /** Tenants connected later that fall in `applyTo` get the target when they are connected. */
  applyToNewTenants: z.boolean().default(false),
};

export const templateSchema = z.strictObject({
  templateId: slugSchema,
  ...templateFields,
  /** Raised by every change; the targets it made record the version they were made from. */
  version: z.number().int().min(1),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Template = z.infer<typeof templateSchema>;

/** What applying a template to one tenant last came to (kept so a failure shows in the drift view). */
export const templateApplicationSchema = z.strictObject({
  templateId: slugSchema,
  tenantId: z.uuid(),
  version: z.number().int().min(1),
  outcome: z.enum(['created', 'updated', 'unchanged', 'failed']),
  /** Why it failed (a missing or ambiguous group, a refused role, the tenant's sign-in …). */
  detail: z.string().max(2000).optional(),
  at: z.iso.datetime(),
});
export type TemplateApplication = z.infer<typeof templateApplicationSchema>;

export function templateCovers(scope: TemplateScope, tenant: Pick<Tenant, 'tenantId' | 'tags'>): boolean {
  if ('tenants' in scope) return scope.tenants.includes(tenant.tenantId.toLowerCase());
  if ('allTenants' in scope) return true;
  return (tenant.tags ?? []).includes(scope.tenantTag);
}

/**
 * The target fields a template decides (roles and groups as the template names them, not yet
 * resolved in a tenant). credentialType only for the kinds that have one.
 */
export function targetFieldsOf(template: Template): Record<string, unknown> {
  return {
    kind: template.kind,
    name: template.name,
    defaultDuration: template.defaultDuration,
    minDuration: template.minDuration,
    maxDuration: template.maxDuration,
    approval: template.approval,
    requireJustification: template.requireJustification,
    requireTicket: template.requireTicket,
    ...(template.accessDetails !== undefined ? { accessDetails: template.accessDetails } : {}),
    ...(template.credentialType !== undefined ? { credentialType: template.credentialType } : {}),
  };
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const left = new Set(a.map((v) => v.toLowerCase()));
  const right = new Set(b.map((v) => v.toLowerCase()));
  return left.size === right.size && [...left].every((v) => right.has(v));
};

/** Approval compared as stored: a required policy's defaults filled in. */
const approvalKey = (approval: unknown): string => JSON.stringify(approvalPolicySchema.parse(approval));

/**
 * The fields in which a tenant's target differs from its template: what someone changed on the
 * target since, or what the template changed and was not applied yet. Groups compare by the
 * display name the target recorded when it was resolved.
 */
export function templateDrift(template: Template, target: Target): string[] {
  const drifted: string[] = [];
  const fields = targetFieldsOf(template);
  const stored = target as unknown as Record<string, unknown>;
  for (const field of [
    'kind',
    'name',
    'defaultDuration',
    'minDuration',
    'maxDuration',
    'requireJustification',
    'requireTicket',
    'accessDetails',
  ]) {
    if (fields[field] !== stored[field]) drifted.push(field);
  }
  if (approvalKey(template.approval) !== approvalKey(target.approval)) drifted.push('approval');
  const credentialType = target.kind === 'adminAccount' ? target.credentialType : undefined;
  const wanted = template.kind === 'adminAccount' ? (template.credentialType ?? 'password') : undefined;
  if (credentialType !== wanted) drifted.push('credentialType');
  if (
    !sameSet(
      template.roles,
      target.roles.map((r) => r.templateId),
    )
  )
    drifted.push('roles');
  if (
    !sameSet(
      template.groups,
      target.groups.map((g) => g.displayName ?? g.id),
    )
  )
    drifted.push('groups');
  return drifted;
}
