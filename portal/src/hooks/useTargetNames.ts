import { useMemo } from 'react';
import type { Entitlement } from './useEntitlements';

export interface TargetNames {
  target(tenantId: string, targetId: string): string;
  tenant(tenantId: string): string;
}

/** Names for the ids a request carries, from what the person may request; the id where it is not among them. */
export function useTargetNames(entitlements: readonly Entitlement[] | undefined): TargetNames {
  return useMemo(() => {
    const targets = new Map<string, string>();
    const tenants = new Map<string, string>();
    for (const e of entitlements ?? []) {
      targets.set(`${e.tenantId}/${e.targetId}`, e.name);
      tenants.set(e.tenantId, e.tenantDisplayName);
    }
    return {
      target: (tenantId, targetId) => targets.get(`${tenantId}/${targetId}`) ?? targetId,
      tenant: (tenantId) => tenants.get(tenantId) ?? tenantId,
    };
  }, [entitlements]);
}
