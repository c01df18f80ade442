import { z } from 'zod';
import type { LeaseRequest } from './request';

/**
 * The Adaptive Card an approver decides on in Microsoft Teams (Universal Actions). Pure: built
 * from the request and who looks at it, so the bot answers an invoke and updates every copy with
 * the same function.
 *
 * - Version 1.4 with `Action.Execute` and `refresh`: Teams renders Universal Actions from 1.4 on
 *   (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards).
 * - `refresh.userIds` are the approvers' Teams user ids (MRIs, "29:…"): those users' clients fetch
 *   their own view (live buttons) with the `refresh` verb; everybody else sees the shared card
 *   (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views).
 * - The card's `data` carries the request id only. Who decides is never read from the card: it is
 *   the clicking user from the Teams activity, so a forwarded or edited card gives nobody a vote.
 */

export const CARD_VERBS = ['approve', 'deny', 'refresh'] as const;
export type CardVerb = (typeof CARD_VERBS)[number];

/** What an `Action.Execute` of our card sends back in `value.action`: the verb and the request id; the comment input joins `data`. */
export const cardActionSchema = z.object({
  type: z.literal('Action.Execute'),
  verb: z.enum(CARD_VERBS),
  data: z.object({
    requestId: z.uuid(),
    comment: z.string().max(1000).optional(),
  }),
});
export type CardAction = z.infer<typeof cardActionSchema>;

export const COMMENT_INPUT_ID = 'comment';

export type AdaptiveCard = Readonly<Record<string, unknown>>;

/** How one viewer sees the card. */
export type CardView =
  | { readonly kind: 'shared' }
  | { readonly kind: 'approver' }
  /** A click that decided nothing: the reason is shown above the request. */
  | { readonly kind: 'refused'; readonly reason: string };

export interface CardOptions {
  /** Teams user ids (MRIs) of the approvers who get the live view. */
  readonly approverUserIds: readonly string[];
  /** Link to the request in the portal; null: none. */
  readonly link: string | null;
}

function facts(request: LeaseRequest): { title: string; value: string }[] {
  const rows = [
    { title: 'Requester', value: request.requester.displayName ?? request.requester.userPrincipalName },
    { title: 'Tenant', value: request.tenantId },
    { title: 'Target', value: request.targetId },
    { title: 'Duration', value: request.duration },
    { title: 'Justification', value: request.justification ?? '(none)' },
    { title: 'Ticket', value: request.ticket ?? '(none)' },
    { title: 'Request', value: request.id },
  ];
  if (request.status === 'pending_approval') rows.push({ title: 'Decide by', value: request.approvalDeadline });
  return rows;
}

/** One line saying what became of the request, or null while it waits. */
export function outcomeOf(request: LeaseRequest): string | null {
  const decision = request.decision;
  if (request.status === 'pending_approval') return null;
  if (decision !== null && decision.by !== null) {
    const verb = decision.approved ? 'Approved' : 'Denied';
    const comment = decision.comment !== null ? `: "${decision.comment}"` : '';
    return `${verb} by ${decision.by} at ${decision.at}${comment}`;
  }
  if (request.status === 'ended' && request.endReason === 'approval_expired') return 'Not decided before the deadline';
  if (request.status === 'ended' && request.endReason === 'withdrawn') return 'Withdrawn by the requester';
  return `No longer waiting for approval (${request.status})`;
}

/** While it waits: which stage approved (by whom) and which stage waits now, for a staged request. */
function waitingText(request: LeaseRequest): string {
  const stage = request.approval?.stage;
  if (stage === undefined || stage === null || stage.index === 1) return 'Waiting for an approver.';
  const previous = stage.index - 1;
  const by = (request.approval?.approvals ?? []).filter((a) => a.stage === previous).map((a) => a.by);
  return `Stage ${previous} approved by ${by.join(', ')}; waiting for stage ${stage.index} (${stage.name}).`;
}

export function approvalCard(request: LeaseRequest, view: CardView, options: CardOptions): AdaptiveCard {
  const outcome = outcomeOf(request);
  const data = { requestId: request.id };
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', size: 'Medium', weight: 'Bolder', wrap: true, text: 'Just-in-time access request' },
  ];
  if (view.kind === 'refused')
    body.push({ type: 'TextBlock', color: 'Attention', wrap: true, text: `Nothing was decided: ${view.reason}` });
  body.push({ type: 'FactSet', facts: facts(request) });
  if (outcome !== null) body.push({ type: 'TextBlock', weight: 'Bolder', color: 'Accent', wrap: true, text: outcome });
  else if (view.kind !== 'approver')
    body.push({ type: 'TextBlock', isSubtle: true, wrap: true, text: waitingText(request) });
  const live = outcome === null && view.kind === 'approver';
  if (live)
    body.push({
      type: 'Input.Text',
      id: COMMENT_INPUT_ID,
      label: 'Comment',
      isMultiline: true,
      maxLength: 1000,
      placeholder: 'Optional: why you approve or deny',
    });
  const actions: Record<string, unknown>[] = live
    ? [
        { type: 'Action.Execute', title: 'Approve', verb: 'approve', style: 'positive', data },
        { type: 'Action.Execute', title: 'Deny', verb: 'deny', style: 'destructive', data },
      ]
    : [];
  if (options.link !== null) actions.push({ type: 'Action.OpenUrl', title: 'Open in the portal', url: options.link });
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    // Once decided the card is final: no refresh, so nobody's client asks for live buttons again.
    ...(outcome === null
      ? {
          refresh: {
            action: { type: 'Action.Execute', title: 'Refresh', verb: 'refresh', data },
            userIds: [...options.approverUserIds],
          },
        }
      : {}),
    body,
    actions,
  };
}
