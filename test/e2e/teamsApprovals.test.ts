import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_APPROVAL_CHANNEL } from '../../local/sandbox/botConnector';
import { CONTOSO, HOME_GROUPS, HOME_TENANT, HOME_TENANT_ID, HOME_USERS, TEAMS_BOT_APP } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { startTestStack, type TestStack } from '../support/stack';
import { connectHomeTenant, newTechnician, target, waitFor } from './workflowSupport';

/**
 * Approving from Microsoft Teams, end to end on the local stack: the bot posts the approval card
 * to bob's personal chat and the approval channel through the sandbox's Bot Connector; clicks
 * arrive as signed `adaptiveCard/action` invokes, exactly as Teams sends them, at POST /api/messages.
 */
let t: TestStack;
const TARGET = 'teams-approved';
const BOB = HOME_USERS.bob.userPrincipalName;
const DAVE = HOME_USERS.dave.userPrincipalName;
/** Stage 1: dave; stage 2: bob (who installed the Teams app). */
const STAGED = 'teams-staged';
const MAILBOX = 'jit-notify@msp.example';

interface SentMail {
  readonly to: string[];
  readonly content: string;
}

interface PostedActivity {
  id: string;
  activity: { attachments?: { content: unknown }[] };
  updates: number;
}
interface SandboxConversation {
  id: string;
  type: 'personal' | 'channel';
  aadObjectId?: string;
  activities: PostedActivity[];
}
interface InvokeAnswer {
  status: number;
  body: { statusCode?: number; type?: string; value?: unknown } | string | null;
}

beforeAll(async () => {
  process.env.JIT_NOTIFY_MAIL_FROM = MAILBOX;
  t = await startTestStack();
  const { deps } = getServices();
  await connectHomeTenant(deps);
  const mailbox = await t.client.sandbox('POST', `/_sandbox/tenants/${HOME_TENANT.id}/users`, {
    userPrincipalName: MAILBOX,
    groups: [],
  });
  expect(mailbox.status, mailbox.text).toBe(201);
  await deps.config.createTarget(
    target({
      tenantId: CONTOSO.id,
      targetId: STAGED,
      approval: {
        mode: 'required',
        stages: [
          { name: 'Team lead', approvers: [{ type: 'user', id: HOME_USERS.dave.id }], approvalsRequired: 1 },
          { name: 'Security', approvers: [{ type: 'user', id: HOME_USERS.bob.id }], approvalsRequired: 1 },
        ],
        deadline: 'PT5M',
      },
    }),
  );
  await deps.config.createTarget(
    target({
      tenantId: CONTOSO.id,
      targetId: TARGET,
      approval: { mode: 'required', approvers: [], deadline: 'PT5M' },
    }),
  );
  const now = new Date().toISOString();
  await deps.config.createRule({
    ruleId: 'technicians-teams',
    principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
    scope: { targets: [TARGET, STAGED].map((targetId) => ({ tenantId: CONTOSO.id, targetId })) },
    createdAt: now,
    updatedAt: now,
  });
  const installed = await t.client.sandbox<{ bot: { status: number } }>('POST', '/_sandbox/teams/install', {
    user: BOB,
  });
  expect(installed.status, installed.text).toBe(200);
  expect(installed.body.bot.status, JSON.stringify(installed.body)).toBe(200);
}, 90_000);

afterAll(async () => {
  await t?.stack.close();
  delete process.env.JIT_NOTIFY_MAIL_FROM;
});

/** The approval emails about the request sent to this address (the sandbox keeps what Graph sendMail accepted). */
async function mailTo(upn: string, requestId: string): Promise<SentMail[]> {
  const sent = await t.client.sandbox<{ value: SentMail[] }>('GET', '/_sandbox/mail');
  expect(sent.status, sent.text).toBe(200);
  return sent.body.value.filter(
    (m) => m.content.includes(requestId) && m.to.some((to) => to.toLowerCase() === upn.toLowerCase()),
  );
}

async function conversations(): Promise<SandboxConversation[]> {
  const answer = await t.client.sandbox<{ value: SandboxConversation[] }>('GET', '/_sandbox/teams/conversations');
  expect(answer.status).toBe(200);
  return answer.body.value;
}

/** The copies of the request's card: one per conversation it was posted to. */
async function copiesOf(requestId: string): Promise<{ conversation: SandboxConversation; posted: PostedActivity }[]> {
  return (await conversations()).flatMap((conversation) =>
    conversation.activities
      .filter((a) => JSON.stringify(a.activity).includes(requestId))
      .map((posted) => ({ conversation, posted })),
  );
}

async function pendingRequest(): Promise<{ id: string; token: string; tech: { upn: string; id: string } }> {
  const tech = await newTechnician(t.client, 'teams');
  const token = await t.client.token(tech.upn);
  const submit = await t.client.api('POST', '/requests', {
    token,
    body: { tenantId: CONTOSO.id, targetId: TARGET, duration: 'PT30M', justification: 'printer queue stuck' },
  });
  expect(submit.status, submit.text).toBe(202);
  expect(submit.body.status).toBe('pending_approval');
  return { id: String(submit.body.id), token, tech };
}

async function click(
  user: string,
  copy: { conversation: SandboxConversation; posted: PostedActivity },
  verb: string,
  extra: {
    comment?: string;
    data?: Record<string, unknown>;
    serviceUrl?: string;
    token?: 'none' | 'expired' | 'wrongAudience' | 'untrusted';
  } = {},
): Promise<InvokeAnswer> {
  const answer = await t.client.sandbox<InvokeAnswer>('POST', '/_sandbox/teams/click', {
    user,
    conversationId: copy.conversation.id,
    activityId: copy.posted.id,
    verb,
    ...extra,
  });
  expect(answer.status, answer.text).toBe(200);
  return answer.body;
}

function cardText(answer: InvokeAnswer): string {
  expect(answer.status).toBe(200);
  expect(typeof answer.body === 'object' && answer.body?.type, JSON.stringify(answer.body)).toBe(
    'application/vnd.microsoft.card.adaptive',
  );
  return JSON.stringify(typeof answer.body === 'object' ? answer.body?.value : null);
}

async function statusOf(id: string, token: string): Promise<string> {
  const read = await t.client.api('GET', `/requests/${id}`, { token });
  expect(read.status, read.text).toBe(200);
  return String(read.body.status);
}

describe('approving from Teams', () => {
  it('posts the card to bob and the channel; a signed click as bob approves in place, the request goes active, and every copy says who decided', async () => {
    const { id, token } = await pendingRequest();
    const copies = await waitFor(
      'the approval cards',
      async () => {
        const found = await copiesOf(id);
        return found.length >= 2 ? found : undefined;
      },
      30_000,
    );
    const bobsChat = copies.find((c) => c.conversation.type === 'personal');
    const channel = copies.find((c) => c.conversation.id === SANDBOX_APPROVAL_CHANNEL);
    expect(bobsChat?.conversation.aadObjectId).toBe(HOME_USERS.bob.id);
    expect(channel).toBeDefined();
    const posted = JSON.stringify(bobsChat?.posted.activity);
    expect(posted).toContain('"verb":"refresh"');
    expect(posted).toContain(`"userIds":["29:${HOME_USERS.bob.id}"]`);
    expect(posted).toContain('printer queue stuck');

    // Bob's client refreshes the card: his own view has the buttons and the comment field.
    const mine = cardText(await click(BOB, bobsChat!, 'refresh'));
    expect(mine).toContain('"verb":"approve"');
    expect(mine).toContain('"type":"Input.Text"');

    const approved = cardText(await click(BOB, bobsChat!, 'approve', { comment: 'ok from Teams' }));
    expect(approved).toContain(`Approved by ${BOB}`);
    expect(approved).not.toContain('"verb":"approve"');
    await t.client.waitForRequest(id, token, (r) => r.status === 'active');

    const updated = await copiesOf(id);
    expect(updated).toHaveLength(2);
    for (const copy of updated) {
      expect(copy.posted.updates).toBe(1);
      expect(JSON.stringify(copy.posted.activity)).toContain(`Approved by ${BOB}`);
    }
    const read = await t.client.api<{ decision: { by: string; comment: string; at: string } }>(
      'GET',
      `/requests/${id}`,
      {
        token,
      },
    );
    expect(read.body.decision).toMatchObject({ by: BOB, comment: 'ok from Teams' });

    // A second click on a stale copy (its buttons still shown) decides nothing again.
    const again = cardText(await click(BOB, channel!, 'deny', { data: { requestId: id } }));
    expect(again).toContain(`Approved by ${BOB}`);
    const after = await t.client.api<{ decision: { at: string }; status: string }>('GET', `/requests/${id}`, { token });
    expect(after.body.decision.at).toBe(read.body.decision.at);
    expect(after.body.status).toBe('active');

    // The bot's secret (and so its Bot Connector tokens) never reaches the logs.
    expect(JSON.stringify(t.logs)).not.toContain(TEAMS_BOT_APP.clientSecret);

    const audit = await getServices().deps.audit.list({ requestId: id }, { limit: 50 });
    expect(audit.items.map((a) => [a.action, a.details.channel ?? null])).toContainEqual([
      'teams.card_action',
      'teams',
    ]);
  });

  it('decides nothing for the requester, a non-approver or another tenant’s user, and says why on the card', async () => {
    const { id, token, tech } = await pendingRequest();
    const copies = await waitFor(
      'the approval cards',
      async () => {
        const found = await copiesOf(id);
        return found.length >= 2 ? found : undefined;
      },
      30_000,
    );
    const channel = copies.find((c) => c.conversation.id === SANDBOX_APPROVAL_CHANNEL)!;

    const own = cardText(await click(tech.upn, channel, 'approve'));
    expect(own).toContain('Nothing was decided: you cannot decide your own request');
    const erin = cardText(await click(HOME_USERS.erin.userPrincipalName, channel, 'approve'));
    expect(erin).toContain('Nothing was decided: only holders of Jit.Approver');
    const outsider = cardText(await click('staff@contoso.example', channel, 'approve'));
    expect(outsider).toContain('Nothing was decided: only users of the service provider');
    // A non-approver's own view has no buttons.
    expect(cardText(await click(HOME_USERS.erin.userPrincipalName, channel, 'refresh'))).not.toContain(
      '"verb":"approve"',
    );

    expect(await statusOf(id, token)).toBe('pending_approval');
    for (const copy of await copiesOf(id)) expect(copy.posted.updates).toBe(0);
  });

  it('refuses activities without a valid Bot Framework token (401), deciding nothing', async () => {
    const { id, token } = await pendingRequest();
    const copies = await waitFor(
      'the approval cards',
      async () => {
        const found = await copiesOf(id);
        return found.length >= 2 ? found : undefined;
      },
      30_000,
    );
    const bobsChat = copies.find((c) => c.conversation.type === 'personal')!;
    for (const spoiled of ['none', 'expired', 'wrongAudience', 'untrusted'] as const) {
      const answer = await click(BOB, bobsChat, 'approve', { token: spoiled });
      expect(answer.status, `${spoiled}: ${JSON.stringify(answer.body)}`).toBe(401);
    }

    // A home-tenant user's own Entra token for the bot's app id is not the Bot Connector's.
    const userToken = await t.client.token(BOB, { audience: TEAMS_BOT_APP.clientId });
    const forged = await t.client.api('POST', '/messages', {
      token: userToken,
      body: {
        type: 'invoke',
        name: 'adaptiveCard/action',
        channelId: 'msteams',
        serviceUrl: `${t.stack.sandboxUrl}/teams/`,
        from: { id: `29:${HOME_USERS.bob.id}`, aadObjectId: HOME_USERS.bob.id },
        conversation: { id: bobsChat.conversation.id },
        channelData: { tenant: { id: HOME_TENANT_ID } },
        value: { action: { type: 'Action.Execute', verb: 'approve', data: { requestId: id } } },
      },
    });
    expect(forged.status, forged.text).toBe(401);
    expect(forged.body.detail).toMatch(/^Bot Framework token refused/);
    expect(forged.text).not.toContain(userToken);

    // A Bot Connector token, but the activity names another serviceUrl (where the bot would send its answers and token).
    const elsewhere = await click(BOB, bobsChat, 'approve', { serviceUrl: 'https://attacker.example/teams/' });
    expect(elsewhere.status, JSON.stringify(elsewhere.body)).toBe(401);

    expect(await statusOf(id, token)).toBe('pending_approval');
  });

  it('tells each stage its turn: stage 1 at submission, stage 2 once (mail and a card) when stage 1 approves; the posted copies say so', async () => {
    const tech = await newTechnician(t.client, 'staged');
    const token = await t.client.token(tech.upn);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: STAGED, duration: 'PT30M', justification: 'two stages' },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);

    // At submission: dave (stage 1) is mailed, bob (stage 2) is neither mailed nor sent a card.
    await waitFor('stage 1 mail to dave', async () => ((await mailTo(DAVE, id)).length > 0 ? true : undefined), 30_000);
    const channel = await waitFor(
      'the channel copy',
      async () => (await copiesOf(id)).find((c) => c.conversation.id === SANDBOX_APPROVAL_CHANNEL),
      30_000,
    );
    expect(await mailTo(BOB, id)).toEqual([]);
    expect((await copiesOf(id)).filter((c) => c.conversation.type === 'personal')).toEqual([]);
    // Not bob's turn yet: his view of the card has no buttons.
    expect(cardText(await click(BOB, channel, 'refresh'))).not.toContain('"verb":"approve"');

    const dave = await t.client.token(DAVE);
    const lead = await t.client.api('POST', `/requests/${id}/approve`, { token: dave, body: {} });
    expect(lead.status, lead.text).toBe(202);

    // Stage 2 begins: bob gets the mail and a card in his chat; the channel copy says who approved stage 1.
    await waitFor('stage 2 mail to bob', async () => ((await mailTo(BOB, id)).length > 0 ? true : undefined), 30_000);
    const bobsChat = await waitFor(
      'bob’s card',
      async () => (await copiesOf(id)).find((c) => c.conversation.type === 'personal'),
      30_000,
    );
    expect(bobsChat.conversation.aadObjectId).toBe(HOME_USERS.bob.id);
    const updatedChannel = (await copiesOf(id)).find((c) => c.conversation.id === SANDBOX_APPROVAL_CHANNEL)!;
    expect(updatedChannel.posted.updates).toBe(1);
    expect(JSON.stringify(updatedChannel.posted.activity)).toContain(
      `Stage 1 approved by ${DAVE}; waiting for stage 2 (Security).`,
    );
    // Bob now has the buttons; dave, whose stage is done, sees it read-only.
    expect(cardText(await click(BOB, bobsChat, 'refresh'))).toContain('"verb":"approve"');
    expect(cardText(await click(DAVE, updatedChannel, 'refresh'))).not.toContain('"verb":"approve"');

    expect(cardText(await click(BOB, bobsChat, 'approve'))).toContain(`Approved by ${BOB}`);
    await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    // Told once: no second mail to bob, and dave was asked only for stage 1.
    expect(await mailTo(BOB, id)).toHaveLength(1);
    expect(await mailTo(DAVE, id)).toHaveLength(1);
  });
});
