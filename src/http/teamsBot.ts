import type { HttpResponseInit } from '@azure/functions';
import { leaseOrchestrationsOf } from '../adapters/durable/leaseOrchestrations';
import { BotFrameworkAuthenticator } from '../adapters/teams/botFrameworkAuth';
import { handleCardClick, rememberPersonalChat } from '../app/teamsApprovals';
import {
  fieldProblemsOf,
  NotFoundError,
  PayloadTooLargeError,
  UnauthenticatedError,
  ValidationError,
} from '../domain/errors';
import { cardActionSchema } from '../domain/teamsApprovalCard';
import type { DurableCall, OperationCall } from './operations/operation';
import { MAX_BODY_BYTES } from './parse';
import { json } from './respond';
import { adaptiveCardInvokeValueSchema, botActivitySchema, type BotActivity } from './teamsBotSchemas';

let authenticator: { key: string; value: BotFrameworkAuthenticator } | undefined;

const ADAPTIVE_CARD_ACTION = 'adaptiveCard/action';

/**
 * POST /api/messages: the Teams bot's endpoint, called by the Bot Connector (Azure Bot Service)
 * with a Bot Framework token, never by a user's token. The token is validated by Microsoft's SDK
 * before the body is read as an activity; its `serviceurl` claim must name the activity's
 * serviceUrl host (where the bot would send its answers and tokens).
 */
export async function receiveBotActivityHttp({
  request,
  client,
  services: { deps, settings },
}: OperationCall & DurableCall): Promise<HttpResponseInit> {
  const teams = deps.teams;
  if (teams === undefined) throw new NotFoundError('the Teams bot is not configured (JIT_TEAMS_BOT_APP_ID)');
  const key = `${teams.botAppId}|${settings.JIT_AUTHORITY_HOST}`;
  if (authenticator?.key !== key)
    authenticator = {
      key,
      value: new BotFrameworkAuthenticator(teams.botAppId, settings.JIT_HOME_TENANT_ID, settings.JIT_AUTHORITY_HOST),
    };
  const verdict = await authenticator.value.authenticate(request.method, request.headers.get('authorization'));
  if (!verdict.ok) throw new UnauthenticatedError(`Bot Framework token refused: ${verdict.reason}`);

  const declared = Number(request.headers.get('content-length') ?? '0');
  if (!Number.isFinite(declared) || declared > MAX_BODY_BYTES)
    throw new PayloadTooLargeError(`the body must be at most ${MAX_BODY_BYTES} bytes`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES)
    throw new PayloadTooLargeError(`the body must be at most ${MAX_BODY_BYTES} bytes`);
  const activity = parseActivity(text);
  const claimed = verdict.claims.serviceurl;
  if (typeof claimed !== 'string' || !sameHost(claimed, activity.serviceUrl))
    throw new UnauthenticatedError("the activity's serviceUrl is not the one the token was issued for");

  const tenantId = activity.channelData?.tenant?.id ?? activity.conversation.tenantId;
  if (activity.type === 'invoke' && activity.name === ADAPTIVE_CARD_ACTION) {
    const value = adaptiveCardInvokeValueSchema.safeParse(activity.value);
    const action = cardActionSchema.safeParse(
      value.success ? { ...value.data.action, data: value.data.action.data ?? {} } : undefined,
    );
    if (!action.success)
      return invokeResponse(400, 'application/vnd.microsoft.error', {
        code: 'BadRequest',
        message: `not an action of an approval card: ${action.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      });
    const result = await handleCardClick(deps, leaseOrchestrationsOf(client), {
      aadObjectId: activity.from.aadObjectId,
      tenantId,
      action: action.data,
    });
    if (result.kind === 'error')
      return invokeResponse(result.status, 'application/vnd.microsoft.error', {
        code: result.status === 404 ? 'NotFound' : 'BadRequest',
        message: result.message,
      });
    return invokeResponse(200, 'application/vnd.microsoft.card.adaptive', result.card);
  }
  if (isInstallation(activity, teams.botAppId))
    await rememberPersonalChat(deps, {
      personal: activity.conversation.conversationType === 'personal',
      tenantId,
      aadObjectId: activity.from.aadObjectId,
      teamsUserId: activity.from.id,
      conversationId: activity.conversation.id,
      serviceUrl: activity.serviceUrl,
    });
  // Other activities (messages, reactions …) need nothing from the bot.
  return { status: 200 };
}

function parseActivity(text: string): BotActivity {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ValidationError([{ field: '(body)', message: 'the body is not JSON' }]);
  }
  const parsed = botActivitySchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(fieldProblemsOf(parsed.error));
  return parsed.data;
}

/** The app added for a user: installationUpdate "add", or conversationUpdate adding the bot itself. */
function isInstallation(activity: BotActivity, botAppId: string): boolean {
  if (activity.type === 'installationUpdate') return activity.action === 'add';
  if (activity.type !== 'conversationUpdate') return false;
  const bot = activity.recipient?.id;
  return (activity.membersAdded ?? []).some((m) => m.id === bot || m.id === `28:${botAppId}`);
}

function sameHost(a: string, b: string): boolean {
  if (!URL.canParse(a) || !URL.canParse(b)) return false;
  return new URL(a).host.toLowerCase() === new URL(b).host.toLowerCase();
}

function invokeResponse(statusCode: number, type: string, value: unknown): HttpResponseInit {
  // The invoke's own HTTP status is 200; the outcome Teams shows is in the body's statusCode.
  return json(200, { statusCode, type, value });
}
