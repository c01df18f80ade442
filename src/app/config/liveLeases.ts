import type { LeaseRequest, RequestStatus } from '../../domain/request';
import type { AppDeps } from '../deps';

/** Every status in which a lease may hold (or be about to hold) access in the customer tenant. */
export const LIVE_STATUSES: readonly RequestStatus[] = [
  'pending_approval',
  'scheduled',
  'provisioning',
  'active',
  'revoking',
  'revocation_failed',
];

/** Live requests of a tenant (optionally one target), across every page. */
export async function listLiveRequests(
  deps: Pick<AppDeps, 'requests'>,
  tenantId: string,
  targetId?: string,
): Promise<LeaseRequest[]> {
  const live: LeaseRequest[] = [];
  let continuationToken: string | null = null;
  do {
    const page = await deps.requests.list({ tenantId, statuses: LIVE_STATUSES }, { limit: 200, continuationToken });
    live.push(
      ...page.items.filter(
        (r) => LIVE_STATUSES.includes(r.status) && (targetId === undefined || r.targetId === targetId),
      ),
    );
    continuationToken = page.continuationToken;
  } while (continuationToken !== null);
  return live;
}
