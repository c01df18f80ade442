import { useCallback } from 'react';
import { unwrap } from '../api/problem';
import type { components } from '../api/schema';
import type { AuditEvent } from './useAudit';
import { useApiQuery, type ApiQuery } from './useApiQuery';
import { useSession } from './useApi';
import type { LeaseRequest } from './useRequests';

export type ReconcileReport = components['schemas']['ReconcileReport'];

/** Statuses of a lease that is live: access given or being given or taken back. */
const LIVE = 'revocation_failed,provisioning,active,revoking';
/** Leases move on their own; an operator's view is read again on this period. */
export const LEASES_POLL_MS = 5000;
/** How far back the operator's view shows the reconciler's findings. */
const FINDINGS_WINDOW_MS = 24 * 3600 * 1000;

/**
 * Every live lease across tenants (GET /requests as an admin, mine=false, every page), those whose
 * revocation keeps failing first, then by expiry.
 */
export function useLiveLeases(): ApiQuery<LeaseRequest[]> {
  const { api } = useSession();
  const read = useCallback(async () => {
    const leases: LeaseRequest[] = [];
    let continuationToken: string | null = null;
    do {
      const page: components['schemas']['RequestPage'] = unwrap(
        await api.GET('/requests', {
          params: {
            query: { status: LIVE, mine: 'false', limit: 200, ...(continuationToken ? { continuationToken } : {}) },
          },
        }),
      );
      leases.push(...page.items);
      continuationToken = page.continuationToken;
    } while (continuationToken);
    const failedFirst = (r: LeaseRequest) => (r.status === 'revocation_failed' ? 0 : 1);
    const expiry = (r: LeaseRequest) => ('expiresAt' in r && r.expiresAt ? Date.parse(r.expiresAt) : Infinity);
    return leases.sort((a, b) => failedFirst(a) - failedFirst(b) || expiry(a) - expiry(b));
  }, [api]);
  return useApiQuery(read, LEASES_POLL_MS);
}

/** The reconciler's findings of the last day, from the audit log (its actions are reconciler.*, by the service). */
export function useReconcilerFindings(): ApiQuery<AuditEvent[]> {
  const { api } = useSession();
  const read = useCallback(async () => {
    const from = new Date(Date.now() - FINDINGS_WINDOW_MS).toISOString();
    const page = unwrap(await api.GET('/audit', { params: { query: { actor: 'entra-jit', from, limit: 500 } } }));
    return page.items.filter((e) => e.action.startsWith('reconciler.'));
  }, [api]);
  return useApiQuery(read, LEASES_POLL_MS);
}
