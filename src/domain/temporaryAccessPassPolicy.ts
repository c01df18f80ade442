import type { FieldProblem } from './errors';
import { durationMs } from './duration';

/**
 * A tenant's Temporary Access Pass policy, as far as a lease depends on it (Graph's
 * temporaryAccessPassAuthenticationMethodConfiguration): Graph creates a pass only while the
 * method is enabled, for a user in its scope, with a lifetime between the policy's minimum and
 * maximum (by default 1 to 8 hours), and only one-time passes when the policy says so.
 */
export interface TemporaryAccessPassPolicy {
  readonly enabled: boolean;
  readonly minimumLifetimeInMinutes: number;
  readonly maximumLifetimeInMinutes: number;
  readonly isUsableOnce: boolean;
  /** Group ids the policy applies to; 'all_users' for everyone. */
  readonly includeTargets: readonly string[];
  readonly excludeTargets: readonly string[];
}

export const ALL_USERS = 'all_users';

export type PassLifetime =
  | { readonly ok: true; readonly lifetimeInMinutes: number; readonly isUsableOnce: boolean }
  | { readonly ok: false; readonly reason: string };

function lifetimeText(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}

/**
 * The pass for a lease that must last `neededMs` from now: as long as the lease, raised to the
 * policy's minimum (a pass outliving the lease is harmless: revocation deletes it and disables the
 * account), one-time when the policy forces it. Refused when the policy is off or its maximum is
 * shorter than the lease: a pass that expired mid-lease would leave the technician without a way
 * to sign in again.
 */
export function passLifetimeFor(
  policy: TemporaryAccessPassPolicy,
  neededMs: number,
  wantUsableOnce: boolean,
): PassLifetime {
  if (!policy.enabled) return { ok: false, reason: "the tenant's Temporary Access Pass policy is disabled" };
  const needed = Math.max(1, Math.ceil(neededMs / 60_000));
  if (needed > policy.maximumLifetimeInMinutes) {
    return {
      ok: false,
      reason: `the tenant's Temporary Access Pass policy allows passes of at most ${lifetimeText(policy.maximumLifetimeInMinutes)}, and the lease needs ${lifetimeText(needed)}`,
    };
  }
  return {
    ok: true,
    lifetimeInMinutes: Math.max(needed, policy.minimumLifetimeInMinutes),
    isUsableOnce: policy.isUsableOnce || wantUsableOnce,
  };
}

/** What keeps a target's leases from getting a pass under this policy (field problems of the target). */
export function targetPolicyProblems(
  policy: TemporaryAccessPassPolicy,
  target: { readonly maxDuration: string; readonly groups: readonly { readonly id: string }[] },
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!policy.enabled) {
    problems.push({
      field: 'credentialType',
      message:
        "the tenant's Temporary Access Pass policy is disabled: enable it (Entra admin center → Authentication methods → Temporary Access Pass) or use 'password'",
    });
    return problems;
  }
  const maxMinutes = Math.ceil(durationMs(target.maxDuration) / 60_000);
  if (maxMinutes > policy.maximumLifetimeInMinutes) {
    problems.push({
      field: 'maxDuration',
      message: `${target.maxDuration} is longer than the tenant's Temporary Access Pass policy allows a pass to live (${lifetimeText(policy.maximumLifetimeInMinutes)}): lower maxDuration or raise the policy's maximum lifetime`,
    });
  }
  const scope = policyScopeProblem(
    policy,
    target.groups.map((g) => g.id),
  );
  if (scope !== null) problems.push({ field: 'credentialType', message: scope });
  return problems;
}

/**
 * JIT accounts are new users: the policy covers them only if it includes all users or a group the
 * target puts them in, and excludes none of the target's groups.
 */
export function policyScopeProblem(policy: TemporaryAccessPassPolicy, groupIds: readonly string[]): string | null {
  const groups = new Set(groupIds.map((g) => g.toLowerCase()));
  const excluded = policy.excludeTargets.filter((id) => groups.has(id.toLowerCase()));
  if (excluded.length > 0)
    return `the tenant's Temporary Access Pass policy excludes group(s) ${excluded.join(', ')} that the target adds the account to`;
  if (policy.includeTargets.some((id) => id === ALL_USERS || groups.has(id.toLowerCase()))) return null;
  return `the tenant's Temporary Access Pass policy applies only to group(s) ${policy.includeTargets.join(', ') || '(none)'}, which new JIT accounts are not in: include all users, or add one of those groups to the target`;
}
