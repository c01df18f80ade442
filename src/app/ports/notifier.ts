export type NotificationKind =
  'pending_approval' | 'approved' | 'denied' | 'active' | 'ending_soon' | 'ended' | 'revocation_failed';

/** What a notification says: ids, names and times only, never a credential. */
export interface LeaseNotification {
  readonly kind: NotificationKind;
  readonly requestId: string;
  readonly tenantId: string;
  readonly targetId: string;
  readonly requester: string;
  readonly status: string;
  readonly ticket: string | null;
  readonly justification: string | null;
  readonly duration: string;
  readonly expiresAt: string | null;
  readonly endReason: string | null;
  readonly decidedBy: string | null;
  readonly link: string | null;
  readonly at: string;
}

export interface Notifier {
  /** Throws when the channel refused it; callers treat notification as best effort. */
  notify(notification: LeaseNotification): Promise<void>;
}
