import type { DirectoryMail, LeaseMailer, LeaseNotification, MailAudience, OutgoingMail } from '../../app/ports';

/**
 * Lease emails sent through Microsoft Graph from a mailbox of the home tenant
 * (`POST /users/{JIT_NOTIFY_MAIL_FROM}/sendMail`, application permission Mail.Send). Plain text
 * (contentType Text), so what a requester wrote is shown as written and nothing in it is markup; ids,
 * names, times and a link to the request, never a credential.
 */
const SUBJECTS: Readonly<
  Record<MailAudience, Partial<Record<LeaseNotification['kind'], (n: LeaseNotification) => string>>>
> = {
  approver: {
    pending_approval: (n) => `Approval needed: ${n.requester} asks for ${n.targetId}`,
  },
  requester: {
    approved: (n) => `Approved: your access to ${n.targetId}`,
    denied: (n) => `Denied: your access to ${n.targetId}`,
    active: (n) => `Granted: your access to ${n.targetId}`,
    ending_soon: (n) => `Ending soon: your access to ${n.targetId}`,
    ended: (n) => `Ended: your access to ${n.targetId}`,
  },
};

function headline(n: LeaseNotification, audience: MailAudience): string {
  if (audience === 'approver')
    return `${n.requester} asks for just-in-time access to ${n.targetId} in tenant ${n.tenantId}. It waits for your decision.`;
  switch (n.kind) {
    case 'approved':
      return `Your request for ${n.targetId} was approved${n.decidedBy === null ? '' : ` by ${n.decidedBy}`}. The access is being set up.`;
    case 'denied':
      return `Your request for ${n.targetId} was denied${n.decidedBy === null ? '' : ` by ${n.decidedBy}`}. Nothing was granted.`;
    case 'active':
      return `Your access to ${n.targetId} is active${n.expiresAt === null ? '' : ` until ${n.expiresAt} (UTC)`}. Reveal the account's credential from the request page.`;
    case 'ending_soon':
      return `Your access to ${n.targetId} ends at ${n.expiresAt ?? 'its expiry'} (UTC). If you still need it, extend the lease before then.`;
    case 'ended':
      return `Your access to ${n.targetId} has ended${n.endReason === null ? '' : ` (${n.endReason})`}.`;
    default:
      return `Your request for ${n.targetId}: ${n.status}.`;
  }
}

function actionOf(n: LeaseNotification, audience: MailAudience): string {
  if (audience === 'approver') return 'Approve or deny it';
  return n.kind === 'ending_soon' ? 'Extend it' : 'Open the request';
}

/** One line: a line break in a requester's text must not look like a line of ours. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ').trim();
}

/**
 * What a requester or an integration wrote, shown but never clickable: mail clients turn URLs in
 * plain text into links (Outlook does for `scheme://` and `www.`), and a link in the justification
 * next to ours ("approve here: …") would be an easy phish. `[:]` and `[.]` keep it readable.
 */
function unlinked(text: string): string {
  return oneLine(text)
    .replace(/:\/\//g, '[:]//')
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}[.]`);
}

/** The email for a notification, or null when this audience is not told about this kind. */
export function leaseMailOf(n: LeaseNotification, audience: MailAudience): Omit<OutgoingMail, 'to'> | null {
  const subject = SUBJECTS[audience][n.kind];
  if (subject === undefined) return null;
  const facts: [string, string | null][] = [
    ['Request', n.requestId],
    ['Requester', n.requester],
    ['Tenant', n.tenantId],
    ['Target', n.targetId],
    ['Duration', n.duration],
    ['Status', n.endReason === null ? n.status : `${n.status} (${n.endReason})`],
    ['Ticket', n.ticket === null ? null : unlinked(n.ticket)],
    ['Justification', n.justification === null ? null : unlinked(n.justification)],
    ['Expires (UTC)', n.expiresAt],
    ['Decided by', n.decidedBy],
  ];
  const lines = [
    headline(n, audience),
    '',
    ...facts.filter((f): f is [string, string] => f[1] !== null).map(([name, value]) => `${name}: ${oneLine(value)}`),
    '',
    n.link === null ? 'Open the Entra JIT portal to see the request.' : `${actionOf(n, audience)}: ${n.link}`,
    '',
    '(Sent by Entra JIT. Do not reply: this mailbox is not read.)',
  ];
  return { subject: oneLine(subject(n)), text: lines.join('\n') };
}

export class GraphMailNotifier implements LeaseMailer {
  constructor(
    private readonly fromUserPrincipalName: string,
    /** The home tenant's directory; fails when the home tenant is not connected. */
    private readonly homeDirectory: () => Promise<DirectoryMail>,
  ) {}

  async send(to: readonly string[], audience: MailAudience, notification: LeaseNotification): Promise<void> {
    const mail = leaseMailOf(notification, audience);
    if (mail === null || to.length === 0) return;
    const directory = await this.homeDirectory();
    await directory.sendMail(this.fromUserPrincipalName, { ...mail, to });
  }
}
