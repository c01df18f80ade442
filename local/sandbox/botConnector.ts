import { randomUUID } from 'node:crypto';
import { errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { HOME_TENANT_ID, TEAMS_BOT_APP } from './seed';
import { json, parseJsonBody, type SandboxRequest, type SandboxResponse } from './http';
import type { SandboxStore } from './store';
import { BOT_CONNECTOR_RESOURCE, issuerFor, mintToken } from './tokens';

/**
 * The Bot Connector (Azure Bot Service's channel for Teams), standing in for three Microsoft
 * endpoints so the bot runs against it unchanged:
 * - login.botframework.com's OpenID metadata and keys (`/botframework/v1/.well-known/…`): the keys
 *   that sign what the Bot Connector sends a bot. The local stack points the SDK's fixed
 *   login.botframework.com key URL here (local/botFrameworkKeys.ts), as a hosts entry would;
 * - the conversation API at the Teams serviceUrl (`/teams/v3/conversations…`): what the bot posts
 *   and updates, kept for tests to read. It wants the bot's own token: issued by the bot's home
 *   tenant for https://api.botframework.com, `appid`/`azp` the registered bot
 *   (https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication);
 * - Teams itself, through `/_sandbox/teams/…`: installing the app for a user and clicking a card's
 *   button as a given user, which sends the bot a signed activity as the Bot Connector does:
 *   `iss` https://api.botframework.com, `aud` the bot's app id, `serviceurl` claim.
 * State lives in memory (a restart forgets chats and cards, as a fresh tenant would not).
 */

export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
/** A channel of a team that has the app installed: what JIT_TEAMS_APPROVAL_CHANNEL names locally. */
export const SANDBOX_APPROVAL_CHANNEL = '19:jit-approvals@thread.tacv2';
const TOKEN_LIFETIME_SECONDS = 3600;

interface PostedActivity {
  id: string;
  /** The activity as last posted or updated. */
  activity: Record<string, unknown>;
  updates: number;
}

interface Conversation {
  readonly id: string;
  readonly type: 'personal' | 'channel';
  /** personal: the user's object id. */
  readonly aadObjectId?: string;
  readonly activities: PostedActivity[];
}

interface BotConnectorState {
  /** The Azure Bot's messaging endpoint (PUT /_sandbox/teams/bot). */
  endpoint?: string;
  readonly conversations: Map<string, Conversation>;
}

const states = new WeakMap<SandboxStore, BotConnectorState>();

function stateOf(store: SandboxStore): BotConnectorState {
  let state = states.get(store);
  if (state === undefined) {
    state = { conversations: new Map() };
    state.conversations.set(SANDBOX_APPROVAL_CHANNEL, {
      id: SANDBOX_APPROVAL_CHANNEL,
      type: 'channel',
      activities: [],
    });
    states.set(store, state);
  }
  return state;
}

export function serviceUrlOf(store: SandboxStore): string {
  return `${store.url}/teams/`;
}

function connectorError(status: number, code: string, message: string): SandboxResponse {
  return json(status, { error: { code, message } });
}

/** `/botframework/v1/.well-known/openidconfiguration` and `/keys`; undefined when the path is not ours. */
export function handleBotFrameworkMetadata(store: SandboxStore, req: SandboxRequest): SandboxResponse | undefined {
  const [first, version, wellKnown, leaf] = req.segments;
  if (first !== 'botframework' || version !== 'v1' || wellKnown !== '.well-known' || req.segments.length !== 4)
    return undefined;
  if (req.method !== 'GET') return connectorError(405, 'MethodNotAllowed', 'Only GET is supported.');
  if (leaf === 'openidconfiguration')
    return json(200, {
      issuer: BOT_FRAMEWORK_ISSUER,
      authorization_endpoint: 'https://invalid.botframework.com',
      jwks_uri: `${store.url}/botframework/v1/.well-known/keys`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    });
  if (leaf === 'keys')
    return json(200, { keys: [{ ...store.keys.publicJwk, x5t: store.keys.kid, endorsements: ['msteams'] }] });
  return undefined;
}

/** Checks the bot's own token on a conversation API call. */
async function checkBotToken(store: SandboxStore, authorization: string | undefined): Promise<string | undefined> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (token === undefined) return 'Authorization header not found.';
  try {
    const { payload } = await jwtVerify(token, store.keys.publicKey, {
      algorithms: ['RS256'],
      audience: BOT_CONNECTOR_RESOURCE,
      issuer: issuerFor(store.url, HOME_TENANT_ID),
    });
    const appId = payload.appid ?? payload.azp;
    if (appId !== TEAMS_BOT_APP.clientId) return `The token was issued to ${String(appId)}, not to the registered bot.`;
    return undefined;
  } catch (error) {
    if (error instanceof errors.JWTExpired) return 'The token has expired.';
    return 'The token is not valid.';
  }
}

const activityBodySchema = z.looseObject({ type: z.string().min(1) });

/** The conversation API under the Teams serviceUrl: `/teams/v3/conversations…`. */
export async function handleConversationApi(
  store: SandboxStore,
  req: SandboxRequest,
): Promise<SandboxResponse | undefined> {
  const [first, v3, conversations, conversationId, activities, activityId, ...rest] = req.segments;
  if (first !== 'teams' || v3 !== 'v3' || conversations !== 'conversations') return undefined;
  const refusal = await checkBotToken(store, req.headers.authorization);
  if (refusal !== undefined) return connectorError(401, 'Unauthorized', refusal);
  const state = stateOf(store);
  if (conversationId === undefined) {
    if (req.method !== 'POST') return connectorError(405, 'MethodNotAllowed', 'Only POST is supported.');
    return createConversation(state, req);
  }
  if (activities !== 'activities' || rest.length > 0) return connectorError(404, 'NotFound', 'No such resource.');
  const conversation = state.conversations.get(conversationId);
  // The bot can only post where it is a member (a chat or team where the app is installed).
  if (conversation === undefined)
    return connectorError(403, 'BotNotInConversationRoster', 'The bot is not part of the conversation roster.');
  let body: unknown;
  try {
    body = parseJsonBody(req.rawBody);
  } catch {
    return connectorError(400, 'BadArgument', 'The request body is not valid JSON.');
  }
  const parsed = activityBodySchema.safeParse(body);
  if (!parsed.success) return connectorError(400, 'BadArgument', 'Activity type is required.');
  if (activityId === undefined && req.method === 'POST') {
    const posted = { id: `1:${randomUUID()}`, activity: parsed.data, updates: 0 };
    conversation.activities.push(posted);
    return json(201, { id: posted.id });
  }
  if (activityId !== undefined && req.method === 'PUT') {
    const posted = conversation.activities.find((a) => a.id === activityId);
    if (posted === undefined) return connectorError(404, 'ActivityNotFound', 'The activity was not found.');
    posted.activity = parsed.data;
    posted.updates += 1;
    return json(200, { id: posted.id });
  }
  return connectorError(405, 'MethodNotAllowed', `${req.method} is not supported here.`);
}

const createConversationSchema = z.looseObject({
  isGroup: z.boolean().optional(),
  members: z.array(z.looseObject({ id: z.string(), aadObjectId: z.string().optional() })).min(1),
  tenantId: z.string().optional(),
  channelData: z.looseObject({ tenant: z.object({ id: z.string() }).optional() }).optional(),
});

/** POST /v3/conversations: a 1:1 chat with a user who has the app (Teams refuses others). */
function createConversation(state: BotConnectorState, req: SandboxRequest): SandboxResponse {
  let body: unknown;
  try {
    body = parseJsonBody(req.rawBody);
  } catch {
    return connectorError(400, 'BadArgument', 'The request body is not valid JSON.');
  }
  const parsed = createConversationSchema.safeParse(body);
  if (!parsed.success || parsed.data.members.length !== 1 || parsed.data.isGroup === true)
    return connectorError(400, 'BadArgument', 'Exactly one member is required for a personal conversation.');
  const member = parsed.data.members[0];
  const existing = [...state.conversations.values()].find(
    (c) =>
      c.type === 'personal' && (c.aadObjectId === member?.aadObjectId || teamsUserIdOf(c.aadObjectId) === member?.id),
  );
  if (existing === undefined)
    return connectorError(
      403,
      'Forbidden',
      'The bot is not installed for this user, so it cannot start a chat with them.',
    );
  return json(201, { id: existing.id });
}

function teamsUserIdOf(aadObjectId: string | undefined): string {
  return `29:${aadObjectId ?? ''}`;
}

// ---------- /_sandbox/teams: Teams and the Azure Bot's configuration, for tests and the walkthrough ----------

const botSchema = z.strictObject({ endpoint: z.url() });
const installSchema = z.strictObject({ user: z.string().min(1) });
const clickSchema = z.strictObject({
  user: z.string().min(1),
  conversationId: z.string().min(1),
  activityId: z.string().min(1),
  verb: z.string().min(1),
  comment: z.string().optional(),
  /** The action's data as the user's client has it (a stale copy); absent: read from the card as posted. */
  data: z.record(z.string(), z.unknown()).optional(),
  /** A serviceUrl other than the Bot Connector's, to see the bot refuse an activity its token was not issued for. */
  serviceUrl: z.url().optional(),
  /** How the token is spoiled, to see the bot refuse it; absent: signed as the Bot Connector signs. */
  token: z.enum(['none', 'expired', 'wrongAudience', 'untrusted']).optional(),
});

function parseBody<T>(schema: z.ZodType<T>, req: SandboxRequest): T | SandboxResponse {
  let body: unknown;
  try {
    body = parseJsonBody(req.rawBody) ?? {};
  } catch {
    return json(400, { error: 'request body is not valid JSON' });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    return json(400, {
      error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    });
  return parsed.data;
}

function findUser(store: SandboxStore, upn: string): { tenantId: string; id: string; displayName: string } | undefined {
  for (const tenant of store.state.tenants) {
    const user = tenant.users.find((u) => u.userPrincipalName.toLowerCase() === upn.toLowerCase());
    if (user !== undefined) return { tenantId: tenant.id, id: user.id, displayName: user.displayName };
  }
  return undefined;
}

async function tokenForBot(store: SandboxStore, spoil: z.infer<typeof clickSchema>['token']): Promise<string | null> {
  if (spoil === 'none') return null;
  const claims = {
    iss: BOT_FRAMEWORK_ISSUER,
    aud: spoil === 'wrongAudience' ? randomUUID() : TEAMS_BOT_APP.clientId,
    serviceurl: serviceUrlOf(store),
  };
  return mintToken({
    claims,
    key: spoil === 'untrusted' ? store.untrustedKeys : store.keys,
    // Past the SDK's 300 s clock tolerance.
    expiresInSeconds: spoil === 'expired' ? -900 : TOKEN_LIFETIME_SECONDS,
  });
}

async function sendToBot(
  store: SandboxStore,
  activity: Record<string, unknown>,
  spoil?: z.infer<typeof clickSchema>['token'],
): Promise<SandboxResponse> {
  const endpoint = stateOf(store).endpoint;
  if (endpoint === undefined) return json(409, { error: 'no bot endpoint: PUT /_sandbox/teams/bot {endpoint} first' });
  const token = await tokenForBot(store, spoil);
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token !== null ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(activity),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return json(200, { status: response.status, body });
}

function baseActivity(store: SandboxStore, user: { tenantId: string; id: string; displayName: string }) {
  return {
    channelId: 'msteams',
    serviceUrl: serviceUrlOf(store),
    timestamp: new Date().toISOString(),
    from: { id: teamsUserIdOf(user.id), name: user.displayName, aadObjectId: user.id },
    recipient: { id: `28:${TEAMS_BOT_APP.clientId}`, name: TEAMS_BOT_APP.displayName },
    channelData: { tenant: { id: user.tenantId } },
  };
}

export async function handleTeamsSandboxApi(
  store: SandboxStore,
  req: SandboxRequest,
): Promise<SandboxResponse | undefined> {
  const [sandbox, teams, leaf] = req.segments;
  if (sandbox !== '_sandbox' || teams !== 'teams' || req.segments.length !== 3) return undefined;
  const state = stateOf(store);
  if (leaf === 'bot' && req.method === 'PUT') {
    const body = parseBody(botSchema, req);
    if ('status' in body) return body;
    state.endpoint = body.endpoint;
    return json(200, { endpoint: body.endpoint, appId: TEAMS_BOT_APP.clientId, serviceUrl: serviceUrlOf(store) });
  }
  if (leaf === 'conversations' && req.method === 'GET')
    return json(200, {
      value: [...state.conversations.values()].map((c) => ({
        id: c.id,
        type: c.type,
        ...(c.aadObjectId !== undefined ? { aadObjectId: c.aadObjectId } : {}),
        activities: c.activities,
      })),
    });
  if (leaf === 'install' && req.method === 'POST') {
    const body = parseBody(installSchema, req);
    if ('status' in body) return body;
    const user = findUser(store, body.user);
    if (user === undefined) return json(404, { error: `no user ${body.user}` });
    let conversation = [...state.conversations.values()].find(
      (c) => c.type === 'personal' && c.aadObjectId === user.id,
    );
    if (conversation === undefined) {
      conversation = { id: `a:${randomUUID()}`, type: 'personal', aadObjectId: user.id, activities: [] };
      state.conversations.set(conversation.id, conversation);
    }
    const sent = await sendToBot(store, {
      ...baseActivity(store, user),
      type: 'installationUpdate',
      action: 'add',
      id: randomUUID(),
      conversation: { id: conversation.id, conversationType: 'personal', tenantId: user.tenantId },
    });
    return json(200, { conversationId: conversation.id, bot: sent.body });
  }
  if (leaf === 'click' && req.method === 'POST') {
    const body = parseBody(clickSchema, req);
    if ('status' in body) return body;
    const user = findUser(store, body.user);
    if (user === undefined) return json(404, { error: `no user ${body.user}` });
    const conversation = state.conversations.get(body.conversationId);
    const posted = conversation?.activities.find((a) => a.id === body.activityId);
    if (conversation === undefined || posted === undefined)
      return json(404, { error: `no activity ${body.activityId} in ${body.conversationId}` });
    const data = body.data ?? cardActionData(posted.activity, body.verb);
    return sendToBot(
      store,
      {
        ...baseActivity(store, user),
        ...(body.serviceUrl !== undefined ? { serviceUrl: body.serviceUrl } : {}),
        type: 'invoke',
        name: 'adaptiveCard/action',
        id: randomUUID(),
        replyToId: posted.id,
        conversation: {
          id: conversation.id,
          conversationType: conversation.type === 'personal' ? 'personal' : 'channel',
          tenantId: user.tenantId,
        },
        // Teams merges the card's inputs into the action's data.
        value: {
          action: {
            type: 'Action.Execute',
            verb: body.verb,
            data: { ...data, ...(body.comment !== undefined ? { comment: body.comment } : {}) },
          },
          trigger: 'manual',
        },
      },
      body.token,
    );
  }
  return json(404, { error: `no sandbox Teams endpoint for ${req.method} /${req.segments.join('/')}` });
}

/** The `data` of the card's Action.Execute with that verb (Approve, Deny, or the refresh action). */
function cardActionData(activity: Record<string, unknown>, verb: string): Record<string, unknown> {
  const attachments = z.array(z.looseObject({ content: z.looseObject({}).optional() })).safeParse(activity.attachments);
  const card = attachments.success ? attachments.data[0]?.content : undefined;
  const actionSchema = z.looseObject({
    verb: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  });
  const candidates = [
    ...z.array(actionSchema).catch([]).parse(card?.actions),
    ...(z.looseObject({ action: actionSchema }).safeParse(card?.refresh).data?.action !== undefined
      ? [z.looseObject({ action: actionSchema }).parse(card?.refresh).action]
      : []),
  ];
  return candidates.find((a) => a.verb === verb)?.data ?? candidates.find((a) => a.data !== undefined)?.data ?? {};
}
