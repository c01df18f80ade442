import { checkReviewer } from '../domain/approval';
import { APPROVER_ROLE, type Caller } from '../domain/caller';
import { ConflictError, ForbiddenError, messageOf, NotFoundError } from '../domain/errors';
import type { LeaseRequest } from '../domain/request';
import { approvalCard, type AdaptiveCard, type CardAction, type CardView } from '../domain/teamsApprovalCard';
import { decideRequest } from './approvals';
import { approverUsers, currentStageApprovers } from './approverUsers';
import { recordAudit } from './audit';
import type { AppDeps } from './deps';
import type { LeaseOrchestrations, TeamsBot, TeamsConversation, TeamsPersonalChat } from './ports';

/**
 * Approving and denying from Microsoft Teams (issue 14). The bot posts the approval card to each
 * approver's personal chat (where they installed the app) and to the approval channel; a click
 * (`adaptiveCard/action` invoke) decides through the same use case as the API, as the clicking
 * user. Teams is one more front door: every rule (never the requester, only an eligible approver,
 * only while pending) is approvals.ts's.
 */

function linkOf(deps: Pick<AppDeps, 'workflow'>, requestId: string): string | null {
  const base = deps.workflow.publicBaseUrl;
  return base === null ? null : `${base.replace(/\/+$/, '')}/requests/${requestId}`;
}

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

async function approverChats(deps: AppDeps, teams: TeamsBot, request: LeaseRequest): Promise<TeamsPersonalChat[]> {
  const chats: TeamsPersonalChat[] = [];
  for (const user of await approverUsers(deps, request)) {
    const chat = await teams.conversations.getPersonalChat(user.objectId);
    if (chat !== null) chats.push(chat);
    else
      deps.log('info', 'teams_card_skipped', {
        requestId: request.id,
        approver: user.objectId,
        reason: 'the approver has not installed the Teams app, so the bot cannot start a chat with them',
      });
  }
  return chats;
}

function cardFor(
  deps: AppDeps,
  request: LeaseRequest,
  view: CardView,
  approverUserIds: readonly string[],
): AdaptiveCard {
  return approvalCard(request, view, { approverUserIds, link: linkOf(deps, request.id) });
}

/**
 * Part of the notifyLease activity for `pending_approval` (at submission, and when a later stage
 * begins): one card per current-stage approver's personal chat, and one in the approval channel. It
 * posts only where no copy was posted yet, so a retry, or a stage-1 approver, gets no second card.
 */
export async function postApprovalCards(deps: AppDeps, request: LeaseRequest): Promise<void> {
  const teams = deps.teams;
  if (teams === undefined || request.status !== 'pending_approval') return;
  // The channel's copy does not depend on finding the approvers (home tenant not connected, Graph down).
  const chats = await approverChats(deps, teams, request).catch((error: unknown) => {
    deps.log('warn', 'teams_approvers_unknown', { requestId: request.id, reason: messageOf(error, 300) });
    return [];
  });
  const card = cardFor(
    deps,
    request,
    { kind: 'shared' },
    chats.map((c) => c.teamsUserId),
  );
  const copies = await teams.conversations.listCardCopies(request.id);
  const posted = new Set(copies.map((c) => c.conversationId));
  // A later stage began: the copies already posted (the channel's, the earlier stage's approvers')
  // now say which stage approved and which waits, read-only for whoever is no longer to decide.
  if ((request.approval?.stage?.index ?? 1) > 1)
    for (const copy of copies)
      await teams.connector.updateCard(copy, card).catch((error: unknown) =>
        deps.log('warn', 'teams_card_update_failed', {
          requestId: request.id,
          conversationId: copy.conversationId,
          reason: messageOf(error, 300),
        }),
      );
  const destinations: TeamsConversation[] = [
    ...chats,
    ...(teams.approvalChannel !== null ? [teams.approvalChannel] : []),
  ];
  for (const conversation of destinations) {
    if (posted.has(conversation.conversationId)) continue;
    const activityId = await teams.connector.sendCard(conversation, card);
    await teams.conversations.addCardCopy(request.id, {
      conversationId: conversation.conversationId,
      serviceUrl: conversation.serviceUrl,
      activityId,
    });
  }
}

/** The clicking user as the approval rules see them: read from the home tenant, never from the card. */
async function teamsCaller(deps: AppDeps, aadObjectId: string): Promise<Caller | null> {
  const home = await deps.config.getTenant(deps.workflow.homeTenantId);
  if (home === null) return null;
  const directory = await deps.directories.forTenant(home.value);
  const found = await directory.getUserWithGroups(aadObjectId);
  if (found === null || !found.user.accountEnabled) return null;
  const holders = await directory.listAppRoleHolders(deps.workflow.apiClientId, APPROVER_ROLE);
  const holdsApprover = holders.some((h) =>
    h.type === 'user' ? sameId(h.id, aadObjectId) : found.groupIds.some((g) => sameId(g, h.id)),
  );
  return {
    objectId: found.user.objectId,
    tenantId: deps.workflow.homeTenantId,
    userPrincipalName: found.user.userPrincipalName,
    displayName: undefined,
    groups: found.groupIds,
    roles: holdsApprover ? [APPROVER_ROLE] : [],
  };
}

/** What Teams says about the click; `aadObjectId` and `tenantId` come from the signed activity. */
export interface CardClick {
  readonly aadObjectId: string | undefined;
  readonly tenantId: string | undefined;
  readonly action: CardAction;
}

/** The invoke's answer: the card to show the clicking user in place, or an error Teams displays. */
export type CardClickResult =
  | { readonly kind: 'card'; readonly card: AdaptiveCard }
  | { readonly kind: 'error'; readonly status: 400 | 401 | 403 | 404; readonly message: string };

async function refreshCopies(deps: AppDeps, teams: TeamsBot, request: LeaseRequest): Promise<void> {
  const card = cardFor(deps, request, { kind: 'shared' }, []);
  for (const copy of await teams.conversations.listCardCopies(request.id)) {
    await teams.connector.updateCard(copy, card).catch((error: unknown) =>
      deps.log('warn', 'teams_card_update_failed', {
        requestId: request.id,
        conversationId: copy.conversationId,
        reason: messageOf(error, 300),
      }),
    );
  }
}

/**
 * An `Action.Execute` on an approval card. `refresh` answers the viewer's own view (live buttons for
 * an eligible approver while the request waits); `approve`/`deny` decide as the clicking user
 * through decideRequest, then every posted copy is updated to show the outcome. A click that may
 * not decide (the requester, a non-approver, another tenant) decides nothing and says why; a click
 * on a request already decided shows the outcome and decides nothing again.
 */
export async function handleCardClick(
  deps: AppDeps,
  orchestrations: LeaseOrchestrations,
  click: CardClick,
): Promise<CardClickResult> {
  const teams = deps.teams;
  if (teams === undefined) return { kind: 'error', status: 404, message: 'the Teams bot is not configured' };
  const { action } = click;
  const requestId = action.data.requestId;
  const stored = await deps.requests.get(requestId);
  if (stored === null) return { kind: 'error', status: 404, message: `request ${requestId} does not exist` };
  const request = stored.value;
  const refused = (reason: string): CardClickResult => ({
    kind: 'card',
    card: cardFor(deps, request, { kind: 'refused', reason }, []),
  });
  const audit = (outcome: 'success' | 'failure', details: Record<string, string>) =>
    recordAudit(deps, {
      actor:
        click.aadObjectId !== undefined
          ? { type: 'user', id: click.aadObjectId }
          : { type: 'user', id: 'unknown-teams-user' },
      action: 'teams.card_action',
      outcome,
      request,
      details: { channel: 'teams', verb: action.verb, ...details },
    });

  if (click.tenantId === undefined || !sameId(click.tenantId, deps.workflow.homeTenantId) || !click.aadObjectId) {
    if (action.verb !== 'refresh') await audit('failure', { reason: 'not a user of the home tenant' });
    return refused('only users of the service provider’s own tenant can decide requests');
  }
  const caller = await teamsCaller(deps, click.aadObjectId);
  if (caller === null) {
    if (action.verb !== 'refresh') await audit('failure', { reason: 'unknown or disabled user' });
    return refused('your account is not an enabled user of the service provider’s tenant');
  }

  if (action.verb === 'refresh') {
    // The stage waiting now decides who sees live buttons: an earlier stage's approver sees it read-only.
    const approvers = request.status === 'pending_approval' ? await currentStageApprovers(deps, request) : null;
    const mayDecide = approvers !== null && checkReviewer(request.requester.objectId, caller, approvers).allowed;
    return { kind: 'card', card: cardFor(deps, request, { kind: mayDecide ? 'approver' : 'shared' }, []) };
  }

  const approved = action.verb === 'approve';
  try {
    const decided = await decideRequest(deps, orchestrations, caller, requestId, {
      approved,
      comment: action.data.comment?.trim() === '' ? undefined : action.data.comment?.trim(),
    });
    await audit('success', { decision: approved ? 'approved' : 'denied' });
    await refreshCopies(deps, teams, decided);
    return { kind: 'card', card: cardFor(deps, decided, { kind: 'shared' }, []) };
  } catch (error) {
    if (error instanceof ForbiddenError) {
      await audit('failure', { reason: error.message });
      return refused(error.message);
    }
    if (error instanceof ConflictError) {
      // Already decided (a second click, or someone else first): show what became of it.
      const current = (await deps.requests.get(requestId))?.value ?? request;
      return { kind: 'card', card: cardFor(deps, current, { kind: 'shared' }, []) };
    }
    if (error instanceof NotFoundError) return { kind: 'error', status: 404, message: error.message };
    throw error;
  }
}

/**
 * The bot was installed for a user (installationUpdate "add", or conversationUpdate adding the bot
 * to a personal chat): keep where to reach them, keyed by their home-tenant object id. Other
 * tenants' users and team installs are not kept (cards go to the configured channel).
 */
export async function rememberPersonalChat(
  deps: AppDeps,
  chat: Partial<TeamsPersonalChat> & { readonly tenantId: string | undefined; readonly personal: boolean },
): Promise<boolean> {
  const teams = deps.teams;
  if (teams === undefined || !chat.personal) return false;
  if (chat.tenantId === undefined || !sameId(chat.tenantId, deps.workflow.homeTenantId)) return false;
  if (!chat.aadObjectId || !chat.teamsUserId || !chat.conversationId || !chat.serviceUrl) return false;
  await teams.conversations.upsertPersonalChat({
    aadObjectId: chat.aadObjectId.toLowerCase(),
    teamsUserId: chat.teamsUserId,
    conversationId: chat.conversationId,
    serviceUrl: chat.serviceUrl,
  });
  deps.log('info', 'teams_chat_remembered', { aadObjectId: chat.aadObjectId });
  return true;
}
