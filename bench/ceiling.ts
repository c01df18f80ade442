/**
 * The ceiling on paper: how many leases Microsoft Graph's published identity-and-access budgets let
 * one app run, from the Graph calls and writes one lease measured. Source: "Microsoft Graph
 * service-specific throttling limits", section "Identity and access service limits"
 * (https://learn.microsoft.com/graph/throttling-limits). Every POST, PATCH, PUT and DELETE costs one
 * write; each request inside a JSON $batch is counted on its own, so batching saves round trips and
 * latency, not budget.
 */
export const GRAPH_BUDGETS = {
  /** Write quota of one application+tenant pair: 3,000 per 2 min 30 s. */
  appTenantWritesPer5Min: 6_000,
  /** Write quota of one tenant, all apps together: 18,000 per 5 min. */
  tenantWritesPer5Min: 18_000,
  /** Write quota of one application across all tenants: 70,000 per 5 min. */
  appWritesPer5Min: 70_000,
  /** Resource units of one application+tenant pair per 10 s, by tenant size (S < 50 users, M ≤ 500, L > 500). */
  appTenantUnitsPer10s: { S: 3_500, M: 5_000, L: 8_000 },
} as const;

export interface Ceiling {
  readonly writesPerLease: number;
  readonly callsPerLease: number;
  readonly perTenantPer5Min: number;
  readonly perTenantBound: string;
  readonly perAppPer5Min: number;
  readonly perAppBound: string;
  readonly tenantsToReachAppBound: number;
}

export function ceilingFrom(callsPerLease: number, writesPerLease: number): Ceiling {
  if (writesPerLease <= 0) throw new Error('no Graph writes measured per lease: the ceiling cannot be computed');
  // Resource units: a call costs at least 1 (GET /users costs 2, less 1 for $select): count 1 per call.
  const unitsPer5Min = GRAPH_BUDGETS.appTenantUnitsPer10s.S * 30;
  const byWrites = Math.floor(GRAPH_BUDGETS.appTenantWritesPer5Min / writesPerLease);
  const byUnits = Math.floor(unitsPer5Min / callsPerLease);
  const perTenantPer5Min = Math.min(byWrites, byUnits);
  const perTenantBound =
    byWrites <= byUnits
      ? `the app+tenant write quota (3,000 writes / 2.5 min = 6,000 / 5 min ÷ ${writesPerLease} writes per lease); resource units (S tenant, 3,500 / 10 s) would allow ${byUnits}`
      : `the app+tenant resource units (S tenant, 3,500 / 10 s ÷ ${callsPerLease} calls per lease); writes would allow ${byWrites}`;
  const perAppPer5Min = Math.floor(GRAPH_BUDGETS.appWritesPer5Min / writesPerLease);
  return {
    writesPerLease,
    callsPerLease,
    perTenantPer5Min,
    perTenantBound,
    perAppPer5Min,
    perAppBound: `the app's write quota across all tenants (70,000 / 5 min ÷ ${writesPerLease} writes per lease), reached only with ${Math.ceil(perAppPer5Min / perTenantPer5Min)} or more busy tenants; a tenant's own 18,000 writes / 5 min (all apps) is shared with its other apps`,
    tenantsToReachAppBound: Math.ceil(perAppPer5Min / perTenantPer5Min),
  };
}
