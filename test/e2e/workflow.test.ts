import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_GROUPS, HOME_USERS, ROLE_TEMPLATES } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { startTestStack, type TestStack } from '../support/stack';
import { newTechnician, startReceiver, target, waitFor, type Received } from './workflowSupport';

/**
 * Approvals, extension, withdrawal and listing, end to end through the HTTP API on the local
 * stack, with notifications caught by a local receiver standing in for Teams and a webhook consumer.
 */
let t: TestStack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const NOTIFY_SECRET = 'test-notification-signing-secret';
const APPROVAL = 'needs-approval';
const QUICK_APPROVAL = 'approval-times-out';
const LISTED = 'listed-approver';
const EXTENDABLE = 'extendable';

beforeAll(async () => {
  receiver = await startReceiver();
  process.env.JIT_NOTIFY_WEBHOOK_URL = `${receiver.url}/signed`;
  process.env.JIT_NOTIFY_WEBHOOK_SECRET = NOTIFY_SECRET;
  process.env.JIT_NOTIFY_TEAMS_WEBHOOK_URL = `${receiver.url}/teams`;
  process.env.JIT_PUBLIC_BASE_URL = 'https://portal.example/jit';
  t = await startTestStack();
  const { config } = getServices().deps;
  const role = [{ templateId: ROLE_TEMPLATES.helpdeskAdministrator }];
  await config.createTarget(
    target({
      tenantId: CONTOSO.id,
      targetId: APPROVAL,
      roles: role,
      approval: { mode: 'required', approvers: [], deadline: 'PT2M' },
    }),
  );
  await config.createTarget(
    target({
      tenantId: CONTOSO.id,
      targetId: QUICK_APPROVAL,
      approval: { mode: 'required', approvers: [], deadline: 'PT2S' },
    }),
  );
  // Only Dave may decide this one (a listed user), not Bob the Jit.Approver.
  await config.createTarget(
    target({
      tenantId: CONTOSO.id,
      targetId: LISTED,
      approval: { mode: 'required', approvers: [{ type: 'user', id: HOME_USERS.dave.id }], deadline: 'PT2M' },
    }),
  );
  // Leases of seconds, with a maximum total of 25 s (extend by 10 s twice fits, a third does not).
  await config.createTarget(
    target({ tenantId: CONTOSO.id, targetId: EXTENDABLE, roles: role, defaultDuration: 'PT5S', maxDuration: 'PT25S' }),
  );
  const now = new Date().toISOString();
  await config.createRule({
    ruleId: 'technicians-workflow',
    principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
    scope: {
      targets: [APPROVAL, QUICK_APPROVAL, LISTED, EXTENDABLE].map((targetId) => ({ tenantId: CONTOSO.id, targetId })),
    },
    createdAt: now,
    updatedAt: now,
  });
  // Bob (Jit.Approver) may request the approval target too: to show he cannot approve himself.
  await config.createRule({
    ruleId: 'bob-approval',
    principal: { type: 'user', id: HOME_USERS.bob.id },
    scope: { targets: [{ tenantId: CONTOSO.id, targetId: APPROVAL }] },
    createdAt: now,
    updatedAt: now,
  });
}, 90_000);

afterAll(async () => {
  await t?.stack.close();
  await receiver?.close();
});

function notificationsFor(requestId: string, path: '/signed' | '/teams'): Received[] {
  return receiver.received.filter((r) => r.path === path && r.body.includes(requestId));
}

function kindsFor(requestId: string): string[] {
  return notificationsFor(requestId, '/signed').map((r) => String(r.headers['x-jit-event']));
}

describe('approvals', () => {
  it('waits for approval, an approver approves, it is provisioned; Teams and the signed webhook hear every step', async () => {
    const tech = await newTechnician(t.client, 'appr');
    const token = await t.client.token(tech.upn);
    const bob = await t.client.token(HOME_USERS.bob.userPrincipalName);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: {
        tenantId: CONTOSO.id,
        targetId: APPROVAL,
        duration: 'PT1H',
        justification: 'INC-1 [click](https://evil) **x**',
      },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);
    expect(submit.body).toMatchObject({ status: 'pending_approval', approvalRequired: true });

    // Nothing is provisioned while it waits.
    await waitFor('pending notification', () => (kindsFor(id).includes('pending_approval') ? true : undefined));
    expect((await t.client.api('GET', `/requests/${id}`, { token })).body.status).toBe('pending_approval');

    // Bob sees it among the requests awaiting him; the requester does not.
    const awaiting = await t.client.api<{ items: { id: string }[] }>('GET', '/requests?awaiting=me', { token: bob });
    expect(awaiting.status, awaiting.text).toBe(200);
    expect(awaiting.body.items.map((r) => r.id)).toContain(id);
    expect(
      (await t.client.api<{ items: { id: string }[] }>('GET', '/requests?awaiting=me', { token })).body.items.map(
        (r) => r.id,
      ),
    ).not.toContain(id);

    // A technician who is not an approver is refused.
    const other = await t.client.token((await newTechnician(t.client, 'other')).upn);
    expect((await t.client.api('POST', `/requests/${id}/approve`, { token: other, body: {} })).status).toBe(403);

    const approveStarted = Date.now();
    const approve = await t.client.api('POST', `/requests/${id}/approve`, {
      token: bob,
      body: { comment: 'ok for INC-1' },
    });
    console.log(`approve answered with the recorded decision: ${Date.now() - approveStarted} ms`);
    expect(approve.status, approve.text).toBe(202);
    // The answer shows the decision as recorded (who and when), and where to follow the request.
    expect(approve.headers.get('location')).toBe(`${t.client.apiBaseUrl}/requests/${id}`);
    expect(approve.body).toMatchObject({
      id,
      decision: { approved: true, by: HOME_USERS.bob.userPrincipalName, comment: 'ok for INC-1' },
    });
    expect(['provisioning', 'active']).toContain(approve.body.status);
    expect(Date.parse(String((approve.body.decision as { at?: string } | null)?.at))).not.toBeNaN();
    const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    expect(active.decision).toMatchObject({
      approved: true,
      by: HOME_USERS.bob.userPrincipalName,
      comment: 'ok for INC-1',
    });
    const reveal = await t.client.api<{ password: string }>('POST', `/requests/${id}/credential`, { token });
    expect(reveal.status, reveal.text).toBe(200);

    // Deciding again: no longer pending.
    const again = await t.client.api('POST', `/requests/${id}/deny`, { token: bob, body: {} });
    expect(again.status, again.text).toBe(409);

    // The revoke answer shows the lease ending, by whom (UPN) and why; the ended request keeps both.
    const revokeStarted = Date.now();
    const revoke = await t.client.api('POST', `/requests/${id}/revoke`, { token, body: { reason: 'done' } });
    console.log(`revoke answered with the recorded revocation: ${Date.now() - revokeStarted} ms`);
    expect(revoke.status, revoke.text).toBe(202);
    expect(revoke.headers.get('location')).toBe(`${t.client.apiBaseUrl}/requests/${id}`);
    expect(revoke.body).toMatchObject({ id, revokedBy: tech.upn, revokeReason: 'done' });
    expect(['revoking', 'ended']).toContain(revoke.body.status);
    expect(await t.client.waitForRequest(id, token, (r) => r.status === 'ended')).toMatchObject({
      endReason: 'revoked',
      revokedBy: tech.upn,
      revokeReason: 'done',
    });
    await waitFor('ended notification', () => (kindsFor(id).includes('ended') ? true : undefined));
    expect(kindsFor(id)).toEqual(['pending_approval', 'approved', 'active', 'ended']);

    // The signed webhook verifies with the shared secret; the Teams card names the request and links to it.
    for (const n of notificationsFor(id, '/signed')) {
      const timestamp = String(n.headers['x-jit-timestamp']);
      const expected = `sha256=${createHmac('sha256', NOTIFY_SECRET).update(`${timestamp}.${n.body}`).digest('hex')}`;
      expect(n.headers['x-jit-signature']).toBe(expected);
      expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(300);
    }
    const card = JSON.parse(notificationsFor(id, '/teams')[0]?.body ?? '{}') as {
      attachments: { contentType: string; content: { actions: { url: string }[] } }[];
    };
    expect(card.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.attachments[0]?.content.actions[0]?.url).toBe(`https://portal.example/jit/requests/${id}`);
    // The requester's text arrives escaped: Teams shows it as written, not as a link or bold text.
    const teamsBody = notificationsFor(id, '/teams')[0]?.body ?? '';
    expect(teamsBody).toContain(JSON.stringify('INC\\-1 \\[click\\]\\(https\\:\\/\\/evil\\) \\*\\*x\\*\\*'));
    expect(teamsBody).not.toContain('[click](');
    // Never a credential in a notification.
    expect(receiver.received.some((n) => n.body.includes(reveal.body.password))).toBe(false);
  });

  it('a denied request ends without anything provisioned, and frees the account for a new request', async () => {
    const tech = await newTechnician(t.client, 'deny');
    const token = await t.client.token(tech.upn);
    const bob = await t.client.token(HOME_USERS.bob.userPrincipalName);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: APPROVAL },
    });
    const id = String(submit.body.id);
    const deny = await t.client.api('POST', `/requests/${id}/deny`, { token: bob, body: { comment: 'no ticket' } });
    expect(deny.status, deny.text).toBe(202);
    expect(deny.body).toMatchObject({
      status: 'ended',
      endReason: 'denied',
      decision: { approved: false, by: HOME_USERS.bob.userPrincipalName, comment: 'no ticket' },
    });
    const ended = await t.client.waitForRequest(id, token, (r) => r.status === 'ended');
    expect(ended).toMatchObject({
      endReason: 'denied',
      account: null,
      activatedAt: null,
      decision: { approved: false, comment: 'no ticket' },
    });
    const state = await t.client.state();
    expect(
      state.tenants
        .find((x) => x.id === CONTOSO.id)
        ?.users.some((u) => u.userPrincipalName.startsWith(`jit-${tech.upn.split('@')[0]}`)),
    ).toBe(false);
    await waitFor('denied notification', () => (kindsFor(id).includes('denied') ? true : undefined));
    const next = await t.client.api('POST', '/requests', { token, body: { tenantId: CONTOSO.id, targetId: APPROVAL } });
    expect(next.status, next.text).toBe(202);
    expect((await t.client.api('POST', `/requests/${String(next.body.id)}/revoke`, { token, body: {} })).status).toBe(
      202,
    );
    await t.client.waitForRequest(String(next.body.id), token, (r) => r.status === 'ended');
  });

  it('ends with approval_expired when nobody decides before the deadline', async () => {
    const token = await t.client.token((await newTechnician(t.client, 'late')).upn);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: QUICK_APPROVAL },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);
    const ended = await t.client.waitForRequest(id, token, (r) => r.status === 'ended', 20_000);
    expect(ended).toMatchObject({ endReason: 'approval_expired', account: null });
    const bob = await t.client.token(HOME_USERS.bob.userPrincipalName);
    expect((await t.client.api('POST', `/requests/${id}/approve`, { token: bob, body: {} })).status).toBe(409);
  });

  it('refuses self-approval whatever the roles, and only listed approvers decide when the target names them', async () => {
    const bob = await t.client.token(HOME_USERS.bob.userPrincipalName);
    const own = await t.client.api('POST', '/requests', {
      token: bob,
      body: { tenantId: CONTOSO.id, targetId: APPROVAL },
    });
    expect(own.status, own.text).toBe(202);
    const ownId = String(own.body.id);
    const self = await t.client.api('POST', `/requests/${ownId}/approve`, { token: bob, body: {} });
    expect(self.status, self.text).toBe(403);
    expect(String(self.body.detail)).toMatch(/own request/);
    expect(
      (await t.client.api<{ items: { id: string }[] }>('GET', '/requests?awaiting=me', { token: bob })).body.items.map(
        (r) => r.id,
      ),
    ).not.toContain(ownId);
    expect((await t.client.api('GET', `/requests/${ownId}`, { token: bob })).body.status).toBe('pending_approval');
    // Withdrawn while pending: ended without provisioning.
    const withdraw = await t.client.api('POST', `/requests/${ownId}/revoke`, {
      token: bob,
      body: { reason: 'not needed' },
    });
    expect(withdraw.status, withdraw.text).toBe(202);
    const withdrawn = {
      status: 'ended',
      endReason: 'withdrawn',
      account: null,
      revokedBy: HOME_USERS.bob.userPrincipalName,
      revokeReason: 'not needed',
    };
    expect(withdraw.body).toMatchObject(withdrawn);
    expect(await t.client.waitForRequest(ownId, bob, (r) => r.status === 'ended')).toMatchObject(withdrawn);

    const token = await t.client.token((await newTechnician(t.client, 'listed')).upn);
    const listed = await t.client.api('POST', '/requests', { token, body: { tenantId: CONTOSO.id, targetId: LISTED } });
    const id = String(listed.body.id);
    expect((await t.client.api('POST', `/requests/${id}/approve`, { token: bob, body: {} })).status).toBe(403);
    const dave = await t.client.token(HOME_USERS.dave.userPrincipalName);
    expect((await t.client.api('POST', `/requests/${id}/deny`, { token: dave, body: {} })).status).toBe(202);
    expect(await t.client.waitForRequest(id, token, (r) => r.status === 'ended')).toMatchObject({
      endReason: 'denied',
    });
  });
});

describe('extension', () => {
  it('extends within the cap without dropping access, refuses above the cap naming it, and the credential expiry follows', async () => {
    const tech = await newTechnician(t.client, 'ext');
    const token = await t.client.token(tech.upn);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: EXTENDABLE },
    });
    const id = String(submit.body.id);
    const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    const account = active.account as { objectId: string };
    const firstExpiry = Date.parse(String(active.expiresAt));

    const extend = await t.client.api('POST', `/requests/${id}/extend`, { token, body: { duration: 'PT10S' } });
    expect(extend.status, extend.text).toBe(202);
    const extended = await t.client.waitForRequest(
      id,
      token,
      (r) => r.status === 'active' && Date.parse(String(r.expiresAt)) === firstExpiry + 10_000,
    );
    expect(extended.activatedAt).toBe(active.activatedAt);
    const secret = (await t.client.state()).keyVault.secrets.find((s) => s.name === `lease-${id}` && !s.deleted);
    expect(Date.parse(secret?.expiresOn ?? '')).toBe(Math.floor((firstExpiry + 10_000) / 1000) * 1000);

    // Past the first expiry the account is still enabled, with its role: access never dropped.
    await new Promise((r) => setTimeout(r, Math.max(0, firstExpiry + 1500 - Date.now())));
    const during = await t.client.state();
    const contoso = during.tenants.find((x) => x.id === CONTOSO.id);
    expect(contoso?.users.find((u) => u.id === account.objectId)?.accountEnabled).toBe(true);
    expect(contoso?.roleAssignments.some((a) => a.principalId === account.objectId)).toBe(true);
    expect((await t.client.api('GET', `/requests/${id}`, { token })).body.status).toBe('active');

    // 5 s + 10 s + 20 s > 25 s: refused, naming the cap; nothing changes.
    const tooLong = await t.client.api('POST', `/requests/${id}/extend`, { token, body: { duration: 'PT20S' } });
    expect(tooLong.status, tooLong.text).toBe(400);
    expect(JSON.stringify(tooLong.body)).toMatch(/PT25S/);
    expect((await t.client.api('GET', `/requests/${id}`, { token })).body.expiresAt).toBe(extended.expiresAt);

    // Someone else cannot extend it; bad durations are a 400.
    const other = await t.client.token((await newTechnician(t.client, 'nosy')).upn);
    expect(
      (await t.client.api('POST', `/requests/${id}/extend`, { token: other, body: { duration: 'PT5S' } })).status,
    ).toBe(403);
    expect((await t.client.api('POST', `/requests/${id}/extend`, { token, body: { duration: 'soon' } })).status).toBe(
      400,
    );

    const ended = await t.client.waitForRequest(id, token, (r) => r.status === 'ended', 30_000);
    expect(ended).toMatchObject({ endReason: 'expired', expiresAt: extended.expiresAt });
    expect((await t.client.api('POST', `/requests/${id}/extend`, { token, body: { duration: 'PT5S' } })).status).toBe(
      409,
    );
  });
});

describe('listing', () => {
  it('lists the caller own requests with filters and paging; admins see everyone; bad filters are a 400', async () => {
    const tech = await newTechnician(t.client, 'list');
    const token = await t.client.token(tech.upn);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const submit = await t.client.api('POST', '/requests', {
        token,
        body: { tenantId: CONTOSO.id, targetId: APPROVAL },
      });
      ids.push(String(submit.body.id));
      expect((await t.client.api('POST', `/requests/${ids[i]}/revoke`, { token, body: {} })).status).toBe(202);
      await t.client.waitForRequest(String(ids[i]), token, (r) => r.status === 'ended');
    }
    const first = await t.client.api<{
      items: { id: string; requester: { objectId: string } }[];
      continuationToken: string | null;
    }>('GET', '/requests?limit=2', { token });
    expect(first.status, first.text).toBe(200);
    expect(first.body.items.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const second = await t.client.api<{ items: { id: string }[]; continuationToken: string | null }>(
      'GET',
      `/requests?limit=2&continuationToken=${encodeURIComponent(first.body.continuationToken ?? '')}`,
      { token },
    );
    expect(second.body.items.map((r) => r.id)).toEqual([ids[0]]);

    const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const all = await t.client.api<{ items: { requester: { objectId: string } }[] }>(
      'GET',
      `/requests?status=ended&tenantId=${CONTOSO.id}&limit=200`,
      { token: carol },
    );
    expect(new Set(all.body.items.map((r) => r.requester.objectId)).size).toBeGreaterThan(1);
    const mine = await t.client.api<{ items: unknown[] }>('GET', '/requests?mine=true', { token: carol });
    expect(mine.body.items).toEqual([]);
    // A technician never sees others' requests, whatever filter they send.
    const techAll = await t.client.api<{ items: { requester: { objectId: string } }[] }>(
      'GET',
      `/requests?tenantId=${CONTOSO.id}`,
      { token },
    );
    expect(techAll.body.items.every((r) => r.requester.objectId === tech.id)).toBe(true);

    for (const query of ['status=bogus', 'awaiting=you', 'limit=0', 'tenantId=nope', 'colour=red']) {
      const bad = await t.client.api('GET', `/requests?${query}`, { token });
      expect(bad.status, `${query}: ${bad.text}`).toBe(400);
    }
  });
});
