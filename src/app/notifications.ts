import type { LeaseRequest } from '../domain/request';
import type { AppDeps } from './deps';
import type { LeaseNotification, NotificationKind } from './ports';

/** How long before expiry the "ending soon" notification goes out. */
export const ENDING_SOON_BEFORE_MS = 10 * 60_000;

export function notificationOf(deps: Pick<AppDeps, 'workflow' | 'clock'>, kind: NotificationKind, request: LeaseRequest): LeaseNotification {
  const base = deps.workflow.publicBaseUrl;
  return {
    kind,
    requestId: request.id,
    tenantId: request.tenantId,
    targetId: request.targetId,
    requester: request.requester.userPrincipalName,
    status: request.status,
    ticket: request.ticket,
    justification: request.justification,
    duration: request.duration,
    expiresAt: 'expiresAt' in request ? request.expiresAt : null,
    endReason: request.status === 'ended' ? request.endReason : null,
    decidedBy: request.decision?.by ?? null,
    link: base === null ? null : `${base.replace(/\/+$/, '')}/requests/${request.id}`,
    at: deps.clock.now().toISOString(),
  };
}

/**
 * The notifyLease activity: best effort. A channel that is down is logged and never fails the
 * lease (the orchestration does not wait for it to come back), and nothing secret is ever sent.
 */
export async function notifyLease(deps: AppDeps, input: { readonly requestId: string; readonly kind: NotificationKind }): Promise<void> {
  try {
    const stored = await deps.requests.get(input.requestId);
    if (stored === null) return;
    await deps.notifier.notify(notificationOf(deps, input.kind, stored.value));
  } catch (error) {
    deps.log('warn', 'notification_failed', { requestId: input.requestId, kind: input.kind, reason: error instanceof Error ? error.message.slice(0, 300) : 'error' });
  }
}
