import { messageOf } from '../domain/errors';
import { isTerminal, type LeaseRequest } from '../domain/request';
import type { AppDeps } from './deps';
import { approverUsers } from './approverUsers';
import type { LeaseNotification, MailAudience, NotificationKind } from './ports';
import { postApprovalCards } from './teamsApprovals';
import { enqueueWriteBack } from './psaWriteBack';
import type { WriteBackEvent } from '../domain/psaWriteBack';

/**
 * How long before expiry the "ending soon" notification goes out when the orchestration's input
 * does not say (runs started before JIT_NOTIFY_ENDING_SOON_BEFORE existed).
 */
export const ENDING_SOON_BEFORE_MS = 10 * 60_000;

/** What the requester is emailed about; approvers are emailed when a request waits for them. */
const REQUESTER_MAIL_KINDS: ReadonlySet<NotificationKind> = new Set([
  'approved',
  'denied',
  'active',
  'ending_soon',
  'ended',
]);

export function notificationOf(
  deps: Pick<AppDeps, 'workflow' | 'clock'>,
  kind: NotificationKind,
  request: LeaseRequest,
): LeaseNotification {
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
 * lease (the orchestration does not wait for it to come back), one channel failing does not stop
 * another, and nothing secret is ever sent.
 */
export async function notifyLease(
  deps: AppDeps,
  input: { readonly requestId: string; readonly kind: NotificationKind },
): Promise<void> {
  const failed = (channel: string) => (error: unknown) =>
    deps.log('warn', 'notification_failed', {
      requestId: input.requestId,
      kind: input.kind,
      channel,
      reason: messageOf(error, 300),
    });
  let request: LeaseRequest;
  const written = deps.requests.lastWrittenHere(input.requestId);
  if (written !== null && isVersionToNotify(input.kind, written.value)) {
    // The activity just before wrote it here: no read.
    request = written.value;
  } else {
    try {
      const stored = await deps.requests.get(input.requestId);
      if (stored === null) return;
      request = stored.value;
    } catch (error) {
      failed('all')(error);
      return;
    }
  }
  const notification = notificationOf(deps, input.kind, request);
  await Promise.all([
    deps.notifier.notify(notification).catch(failed('webhooks')),
    mailLease(deps, notification, request).catch(failed('mail')),
    ...(input.kind === 'pending_approval' ? [postApprovalCards(deps, request).catch(failed('teams'))] : []),
    writeBackLease(deps, input.kind, request),
  ]);
}

/**
 * Whether a version of the request this process wrote is the one the notification is about, so it
 * need not be read: `active` follows the write that activated it (only an extension, a later step,
 * changes an active lease's notified fields); `ended` follows the terminal write, after which a
 * request never changes. Any other kind reads the stored request (a decision or a stage may have
 * been recorded by another process).
 */
function isVersionToNotify(kind: NotificationKind, request: LeaseRequest): boolean {
  if (kind === 'active') return request.status === 'active';
  if (kind === 'ended') return isTerminal(request);
  return false;
}

/** The PSA write-back events among the notifications (extensions are queued by extendLease). */
const WRITE_BACK_EVENTS: Partial<Record<NotificationKind, WriteBackEvent>> = {
  approved: 'approved',
  denied: 'denied',
  active: 'activated',
  ended: 'ended',
};

/** Queues the note for the request's PSA ticket (src/app/psaWriteBack.ts); never throws. */
async function writeBackLease(deps: AppDeps, kind: NotificationKind, request: LeaseRequest): Promise<void> {
  const event = WRITE_BACK_EVENTS[kind];
  if (event === undefined) return;
  const by =
    event === 'approved' || event === 'denied'
      ? (request.decision?.by ?? 'Entra JIT')
      : event === 'ended' && request.status === 'ended'
        ? (request.revokedBy ?? (request.endReason === 'expired' ? 'Entra JIT (the lease expired)' : 'Entra JIT'))
        : 'Entra JIT';
  await enqueueWriteBack(deps, request, { event, by });
}

/** Emails the people concerned: the approvers when a request waits for them, the requester otherwise. */
async function mailLease(deps: AppDeps, notification: LeaseNotification, request: LeaseRequest): Promise<void> {
  const mailer = deps.mailer;
  if (mailer === null) return;
  let audience: MailAudience;
  let to: string[];
  if (notification.kind === 'pending_approval') {
    audience = 'approver';
    to = await approverAddresses(deps, request);
  } else if (REQUESTER_MAIL_KINDS.has(notification.kind)) {
    audience = 'requester';
    to = [request.requester.userPrincipalName];
  } else {
    return;
  }
  if (to.length === 0) {
    deps.log('info', 'notification_mail_skipped', {
      requestId: request.id,
      kind: notification.kind,
      reason: 'nobody to email: no enabled approver other than the requester',
    });
    return;
  }
  await mailer.send(to, audience, notification);
}

async function approverAddresses(deps: AppDeps, request: LeaseRequest): Promise<string[]> {
  const addresses = new Map<string, string>();
  for (const user of await approverUsers(deps, request))
    addresses.set(user.userPrincipalName.toLowerCase(), user.userPrincipalName);
  return [...addresses.values()];
}
