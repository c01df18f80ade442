import type { LeaseNotification } from './notifier';

/** Who an email goes to, and in which role: the text differs for an approver and a requester. */
export type MailAudience = 'approver' | 'requester';

/** Lease emails (Graph sendMail from a mailbox of the home tenant). */
export interface LeaseMailer {
  /** One message to the addresses `to` (none: nothing is sent); throws when Graph refuses it. */
  send(to: readonly string[], audience: MailAudience, notification: LeaseNotification): Promise<void>;
}

/** One plain-text email as Graph sendMail takes it. */
export interface OutgoingMail {
  readonly to: readonly string[];
  readonly subject: string;
  /** Plain text (sent as contentType Text): nothing in it is markup. */
  readonly text: string;
  /**
   * An HTML body sent instead of the text (contentType HTML): only a page this service rendered
   * with everything in it escaped (a customer report), never text someone typed.
   */
  readonly html?: string;
}
