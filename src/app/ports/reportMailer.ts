import type { OutgoingMail } from './leaseMailer';

/** Customer reports by email (Graph sendMail from JIT_NOTIFY_MAIL_FROM, a mailbox of the home tenant). */
export interface ReportMailer {
  /** Throws when Graph refuses it (no Mail.Send, no such mailbox, home tenant not connected). */
  send(mail: OutgoingMail): Promise<void>;
}
