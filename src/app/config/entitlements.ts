import { ADMIN_ROLE, type Caller } from '../../domain/caller';
import type { Target } from '../../domain/config';
import { durationMs } from '../../domain/duration';
import { defaultWithinCap, evaluateEntitlement } from '../../domain/entitlement';
import { ForbiddenError, NotFoundError } from '../../domain/errors';
import type { AppDeps } from '../deps';
import { kindOf } from '../targets';
import type { EntitlementCheckBody, EntitlementCheckResult, entitlementItemSchema } from './schemas';
import type { z } from 'zod';

/**
 * What a caller may request, under which policy: the same evaluation POST /requests uses (and
 * provisioning repeats), so what this answers is what a request would get. Both questions read the
 * configuration through its cache (`deps.config.cached`): a change made through this instance is
 * answered at once, one made by another instance within CONFIG_CACHE_VERSION_CHECK_INTERVAL_MS.
 */
type EntitlementItem = z.infer<typeof entitlementItemSchema>;

export async function listEntitlements(deps: AppDeps, caller: Caller): Promise<EntitlementItem[]> {
  const rules = await deps.config.cached.listRules();
  const mine = rules.filter((r) =>
    r.principal.type === 'user' ? r.principal.id === caller.objectId : caller.groups.includes(r.principal.id),
  );
  if (mine.length === 0) return [];
  const tenants = new Map((await deps.config.cached.listTenants()).map((t) => [t.tenantId, t]));
  const items: EntitlementItem[] = [];
  for (const target of await deps.config.cached.listTargets()) {
    const tenant = tenants.get(target.tenantId);
    if (tenant === undefined) continue;
    const e = evaluateEntitlement(caller, target, tenant, mine);
    if (!e.allowed) continue;
    items.push({
      tenantId: target.tenantId,
      tenantDisplayName: tenant.displayName,
      targetId: target.targetId,
      name: target.name,
      kind: target.kind,
      roles: target.roles,
      groups: target.groups,
      defaultDuration: defaultWithinCap(target, e.effectiveMaxDuration),
      minDuration: target.minDuration,
      effectiveMaxDuration: e.effectiveMaxDuration,
      approvalRequired: e.approvalRequired,
      requireJustification: e.requireJustification,
      requireTicket: e.requireTicket,
      credentialType: kindOf(target).credentialTypeOf(target),
      ...(target.maxScheduleAhead !== undefined ? { maxScheduleAhead: target.maxScheduleAhead } : {}),
      matchedRules: [...e.matchedRules],
    });
  }
  return items.sort(
    (a, b) => byLocale.compare(a.tenantDisplayName, b.tenantDisplayName) || byLocale.compare(a.targetId, b.targetId),
  );
}

/** What `localeCompare` does, with one collator instead of one per comparison (10,000 items sort in 130,000). */
const byLocale = new Intl.Collator();

/**
 * Would this request be allowed, and under which policy? `principal` (someone else) is for admins.
 * It is a question, not a command: a duration outside the target's bounds is answered
 * `allowed: false` with the bound as the reason (POST /requests refuses the same duration with a
 * 400); only a malformed body is a 400.
 */
export async function checkEntitlement(
  deps: AppDeps,
  caller: Caller,
  body: EntitlementCheckBody,
): Promise<EntitlementCheckResult> {
  if (body.principal !== undefined && !caller.roles.includes(ADMIN_ROLE))
    throw new ForbiddenError(`checking for another principal needs the ${ADMIN_ROLE} app role`);
  const tenantId = body.tenantId.toLowerCase();
  const [tenant, target, rules] = await Promise.all([
    deps.config.cached.getTenant(tenantId),
    deps.config.cached.getTarget(tenantId, body.targetId),
    deps.config.cached.listRules(),
  ]);
  if (tenant === null) throw new NotFoundError(`tenant ${tenantId} is not connected`);
  if (target === null) throw new NotFoundError(`target '${body.targetId}' does not exist in tenant ${tenantId}`);
  const subject =
    body.principal === undefined
      ? {
          objectId: caller.objectId,
          groups: caller.groups,
          ...(caller.groupsOverage === true ? { groupsOverage: true } : {}),
        }
      : { objectId: body.principal.id.toLowerCase(), groups: body.principal.groups ?? [] };
  const e = evaluateEntitlement(subject, target, tenant, rules);
  const durationRefusals =
    body.duration === undefined ? [] : durationOutsideBounds(body.duration, e.effectiveMaxDuration, target);
  return {
    tenantId,
    targetId: target.targetId,
    allowed: e.allowed && durationRefusals.length === 0,
    reasons: [...e.reasons, ...durationRefusals],
    matchedRules: [...e.matchedRules],
    effectiveMaxDuration: e.effectiveMaxDuration,
    minDuration: target.minDuration,
    defaultDuration: defaultWithinCap(target, e.effectiveMaxDuration),
    approvalRequired: e.approvalRequired,
    requireJustification: e.requireJustification,
    requireTicket: e.requireTicket,
  };
}

function durationOutsideBounds(duration: string, effectiveMaxDuration: string, target: Target): string[] {
  const refusals: string[] = [];
  if (durationMs(duration) > durationMs(effectiveMaxDuration)) {
    refusals.push(
      `duration ${duration} is above ${effectiveMaxDuration}, the maximum for this target${effectiveMaxDuration !== target.maxDuration ? ' under the matching rules' : ''}`,
    );
  }
  if (durationMs(duration) < durationMs(target.minDuration))
    refusals.push(`duration ${duration} is below ${target.minDuration}, the minimum for this target`);
  return refusals;
}
