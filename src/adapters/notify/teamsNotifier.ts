import type { LeaseNotification, Notifier } from '../../app/ports';
import { postJson } from './signedWebhookNotifier';

/**
 * Microsoft Teams incoming webhook (or a Teams Workflows "post to a channel when a webhook request
 * is received" URL): one message with an Adaptive Card showing the request and a link to it.
 */
const TITLES: Readonly<Record<LeaseNotification['kind'], string>> = {
  pending_approval: 'Access request waiting for approval',
  approved: 'Access request approved',
  denied: 'Access request denied',
  active: 'Access granted',
  ending_soon: 'Access ends soon: extend it if you still need it',
  ended: 'Access ended',
  revocation_failed: 'ALERT: revoking access keeps failing',
};

/**
 * Text as Teams shows it, never as markup. Teams renders a Markdown subset in TextBlock text and in
 * Fact.Title and Fact.Value (bold, italic, lists, `[title](url)` links:
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format),
 * so a justification like `[click](https://evil)` would otherwise show as a link in the approver's
 * channel. CommonMark lets any ASCII punctuation be backslash-escaped and then shows it as itself;
 * escaping all of it (`:` and `/` too, so no URL is left whole to auto-link) leaves no markup, and
 * line breaks become spaces so nothing starts a list.
 */
export function markdownEscaped(text: string): string {
  return text.replace(/\r\n?|\n/g, ' ').replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}

export function adaptiveCardOf(n: LeaseNotification): Record<string, unknown> {
  // What a requester, an integration or a directory wrote is escaped; ids, times and statuses are ours.
  const facts = [
    { title: 'Request', value: n.requestId },
    { title: 'Requester', value: markdownEscaped(n.requester) },
    { title: 'Tenant', value: n.tenantId },
    { title: 'Target', value: markdownEscaped(n.targetId) },
    { title: 'Duration', value: n.duration },
    { title: 'Status', value: n.endReason === null ? n.status : `${n.status} (${n.endReason})` },
    ...(n.ticket === null ? [] : [{ title: 'Ticket', value: markdownEscaped(n.ticket) }]),
    ...(n.justification === null ? [] : [{ title: 'Justification', value: markdownEscaped(n.justification) }]),
    ...(n.expiresAt === null ? [] : [{ title: 'Expires', value: n.expiresAt }]),
    ...(n.decidedBy === null ? [] : [{ title: 'Decided by', value: markdownEscaped(n.decidedBy) }]),
  ];
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              size: 'Medium',
              weight: 'Bolder',
              text: TITLES[n.kind],
              wrap: true,
              ...(n.kind === 'revocation_failed' ? { color: 'Attention' } : {}),
            },
            { type: 'FactSet', facts },
          ],
          actions: n.link === null ? [] : [{ type: 'Action.OpenUrl', title: 'Open the request', url: n.link }],
        },
      },
    ],
  };
}

export class TeamsNotifier implements Notifier {
  constructor(private readonly url: string) {}

  async notify(notification: LeaseNotification): Promise<void> {
    await postJson(this.url, JSON.stringify(adaptiveCardOf(notification)), {});
  }
}
