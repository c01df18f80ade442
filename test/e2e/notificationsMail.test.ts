import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_GROUPS, HOME_TENANT, HOME_USERS, ROLE_TEMPLATES, seedAppOf } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { startTestStack, type TestStack } from '../support/stack';
import { connectHomeTenant, newTechnician, startReceiver, target, waitFor, type Received } from './workflowSupport';

/**
 * Email through Graph sendMail (the sandbox keeps what it accepted) and "ending soon" in every
 * channel, end to end through the HTTP API on the local stack. The ending-soon lead time is set to
 * 10 min 50 s, so an 11-minute lease is told it ends soon about 10 s after it starts.
 */
let t: TestStack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const MAILBOX = 'jit-notify@msp.example';
const PORTAL = 'https://portal.example/jit';
const LEAD_MS = 650_000;
const LONG = 'eleven-minutes';
const NAMED = 'named-approvers';
const ANY_APPROVER = 'any-approver';

interface SentMail {
  readonly tenantId: string;
  readonly from: string;
  readonly to: string[];
  readonly subject: string;
  readonly contentType: string;
  readonly content: string;
}

beforeAll(async () => {
  receiver = await startReceiver();
  process.env.JIT_NOTIFY_WEBHOOK_URL = `${receiver.url}/signed`;
  process.env.JIT_NOTIFY_WEBHOOK_SECRET = 'test-notification-signing-secret';
  process.env.JIT_NOTIFY_TEAMS_WEBHOOK_URL = `${receiver.url}/teams`;
  process.env.JIT_PUBLIC_BASE_URL = PORTAL;
  process.env.JIT_NOTIFY_MAIL_FROM = MAILBOX;
  process.env.JIT_NOTIFY_ENDING_SOON_BEFORE = 'PT10M50S';
  t = await startTestStack();
  const { deps } = getServices();
  await connectHomeTenant(deps);
  const mailbox = await t.client.sandbox('POST', `/_sandbox/tenants/${HOME_TENANT.id}/users`, {
    userPrincipalName: MAILBOX,
    groups: [],
  });
  expect(mailbox.status, mailbox.text).toBe(201);
  const role = [{ templateId: ROLE_TEMPLATES.helpdeskAdministrator }];
  await deps.config.createTarget(
    target({ tenantId: CONTOSO.id, targetId: LONG, roles: role, defaultDuration: 'PT11M', maxDuration: 'PT1H' }),
  );
  // Dave, and every member of "All technicians" (the requester too, who must not be asked).
  await deps.config.createTarget(
    target({
      tenantId: CONTOSO.id,
      targetId: NAMED,
      approval: {
        mode: 'required',
        approvers: [
          { type: 'user', id: HOME_USERS.dave.id },
          { type: 'group', id: HOME_GROUPS.allTechnicians.id },
        ],
        deadline: 'PT2M',
      },
    }),
  );
  await deps.config.createTarget(
    target({
      tenantId: CONTOSO.id,
      targetId: ANY_APPROVER,
      approval: { mode: 'required', approvers: [], deadline: 'PT2M' },
    }),
  );
  const now = new Date().toISOString();
  await deps.config.createRule({
    ruleId: 'technicians-mail',
    principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
    scope: { targets: [LONG, NAMED, ANY_APPROVER].map((targetId) => ({ tenantId: CONTOSO.id, targetId })) },
    createdAt: now,
    updatedAt: now,
  });
}, 90_000);

afterAll(async () => {
  await t?.stack.close();
  await receiver?.close();
  delete process.env.JIT_NOTIFY_MAIL_FROM;
  delete process.env.JIT_NOTIFY_ENDING_SOON_BEFORE;
});

async function mailAbout(requestId: string): Promise<SentMail[]> {
  const sent = await t.client.sandbox<{ value: SentMail[] }>('GET', '/_sandbox/mail');
  return sent.body.value.filter((m) => m.content.includes(requestId));
}

function webhooksFor(requestId: string, path: '/signed' | '/teams'): Received[] {
  return receiver.received.filter((r) => r.path === path && r.body.includes(requestId));
}

describe('email notifications', () => {
  it('tells the requester their lease ends soon, ahead by JIT_NOTIFY_ENDING_SOON_BEFORE, in every channel, with a link to extend it', async () => {
    const tech = await newTechnician(t.client, 'soon');
    const token = await t.client.token(tech.upn);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: LONG, duration: 'PT11M' },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);
    const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    const expiresAt = Date.parse(String(active.expiresAt));
    const reveal = await t.client.api<{ password: string }>('POST', `/requests/${id}/credential`, { token });
    expect(reveal.status, reveal.text).toBe(200);

    // The signed webhook: lease.ending_soon, sent when expiry minus the lead time came (not 10 minutes before).
    const signed = await waitFor(
      'ending_soon webhook',
      () => webhooksFor(id, '/signed').find((r) => r.headers['x-jit-event'] === 'ending_soon'),
      45_000,
    );
    const sentAt = Date.parse((JSON.parse(signed.body) as { notification: { at: string } }).notification.at);
    expect(Math.abs(expiresAt - LEAD_MS - sentAt)).toBeLessThan(8_000);
    // Teams: a card saying so, its button opening the request.
    const card = await waitFor('ending_soon card', () =>
      webhooksFor(id, '/teams').find((r) => r.body.includes('Access ends soon')),
    );
    expect(card.body).toContain(`${PORTAL}/requests/${id}`);
    // Email: to the requester, from the home tenant's mailbox, plain text, with the link to extend.
    const soon = await waitFor('ending soon mail', async () =>
      (await mailAbout(id)).find((m) => m.subject.startsWith('Ending soon')),
    );
    expect(soon).toMatchObject({ tenantId: HOME_TENANT.id, from: MAILBOX, to: [tech.upn], contentType: 'text' });
    expect(soon.content).toContain(`Extend it: ${PORTAL}/requests/${id}`);
    expect(soon.content).toContain(`ends at ${new Date(expiresAt).toISOString()}`);

    const revoke = await t.client.api('POST', `/requests/${id}/revoke`, { token, body: { reason: 'done' } });
    expect(revoke.status, revoke.text).toBe(202);
    await waitFor('ended mail', async () =>
      (await mailAbout(id)).some((m) => m.subject.startsWith('Ended')) ? true : undefined,
    );
    expect((await mailAbout(id)).map((m) => m.subject.split(':')[0])).toEqual(['Granted', 'Ending soon', 'Ended']);
    // Never a credential in a message.
    expect(
      (await mailAbout(id)).some(
        (m) => m.content.includes(reveal.body.password) || m.subject.includes(reveal.body.password),
      ),
    ).toBe(false);
    expect(receiver.received.some((r) => r.body.includes(reveal.body.password))).toBe(false);
  }, 90_000);

  it("emails the target's named approvers (users and group members, never the requester), then the requester the decision", async () => {
    const tech = await newTechnician(t.client, 'named');
    const token = await t.client.token(tech.upn);
    const justification = 'INC-7 <b>now</b> [x](https://evil.example)';
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: NAMED, duration: 'PT1H', justification },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);

    const ask = await waitFor('approval mail', async () =>
      (await mailAbout(id)).find((m) => m.subject.startsWith('Approval needed')),
    );
    expect(ask.to).toEqual(
      expect.arrayContaining([HOME_USERS.dave.userPrincipalName, HOME_USERS.alice.userPrincipalName]),
    );
    expect(ask.to).not.toContain(tech.upn);
    expect(new Set(ask.to.map((a) => a.toLowerCase())).size).toBe(ask.to.length);
    expect(ask.contentType).toBe('text');
    // As written, but with no URL left for a mail client to make a link of.
    expect(ask.content).toContain('Justification: INC-7 <b>now</b> [x](https[:]//evil.example)');
    expect(ask.content).toContain(`Approve or deny it: ${PORTAL}/requests/${id}`);

    const dave = await t.client.token(HOME_USERS.dave.userPrincipalName);
    const deny = await t.client.api('POST', `/requests/${id}/deny`, { token: dave, body: { comment: 'not now' } });
    expect(deny.status, deny.text).toBe(202);
    const denied = await waitFor('denied mail', async () =>
      (await mailAbout(id)).find((m) => m.subject.startsWith('Denied')),
    );
    expect(denied.to).toEqual([tech.upn]);
    expect(denied.content).toContain(`denied by ${HOME_USERS.dave.userPrincipalName}`);
  }, 60_000);

  it('emails the holders of Jit.Approver when the target names no approver', async () => {
    const tech = await newTechnician(t.client, 'any');
    const token = await t.client.token(tech.upn);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: ANY_APPROVER, duration: 'PT1H' },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);
    const ask = await waitFor('approval mail', async () =>
      (await mailAbout(id)).find((m) => m.subject.startsWith('Approval needed')),
    );
    expect(ask.to).toEqual([HOME_USERS.bob.userPrincipalName]);
    const withdraw = await t.client.api('POST', `/requests/${id}/revoke`, { token, body: {} });
    expect(withdraw.status, withdraw.text).toBe(202);
  }, 60_000);

  it("is best effort: when Graph refuses the mail (the home tenant's app lost Mail.Send), the lease goes ahead, the webhooks are sent, the failure is logged", async () => {
    const tech = await newTechnician(t.client, 'down');
    const token = await t.client.token(tech.upn);
    const app = seedAppOf(HOME_TENANT);
    const { directories } = getServices().deps;
    const withoutMail = await t.client.sandbox('PATCH', `/_sandbox/tenants/${HOME_TENANT.id}/apps/${app.clientId}`, {
      appPermissions: app.appPermissions.filter((p) => p !== 'Mail.Send'),
    });
    expect(withoutMail.status, withoutMail.text).toBe(204);
    // The next token of the home tenant carries the permissions as they are now.
    directories.forget(HOME_TENANT.id);
    let id: string;
    try {
      const submit = await t.client.api('POST', '/requests', {
        token,
        body: { tenantId: CONTOSO.id, targetId: LONG, duration: 'PT11M' },
      });
      expect(submit.status, submit.text).toBe(202);
      id = String(submit.body.id);
      await t.client.waitForRequest(id, token, (r) => r.status === 'active');
      await waitFor('active webhook', () =>
        webhooksFor(id, '/signed').find((r) => r.headers['x-jit-event'] === 'active'),
      );
      const logged = await waitFor('mail failure logged', () =>
        t.logs
          .map((l) => l.message)
          .find((l) => l.includes('notification_failed') && l.includes(id) && l.includes('"channel":"mail"')),
      );
      expect(logged).toContain('Mail.Send');
      expect(await mailAbout(id)).toEqual([]);
    } finally {
      await t.client.sandbox('PATCH', `/_sandbox/tenants/${HOME_TENANT.id}/apps/${app.clientId}`, {
        appPermissions: [...app.appPermissions],
      });
      directories.forget(HOME_TENANT.id);
    }
    const revoke = await t.client.api('POST', `/requests/${id}/revoke`, { token, body: {} });
    expect(revoke.status, revoke.text).toBe(202);
    await t.client.waitForRequest(id, token, (r) => r.status === 'ended');
    // Mail works again once the permission is back.
    await waitFor('ended mail', async () =>
      (await mailAbout(id)).some((m) => m.subject.startsWith('Ended')) ? true : undefined,
    );
  }, 60_000);
});
