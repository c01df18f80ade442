import type { Caller } from '../../domain/caller';
import type { Target, Tenant } from '../../domain/config';
import { NotFoundError, ValidationError, messageOf } from '../../domain/errors';
import { targetFieldsOf, templateCovers, type Template } from '../../domain/template';
import type { AppDeps } from '../deps';
import { AlreadyExistsError, ConcurrencyError, type DirectoryGroup, type Versioned } from '../ports';
import { auditChange, requireAdmin } from './adminChange';
import { checkWithDirectory, parsedTarget, resolveDirectoryRefs } from './targets';
import {
  APPLY_BATCH_SIZE,
  type ApplicationResult,
  type ApplyTemplateBody,
  type ApplyTemplateResult,
} from './templateSchemas';

/**
 * Applying a template: in each tenant, its group names are resolved to that tenant's group ids and
 * the target `<templateId>` is created or brought in line, checked exactly as an admin's target is.
 * A tenant where anything is wrong (a missing or ambiguous group name, a disabled role, the
 * tenant's sign-in) gets nothing written and a result saying why; the other tenants go on.
 * Idempotent: applying again changes nothing that already matches ("unchanged", not audited).
 *
 * Every tenant in the template's scope goes in batches of APPLY_BATCH_SIZE, each answer carrying
 * progress and the token of the next batch, so one call stays well inside an HTTP request's time
 * however many tenants there are; inside a batch, APPLY_CONCURRENCY tenants at a time.
 */
const APPLY_CONCURRENCY = 8;

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of the results. */
async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The tenant's group for each of the template's names; problems for names no group or several groups carry. */
async function groupsByName(
  deps: AppDeps,
  tenant: Tenant,
  names: readonly string[],
): Promise<{ groups: DirectoryGroup[]; problems: string[] }> {
  if (names.length === 0) return { groups: [], problems: [] };
  const directory = await deps.directories.forTenant(tenant);
  const groups: DirectoryGroup[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const found = await directory.findGroupsByDisplayName(name);
    if (found.length === 1 && found[0] !== undefined) groups.push(found[0]);
    else if (found.length === 0) problems.push(`no group named '${name}'`);
    else
      problems.push(
        `${found.length} groups are named '${name}' (${found.map((g) => g.id).join(', ')}): rename all but one, or name another group`,
      );
  }
  return { groups, problems };
}

class TenantRefusal extends Error {}

/** The fields that make two targets the same for a template (times apart). */
function sameTarget(a: Target, b: Target): boolean {
  const comparable = (t: Target): string => JSON.stringify({ ...t, createdAt: '', updatedAt: '' });
  return comparable(a) === comparable(b);
}

async function applyToTenant(
  deps: AppDeps,
  caller: Caller,
  template: Template,
  tenant: Tenant,
): Promise<ApplicationResult> {
  let result: ApplicationResult;
  try {
    result = await writeTarget(deps, caller, template, tenant);
  } catch (error) {
    const detail =
      error instanceof ValidationError
        ? error.problems.map((p) => `${p.field}: ${p.message}`).join('; ')
        : messageOf(error, 1000);
    result = { tenantId: tenant.tenantId, outcome: 'failed', detail };
    deps.log('warn', 'template_apply_failed', {
      templateId: template.templateId,
      tenantId: tenant.tenantId,
      detail,
    });
  }
  await deps.templates.recordApplication({
    templateId: template.templateId,
    tenantId: tenant.tenantId,
    version: template.version,
    outcome: result.outcome,
    ...(result.detail !== undefined ? { detail: result.detail } : {}),
    at: deps.clock.now().toISOString(),
  });
  return result;
}

async function writeTarget(
  deps: AppDeps,
  caller: Caller,
  template: Template,
  tenant: Tenant,
): Promise<ApplicationResult> {
  const tenantId = tenant.tenantId;
  const existing = await deps.config.getTarget(tenantId, template.templateId);
  if (existing !== null && existing.value.template?.templateId !== template.templateId)
    throw new TenantRefusal(
      `target '${template.templateId}' exists in this tenant and was not made from this template: rename or delete it first`,
    );
  const { groups, problems } = await groupsByName(deps, tenant, template.groups);
  if (problems.length > 0) throw new TenantRefusal(problems.join('; '));
  const now = deps.clock.now().toISOString();
  const drafted = parsedTarget({
    ...targetFieldsOf(template),
    tenantId,
    targetId: template.templateId,
    roles: template.roles.map((templateId) => ({ templateId })),
    groups: groups.map((g) => ({ id: g.id })),
    template: { templateId: template.templateId, version: template.version },
    createdAt: existing?.value.createdAt ?? now,
    updatedAt: now,
  });
  const target = await resolveDirectoryRefs(deps, tenant, drafted, new Map(groups.map((g) => [g.id, g])));
  await checkWithDirectory(deps, tenant, target);
  if (existing !== null && sameTarget(existing.value, target)) return { tenantId, outcome: 'unchanged' };
  const details = { templateId: template.templateId, templateVersion: template.version };
  if (existing === null) {
    await writeOnce(() => deps.config.createTarget(target));
    await auditChange(deps, caller, {
      action: 'target.created',
      tenantId,
      targetId: target.targetId,
      before: null,
      after: target,
      details,
    });
    return { tenantId, outcome: 'created' };
  }
  await writeOnce(() => deps.config.replaceTarget(target, existing.etag));
  await auditChange(deps, caller, {
    action: 'target.updated',
    tenantId,
    targetId: target.targetId,
    before: existing.value,
    after: target,
    details,
  });
  return { tenantId, outcome: 'updated' };
}

/** Someone else wrote the target meanwhile: that tenant fails this time, and applying again takes it up. */
async function writeOnce(write: () => Promise<Versioned<Target>>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (error instanceof AlreadyExistsError || error instanceof ConcurrencyError)
      throw new TenantRefusal('the target was changed by someone else at the same moment; apply again');
    throw error;
  }
}

function continuationOf(tenantId: string): string {
  return Buffer.from(`after:${tenantId}`).toString('base64url');
}

function afterOf(token: string): string {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  const match = /^after:([0-9a-f-]{36})$/.exec(decoded);
  if (match?.[1] === undefined)
    throw new ValidationError([
      { field: 'continuationToken', message: 'is not a token this API gave: send the one from the previous answer' },
    ]);
  return match[1];
}

/** POST /templates/{id}/apply: named tenants, or the next batch of every tenant in the template's scope. */
export async function applyTemplate(
  deps: AppDeps,
  caller: Caller,
  templateId: string,
  body: ApplyTemplateBody,
): Promise<ApplyTemplateResult> {
  requireAdmin(caller);
  const stored = await deps.templates.getTemplate(templateId);
  if (stored === null) throw new NotFoundError(`template '${templateId}' does not exist`);
  const template = stored.value;
  const tenants = await deps.config.listTenants();
  let batch: Tenant[];
  let done: number;
  let total: number;
  let continuationToken: string | null = null;
  if (body.tenants !== undefined) {
    if (body.continuationToken !== undefined)
      throw new ValidationError([
        { field: 'continuationToken', message: 'goes with an apply to every tenant in scope, not with tenants' },
      ]);
    const connected = new Map(tenants.map((t) => [t.tenantId, t]));
    const wanted = [...new Set(body.tenants.map((t) => t.toLowerCase()))];
    const unknown = wanted.flatMap((id, i) =>
      connected.has(id) ? [] : [{ field: `tenants.${i}`, message: `tenant ${id} is not connected` }],
    );
    if (unknown.length > 0) throw new ValidationError(unknown);
    batch = wanted.map((id) => connected.get(id) as Tenant);
    done = total = batch.length;
  } else {
    const after = body.continuationToken === undefined ? null : afterOf(body.continuationToken);
    // Ordered by id, so a tenant connected between two batches neither shifts nor repeats the others.
    const inScope = tenants
      .filter((t) => templateCovers(template.applyTo, t))
      .sort((a, b) => a.tenantId.localeCompare(b.tenantId));
    const start = after === null ? 0 : inScope.findIndex((t) => t.tenantId > after);
    const from = start === -1 ? inScope.length : start;
    batch = inScope.slice(from, from + APPLY_BATCH_SIZE);
    done = from + batch.length;
    total = inScope.length;
    const last = batch.at(-1);
    if (done < total && last !== undefined) continuationToken = continuationOf(last.tenantId);
  }
  const results = await mapLimit(batch, APPLY_CONCURRENCY, (tenant) => applyToTenant(deps, caller, template, tenant));
  deps.log('info', 'template_applied', {
    templateId,
    version: template.version,
    tenants: results.length,
    failed: results.filter((r) => r.outcome === 'failed').length,
    done,
    total,
  });
  return { templateId, version: template.version, results, progress: { done, total }, continuationToken };
}

/**
 * A tenant just connected gets the targets of every template that says so (applyToNewTenants) and
 * whose scope covers it. Never fails the connection: each result is kept for the drift view.
 */
export async function applyTemplatesToNewTenant(
  deps: AppDeps,
  caller: Caller,
  tenant: Tenant,
): Promise<{ templateId: string; result: ApplicationResult }[]> {
  const templates = (await deps.templates.listTemplates()).filter(
    (t) => t.applyToNewTenants && templateCovers(t.applyTo, tenant),
  );
  const applied: { templateId: string; result: ApplicationResult }[] = [];
  for (const template of templates)
    applied.push({ templateId: template.templateId, result: await applyToTenant(deps, caller, template, tenant) });
  return applied;
}
