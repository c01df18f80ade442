import { SYSTEM_ACTOR } from '../domain/audit';
import { NotFoundError } from '../domain/errors';
import { transition } from '../domain/lease';
import type { LeaseRequest } from '../domain/request';
import { recordAudit } from './audit';
import type { AppDeps } from './deps';

/**
 * The startScheduled activity: a scheduled request's `startAt` has come, so it moves on to
 * provisioning. Idempotent: a request already past `scheduled` (a retried activity, or one approved
 * after its start) is left as it is, and the audit record has a fixed id.
 */
export async function startScheduled(
  deps: AppDeps,
  requestId: string,
): Promise<{ readonly status: LeaseRequest['status'] }> {
  const stored = await deps.requests.get(requestId);
  if (stored === null) throw new NotFoundError(`request ${requestId} does not exist`);
  if (stored.value.status !== 'scheduled') return { status: stored.value.status };
  const started = transition(stored.value, { type: 'start' }, deps.clock.now());
  await deps.requests.replace(started, stored.etag);
  await recordAudit(deps, {
    id: `${requestId}-scheduled-start`,
    actor: SYSTEM_ACTOR,
    action: 'request.scheduled_start',
    request: started,
    details: { startAt: stored.value.startAt },
  });
  deps.log('info', 'scheduled_start', { requestId, tenantId: started.tenantId, targetId: started.targetId });
  return { status: started.status };
}
