import type { Caller } from '../../domain/caller';
import type { Rule } from '../../domain/config';
import { durationMs, MAX_LEASE_DURATION } from '../../domain/duration';
import { ConflictError, NotFoundError, ValidationError, type FieldProblem } from '../../domain/errors';
import type { AppDeps } from '../deps';
import { AlreadyExistsError, type Versioned } from '../ports';
import { auditChange, checkPrecondition, conditionally, requireAdmin, type Precondition } from './adminChange';
import type { CreateRuleBody, ReplaceRuleBody } from './schemas';

/** Entitlement rules: IF the principal is this user (or a member of this group) THEN these targets. */

async function referenceProblems(deps: AppDeps, body: ReplaceRuleBody): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  if (body.maxDuration !== undefined && durationMs(body.maxDuration) > durationMs(MAX_LEASE_DURATION)) {
    problems.push({ field: 'maxDuration', message: `must be at most ${MAX_LEASE_DURATION}` });
  }
  if ('targets' in body.scope) {
    for (const [i, ref] of body.scope.targets.entries()) {
      if ((await deps.config.getTarget(ref.tenantId.toLowerCase(), ref.targetId)) === null) {
        problems.push({
          field: `scope.targets.${i}`,
          message: `target '${ref.targetId}' does not exist in tenant ${ref.tenantId}`,
        });
      }
    }
  } else if ('tenants' in body.scope) {
    for (const [i, tenantId] of body.scope.tenants.entries()) {
      if ((await deps.config.getTenant(tenantId.toLowerCase())) === null)
        problems.push({ field: `scope.tenants.${i}`, message: `tenant ${tenantId} is not connected` });
    }
  }
  return problems;
}

function normalized(ruleId: string, body: ReplaceRuleBody, createdAt: string, updatedAt: string): Rule {
  const scope: Rule['scope'] =
    'targets' in body.scope
      ? { targets: body.scope.targets.map((t) => ({ tenantId: t.tenantId.toLowerCase(), targetId: t.targetId })) }
      : 'tenants' in body.scope
        ? { tenants: body.scope.tenants.map((t) => t.toLowerCase()) }
        : body.scope;
  return {
    ruleId,
    ...(body.description !== undefined ? { description: body.description } : {}),
    principal: { type: body.principal.type, id: body.principal.id.toLowerCase() },
    scope,
    ...(body.maxDuration !== undefined ? { maxDuration: body.maxDuration } : {}),
    ...(body.approvalRequired !== undefined ? { approvalRequired: body.approvalRequired } : {}),
    createdAt,
    updatedAt,
  };
}

export async function createRule(deps: AppDeps, caller: Caller, body: CreateRuleBody): Promise<Versioned<Rule>> {
  requireAdmin(caller);
  const { ruleId, ...rest } = body;
  const problems = await referenceProblems(deps, rest);
  if (problems.length > 0) throw new ValidationError(problems);
  const now = deps.clock.now().toISOString();
  const rule = normalized(ruleId, rest, now, now);
  let created: Versioned<Rule>;
  try {
    created = await deps.config.createRule(rule);
  } catch (error) {
    if (error instanceof AlreadyExistsError) throw new ConflictError(`rule '${ruleId}' already exists`, { ruleId });
    throw error;
  }
  await auditChange(deps, caller, { action: 'rule.created', before: null, after: rule, details: { ruleId } });
  return created;
}

export async function listRules(deps: AppDeps, caller: Caller): Promise<Rule[]> {
  requireAdmin(caller);
  return (await deps.config.listRules()).sort((a, b) => a.ruleId.localeCompare(b.ruleId));
}

export async function getRule(deps: AppDeps, caller: Caller, ruleId: string): Promise<Versioned<Rule>> {
  requireAdmin(caller);
  const stored = await deps.config.getRule(ruleId);
  if (stored === null) throw new NotFoundError(`rule '${ruleId}' does not exist`);
  return stored;
}

export async function replaceRule(
  deps: AppDeps,
  caller: Caller,
  ruleId: string,
  body: ReplaceRuleBody,
  precondition: Precondition,
): Promise<Versioned<Rule>> {
  const stored = await getRule(deps, caller, ruleId);
  const etag = checkPrecondition(stored, precondition, `rule '${ruleId}'`);
  const problems = await referenceProblems(deps, body);
  if (problems.length > 0) throw new ValidationError(problems);
  const rule = normalized(ruleId, body, stored.value.createdAt, deps.clock.now().toISOString());
  const replaced = await conditionally(precondition, `rule '${ruleId}'`, () => deps.config.replaceRule(rule, etag));
  await auditChange(deps, caller, { action: 'rule.updated', before: stored.value, after: rule, details: { ruleId } });
  return replaced;
}

export async function deleteRule(
  deps: AppDeps,
  caller: Caller,
  ruleId: string,
  precondition: Precondition,
): Promise<void> {
  const stored = await getRule(deps, caller, ruleId);
  checkPrecondition(stored, precondition, `rule '${ruleId}'`);
  await deps.config.deleteRule(ruleId);
  await auditChange(deps, caller, { action: 'rule.deleted', before: stored.value, after: null, details: { ruleId } });
}

/**
 * Removes references to a deleted target or tenant from every rule (a rule left with nothing in
 * scope is deleted): otherwise a tenant connected again, or a target made again with the same id,
 * would silently inherit the old grants. Returns the ids of the rules changed or deleted.
 */
export async function pruneRules(
  deps: AppDeps,
  caller: Caller,
  gone: { readonly tenantId: string; readonly targetId?: string },
): Promise<string[]> {
  const changed: string[] = [];
  for (const rule of await deps.config.listRules()) {
    let scope: Rule['scope'] | null;
    if ('targets' in rule.scope) {
      const kept = rule.scope.targets.filter(
        (t) => !(t.tenantId === gone.tenantId && (gone.targetId === undefined || t.targetId === gone.targetId)),
      );
      if (kept.length === rule.scope.targets.length) continue;
      scope = kept.length > 0 ? { targets: kept } : null;
    } else if ('tenants' in rule.scope) {
      if (gone.targetId !== undefined || !rule.scope.tenants.includes(gone.tenantId)) continue;
      const kept = rule.scope.tenants.filter((t) => t !== gone.tenantId);
      scope = kept.length > 0 ? { tenants: kept } : null;
    } else {
      // allTenants and tenantTag scopes name no tenant: a deleted tenant's targets are gone with it.
      continue;
    }
    const stored = await deps.config.getRule(rule.ruleId);
    if (stored === null) continue;
    if (scope === null) {
      await deps.config.deleteRule(rule.ruleId);
      await auditChange(deps, caller, {
        action: 'rule.deleted',
        before: rule,
        after: null,
        details: { ruleId: rule.ruleId, cause: 'nothing left in scope' },
      });
    } else {
      const next: Rule = { ...stored.value, scope, updatedAt: deps.clock.now().toISOString() };
      await deps.config.replaceRule(next, stored.etag);
      await auditChange(deps, caller, {
        action: 'rule.updated',
        before: rule,
        after: next,
        details: { ruleId: rule.ruleId, cause: 'referenced target or tenant deleted' },
      });
    }
    changed.push(rule.ruleId);
  }
  return changed;
}
