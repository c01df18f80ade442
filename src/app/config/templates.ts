import type { Caller } from '../../domain/caller';
import { ConflictError, NotFoundError, ValidationError, fieldProblemsOf, type FieldProblem } from '../../domain/errors';
import {
  targetFieldsOf,
  templateCovers,
  templateDrift,
  templateSchema,
  type Template,
  type TemplateApplication,
} from '../../domain/template';
import type { AppDeps } from '../deps';
import { AlreadyExistsError, type Versioned } from '../ports';
import { auditChange, checkPrecondition, conditionally, requireAdmin, type Precondition } from './adminChange';
import { parsedTarget } from './targets';
import type {
  CreateTemplateBody,
  ReplaceTemplateBody,
  TemplateTenantList,
  TemplateTenantStatus,
} from './templateSchemas';

/**
 * Target templates: one definition applied to many tenants (src/app/config/applyTemplate.ts), and
 * per tenant whether its target still matches. Changes are audited like every configuration change.
 */

/** Any tenant id: a template is checked as the target it would make, before any tenant is involved. */
const SAMPLE_TENANT_ID = '00000000-0000-4000-8000-000000000000';

function repeated(values: readonly string[], field: string): FieldProblem[] {
  const seen = new Set<string>();
  return values.flatMap((value, i) => {
    const key = value.toLowerCase();
    if (seen.has(key)) return [{ field: `${field}.${i}`, message: `repeats '${value}'` }];
    seen.add(key);
    return [];
  });
}

/** The template as stored, refused with every problem named when it could not make a valid target. */
function checkedTemplate(value: Record<string, unknown>): Template {
  const parsed = templateSchema.safeParse(value);
  if (!parsed.success) throw new ValidationError(fieldProblemsOf(parsed.error));
  const template: Template = {
    ...parsed.data,
    roles: parsed.data.roles.map((r) => r.toLowerCase()),
    applyTo:
      'tenants' in parsed.data.applyTo
        ? { tenants: [...new Set(parsed.data.applyTo.tenants.map((t) => t.toLowerCase()))] }
        : parsed.data.applyTo,
  };
  const problems = [...repeated(template.roles, 'roles'), ...repeated(template.groups, 'groups')];
  if (problems.length > 0) throw new ValidationError(problems);
  // Durations in order, fields its kind has: the same checks as a target of the kind.
  parsedTarget({
    ...targetFieldsOf(template),
    tenantId: SAMPLE_TENANT_ID,
    targetId: template.templateId,
    roles: template.roles.map((templateId) => ({ templateId })),
    groups: [],
    createdAt: template.createdAt,
    updatedAt: template.updatedAt,
  });
  return template;
}

async function storedTemplate(deps: AppDeps, templateId: string): Promise<Versioned<Template>> {
  const stored = await deps.templates.getTemplate(templateId);
  if (stored === null) throw new NotFoundError(`template '${templateId}' does not exist`);
  return stored;
}

export async function createTemplate(
  deps: AppDeps,
  caller: Caller,
  body: CreateTemplateBody,
): Promise<Versioned<Template>> {
  requireAdmin(caller);
  const now = deps.clock.now().toISOString();
  const template = checkedTemplate({ ...body, version: 1, createdAt: now, updatedAt: now });
  let created: Versioned<Template>;
  try {
    created = await deps.templates.createTemplate(template);
  } catch (error) {
    if (error instanceof AlreadyExistsError)
      throw new ConflictError(`template '${template.templateId}' already exists`, { templateId: template.templateId });
    throw error;
  }
  await auditChange(deps, caller, { action: 'template.created', before: null, after: template });
  return created;
}

export async function listTemplates(deps: AppDeps, caller: Caller): Promise<Template[]> {
  requireAdmin(caller);
  return (await deps.templates.listTemplates()).sort((a, b) => a.templateId.localeCompare(b.templateId));
}

export async function getTemplate(deps: AppDeps, caller: Caller, templateId: string): Promise<Versioned<Template>> {
  requireAdmin(caller);
  return storedTemplate(deps, templateId);
}

/** A new version: the targets made from the old one show as drifted until it is applied again. */
export async function replaceTemplate(
  deps: AppDeps,
  caller: Caller,
  templateId: string,
  body: ReplaceTemplateBody,
  precondition: Precondition,
): Promise<Versioned<Template>> {
  requireAdmin(caller);
  const stored = await storedTemplate(deps, templateId);
  const etag = checkPrecondition(stored, precondition, `template '${templateId}'`);
  const before = stored.value;
  const next = checkedTemplate({
    ...body,
    templateId,
    version: before.version + 1,
    createdAt: before.createdAt,
    updatedAt: deps.clock.now().toISOString(),
  });
  const replaced = await conditionally(precondition, `template '${templateId}'`, () =>
    deps.templates.replaceTemplate(next, etag),
  );
  await auditChange(deps, caller, { action: 'template.updated', before, after: next });
  return replaced;
}

/** The template goes; the targets it made stay (they are ordinary targets, with live leases perhaps). */
export async function deleteTemplate(
  deps: AppDeps,
  caller: Caller,
  templateId: string,
  precondition: Precondition,
): Promise<{ templateId: string; deleted: true; targetsKept: { tenantId: string; targetId: string }[] }> {
  requireAdmin(caller);
  const stored = await storedTemplate(deps, templateId);
  checkPrecondition(stored, precondition, `template '${templateId}'`);
  const made = (await deps.config.listTargets()).filter((t) => t.template?.templateId === templateId);
  await deps.templates.deleteTemplate(templateId);
  await auditChange(deps, caller, {
    action: 'template.deleted',
    before: stored.value,
    after: null,
    details: { targetsKept: made.length },
  });
  return {
    templateId,
    deleted: true,
    targetsKept: made
      .map((t) => ({ tenantId: t.tenantId, targetId: t.targetId }))
      .sort((a, b) => a.tenantId.localeCompare(b.tenantId)),
  };
}

/**
 * Per connected tenant the template applies to (or made a target in): inSync, drifted (which
 * fields), notApplied, or failed (why: the last apply of this version failed there). Read from
 * the stores alone: one list of tenants, of targets and of this template's results.
 */
export async function templateTenants(deps: AppDeps, caller: Caller, templateId: string): Promise<TemplateTenantList> {
  requireAdmin(caller);
  const template = (await storedTemplate(deps, templateId)).value;
  const [tenants, targets, applications] = await Promise.all([
    deps.config.listTenants(),
    deps.config.listTargets(),
    deps.templates.listApplications(templateId),
  ]);
  const targetOf = new Map(targets.filter((t) => t.targetId === templateId).map((t) => [t.tenantId, t]));
  const applicationOf = new Map(applications.map((a) => [a.tenantId, a]));
  const items = tenants
    .filter(
      (tenant) =>
        templateCovers(template.applyTo, tenant) ||
        targetOf.get(tenant.tenantId)?.template?.templateId === templateId ||
        applicationOf.has(tenant.tenantId),
    )
    .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.tenantId.localeCompare(b.tenantId))
    .map((tenant): TemplateTenantStatus => {
      const target = targetOf.get(tenant.tenantId);
      const made = target?.template?.templateId === templateId ? target : undefined;
      const failure = failureOf(applicationOf.get(tenant.tenantId), template);
      const base = {
        tenantId: tenant.tenantId,
        displayName: tenant.displayName,
        targetVersion: made?.template?.version ?? null,
      };
      const driftedFields = made === undefined ? [] : templateDrift(template, made);
      if (failure !== null) return { ...base, status: 'failed', driftedFields, detail: failure };
      if (made === undefined) return { ...base, status: 'notApplied', driftedFields };
      return { ...base, status: driftedFields.length > 0 ? 'drifted' : 'inSync', driftedFields };
    });
  const count = (status: TemplateTenantStatus['status']): number => items.filter((i) => i.status === status).length;
  return {
    templateId,
    version: template.version,
    items,
    summary: {
      tenants: items.length,
      inSync: count('inSync'),
      drifted: count('drifted'),
      notApplied: count('notApplied'),
      failed: count('failed'),
    },
  };
}

/** Why the last apply of the template's current version failed in a tenant; null when it did not. */
function failureOf(application: TemplateApplication | undefined, template: Template): string | null {
  if (application === undefined || application.outcome !== 'failed' || application.version !== template.version)
    return null;
  return application.detail ?? 'failed';
}
