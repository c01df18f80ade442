import { durationMs as parseDurationMs, formatDuration } from './duration';
import type { Rule, Target, Tenant } from './config';

/**
 * Who may request what: a pure function of the caller, the target, its tenant and the rules. A
 * rule matches when its principal is the caller (user) or one of the caller's groups (token
 * `groups` claim) and its scope names the target or the target's tenant, is every connected
 * tenant, or is a tag the target's tenant carries.
 */
/**
 * Every target and rule repeats a handful of durations (PT8H, PT1H …): listing 10,000 targets
 * parsed each of them thousands of times. Pure, so remembered; bounded, as the texts come from
 * stored configuration.
 */
const parsedDurations = new Map<string, number>();
function durationMs(text: string): number {
  let ms = parsedDurations.get(text);
  if (ms === undefined) {
    ms = parseDurationMs(text);
    if (parsedDurations.size >= 1_000) parsedDurations.clear();
    parsedDurations.set(text, ms);
  }
  return ms;
}

export interface Caller {
  readonly objectId: string;
  readonly groups: readonly string[];
  /** The caller's groups are unknown (token groups overage, home tenant not connected). */
  readonly groupsOverage?: boolean;
}

/** What scopes need to know about the target's tenant. */
export type TenantFacts = Pick<Tenant, 'tenantId' | 'tags'>;

export interface Entitlement {
  readonly allowed: boolean;
  readonly reasons: readonly string[];
  readonly matchedRules: readonly string[];
  /** The longest lease allowed: the target's max, tightened by the loosest matching rule. */
  readonly effectiveMaxDuration: string;
  readonly approvalRequired: boolean;
  readonly requireJustification: boolean;
  readonly requireTicket: boolean;
}

export function ruleMatches(
  rule: Rule,
  caller: Caller,
  target: Pick<Target, 'tenantId' | 'targetId'>,
  tenant: TenantFacts,
): boolean {
  // Object ids are GUIDs: compare them without regard to case (an admin may type them in upper case).
  const id = rule.principal.id.toLowerCase();
  const principalMatches =
    rule.principal.type === 'user'
      ? id === caller.objectId.toLowerCase()
      : caller.groups.some((g) => g.toLowerCase() === id);
  if (!principalMatches) return false;
  return scopeReaches(rule.scope, target, tenant);
}

/** Whether a scope reaches the target; the tenant must be the target's (a caller's mix-up is a bug, not a denial). */
export function scopeReaches(
  scope: Rule['scope'],
  target: Pick<Target, 'tenantId' | 'targetId'>,
  tenant: TenantFacts,
): boolean {
  if (tenant.tenantId !== target.tenantId)
    throw new Error(`tenant ${tenant.tenantId} is not the tenant of target '${target.targetId}' (${target.tenantId})`);
  if ('targets' in scope)
    return scope.targets.some((t) => t.tenantId === target.tenantId && t.targetId === target.targetId);
  if ('tenants' in scope) return scope.tenants.includes(target.tenantId);
  // A target exists only while its tenant is connected (deleting a tenant deletes its targets).
  if ('allTenants' in scope) return true;
  return (tenant.tags ?? []).includes(scope.tenantTag);
}

export function evaluateEntitlement(
  caller: Caller,
  target: Target,
  tenant: TenantFacts,
  rules: readonly Rule[],
): Entitlement {
  const matched = rules.filter((r) => ruleMatches(r, caller, target, tenant));
  const targetMaxMs = durationMs(target.maxDuration);
  const policy = { requireJustification: target.requireJustification, requireTicket: target.requireTicket };
  if (matched.length === 0) {
    return {
      allowed: false,
      reasons: [
        `no entitlement rule grants target '${target.targetId}' to this user or their groups`,
        ...(caller.groupsOverage === true
          ? [
              'the token carried no groups (the user is in more than 200, so Entra sent a groups overage instead) and the home tenant is not connected, so they could not be read from Microsoft Graph: only user rules apply',
            ]
          : []),
      ],
      matchedRules: [],
      effectiveMaxDuration: target.maxDuration,
      approvalRequired: target.approval.mode === 'required',
      ...policy,
    };
  }
  // Several rules may match: the caller gets the longest cap among them.
  const caps = matched.map((r) =>
    Math.min(targetMaxMs, r.maxDuration === undefined ? targetMaxMs : durationMs(r.maxDuration)),
  );
  const effectiveMaxMs = Math.max(...caps);
  return {
    allowed: true,
    reasons: matched.map((r) => `granted by rule '${r.ruleId}'`),
    matchedRules: matched.map((r) => r.ruleId),
    effectiveMaxDuration: formatDuration(effectiveMaxMs),
    approvalRequired: approvalRequiredUnder(matched, target),
    ...policy,
  };
}

/**
 * Approval is a safeguard, so asking for it wins over waiving it: any matching rule that forces
 * approval forces it, whatever other rules say. A rule waives the target's approval only when it
 * names this target: a tenant-wide, all-tenants or tag rule was not written with this target's
 * policy in view, so it cannot switch off approval the target requires.
 */
function approvalRequiredUnder(matched: readonly Rule[], target: Target): boolean {
  if (matched.some((r) => r.approvalRequired === true)) return true;
  const waivedForThisTarget = matched.some((r) => r.approvalRequired === false && 'targets' in r.scope);
  return waivedForThisTarget ? false : target.approval.mode === 'required';
}

/** A rule's tighter cap may fall below the target's default: a request without a duration then gets the cap. */
export function defaultWithinCap(target: Pick<Target, 'defaultDuration'>, cap: string): string {
  return durationMs(target.defaultDuration) > durationMs(cap) ? cap : target.defaultDuration;
}
