import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_GROUPS, HOME_USERS } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { aliasFor } from '../../src/domain/jitAccount';
import { tenantState } from '../support/client';
import { startTestStack, type TestStack } from '../support/stack';
import { newTechnician, target } from './workflowSupport';

/**
 * Issue 14, points 2 and 4, end to end through the HTTP API on the local stack: several approvers
 * (N approvals, stages in order, one deny ends it, nobody counts twice) and scheduled access
 * (`startAt`: a durable timer, the duration counted from the start, withdrawn with nothing provisioned).
 */
let t: TestStack;
const TWO_APPROVALS = 'two-approvals';
const TWO_STAGES = 'two-stages';
const SCHEDULABLE = 'schedulable';
const SCHEDULED_APPROVAL = 'scheduled-approval';
const NOT_SCHEDULABLE = 'not-schedulable';
const bobRef = { type: 'user', id: HOME_USERS.bob.id } as const;
const daveRef = { type: 'user', id: HOME_USERS.dave.id } as const;
const carolRef = { type: 'user', id: HOME_USERS.carol.id } as const;

interface Progress {
  required: number;
  received: number;
  approvals: { by: string; stage: number; comment: string | null }[];
  stage: { name: string; index: number; of: number; received: number; approvalsRequired: number } | null;
}

beforeAll(async () => {
  t = await startTestStack();
  const { config } = getServices().deps;
  await config.createTarget(
    target({
      tenantId: CONTOSO.id,
      targetId: TWO_APPROVALS,
      approval: { mode: 'required', approvers: [bobRef, daveRef, carolRef], approvalsRequired: 2, deadline: 'PT2M' },
    }),
  );
  await config.createTarget(
    target({
      tenantId: CONTOSO.id,
      targetId: TWO_STAGES,
      approval: {
        mode: 'required',
        stages: [
          { name: 'Team lead', approvers: [daveRef], approvalsRequired: 1 },
          { name: 'Security', approvers: [bobRef], approvalsRequired: 1 },
        ],
        deadline: 'PT2M',
      },
    }),
  );
  await config.createTarget(
    target({ tenantId: CONTOSO.id, targetId: SCHEDULABLE, defaultDuration: 'PT20S', maxScheduleAhead: 'PT1H' }),
  );
  await config.createTarget(
    target({
      tenantId: CONTOSO.id,
      targetId: SCHEDULED_APPROVAL,
      defaultDuration: 'PT30S',
      maxScheduleAhead: 'PT1H',
      approval: { mode: 'required', approvers: [bobRef], deadline: 'PT2M' },
    }),
  );
  await config.createTarget(target({ tenantId: CONTOSO.id, targetId: NOT_SCHEDULABLE }));
  const now = new Date().toISOString();
  await config.createRule({
    ruleId: 'technicians-approvers',
    principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
    scope: {
      targets: [TWO_APPROVALS, TWO_STAGES, SCHEDULABLE, SCHEDULED_APPROVAL, NOT_SCHEDULABLE].map((targetId) => ({
        tenantId: CONTOSO.id,
        targetId,
      })),
    },
    createdAt: now,
    updatedAt: now,
  });
}, 90_000);

afterAll(async () => {
  await t?.stack.close();
});

async function submit(token: string, body: Record<string, unknown>): Promise<string> {
  const response = await t.client.api('POST', '/requests', { token, body: { tenantId: CONTOSO.id, ...body } });
  expect(response.status, response.text).toBe(202);
  return String(response.body.id);
}

async function awaitingIds(token: string): Promise<string[]> {
  const page = await t.client.api<{ items: { id: string }[] }>('GET', '/requests?awaiting=me', { token });
  expect(page.status, page.text).toBe(200);
  return page.body.items.map((r) => r.id);
}

async function auditActions(token: string, requestId: string): Promise<string[]> {
  const page = await t.client.api<{ items: { action: string; requestId: string | null }[] }>(
    'GET',
    `/audit?requestId=${requestId}`,
    { token },
  );
  expect(page.status, page.text).toBe(200);
  return page.body.items.map((e) => e.action);
}

/** No JIT account of this technician's exists in Contoso: nothing was provisioned. */
async function expectNoJitAccount(technicianUpn: string): Promise<void> {
  const users = tenantState(await t.client.state(), CONTOSO.id).users;
  expect(users.filter((u) => u.userPrincipalName.startsWith(`jit-${aliasFor(technicianUpn)}`))).toEqual([]);
}

describe('several approvers', () => {
  it('needs two different approvers: the first leaves it pending at 1 of 2, a second approval by the same person is a 409, the second approver activates it', async () => {
    const tech = await newTechnician(t.client, 'two');
    const token = await t.client.token(tech.upn);
    const bob = await t.client.token(HOME_USERS.bob.userPrincipalName);
    const dave = await t.client.token(HOME_USERS.dave.userPrincipalName);
    const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const id = await submit(token, { targetId: TWO_APPROVALS });
    const pending = await t.client.api<{ status: string; approval: Progress }>('GET', `/requests/${id}`, { token });
    expect(pending.body).toMatchObject({
      status: 'pending_approval',
      approval: { required: 2, received: 0, approvals: [], stage: { index: 1, of: 1, approvalsRequired: 2 } },
    });
    expect(await awaitingIds(bob)).toContain(id);

    const first = await t.client.api('POST', `/requests/${id}/approve`, { token: bob, body: { comment: 'fine' } });
    expect(first.status, first.text).toBe(202);
    expect(first.body).toMatchObject({
      status: 'pending_approval',
      decision: null,
      approval: {
        required: 2,
        received: 1,
        approvals: [{ by: HOME_USERS.bob.userPrincipalName, stage: 1, comment: 'fine' }],
        stage: { index: 1, received: 1 },
      },
    });
    // The same person counts once: approving (or denying) again is a 409, and it no longer awaits them.
    const again = await t.client.api('POST', `/requests/${id}/approve`, { token: bob, body: {} });
    expect(again.status, again.text).toBe(409);
    expect(String(again.body.detail)).toMatch(/already approved/);
    expect((await t.client.api('POST', `/requests/${id}/deny`, { token: bob, body: {} })).status).toBe(409);
    expect(await awaitingIds(bob)).not.toContain(id);
    expect(await awaitingIds(dave)).toContain(id);
    // The requester never counts; someone not listed is refused.
    expect((await t.client.api('POST', `/requests/${id}/approve`, { token, body: {} })).status).toBe(403);
    expect((await t.client.api('GET', `/requests/${id}`, { token })).body).toMatchObject({
      status: 'pending_approval',
      approval: { received: 1 },
    });

    const second = await t.client.api('POST', `/requests/${id}/approve`, { token: dave, body: {} });
    expect(second.status, second.text).toBe(202);
    expect(second.body).toMatchObject({
      decision: { approved: true, by: HOME_USERS.dave.userPrincipalName },
      approval: { required: 2, received: 2, stage: null },
    });
    const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    expect((active.approval as Progress).approvals.map((a) => a.by)).toEqual([
      HOME_USERS.bob.userPrincipalName,
      HOME_USERS.dave.userPrincipalName,
    ]);
    // Too late for a third.
    expect((await t.client.api('POST', `/requests/${id}/approve`, { token: carol, body: {} })).status).toBe(409);
    // Names to read, and the decisions each approver made, from the API (not kept by the page).
    const tenant = await getServices().deps.config.getTenant(CONTOSO.id);
    expect(active).toMatchObject({ tenantName: tenant?.value.displayName, targetName: TWO_APPROVALS });
    for (const approver of [bob, dave]) {
      const decided = await t.client.api<{ items: { id: string }[] }>('GET', '/requests?decidedBy=me', {
        token: approver,
      });
      expect(decided.status, decided.text).toBe(200);
      expect(decided.body.items.map((r) => r.id)).toContain(id);
    }
    expect(
      (await t.client.api<{ items: { id: string }[] }>('GET', '/requests?decidedBy=me', { token: carol })).body.items,
    ).toEqual([]);
    expect((await t.client.api('GET', '/requests?decidedBy=me&awaiting=me', { token: bob })).status).toBe(400);
    const actions = await auditActions(carol, id);
    expect(actions).toContain('request.approved_partially');
    expect(actions).toContain('request.approved');
    await t.client.api('POST', `/requests/${id}/revoke`, { token, body: {} });
  });

  it('decides stages in order: the second stage waits for the first, and one deny there ends the request', async () => {
    const tech = await newTechnician(t.client, 'stages');
    const token = await t.client.token(tech.upn);
    const bob = await t.client.token(HOME_USERS.bob.userPrincipalName);
    const dave = await t.client.token(HOME_USERS.dave.userPrincipalName);
    const id = await submit(token, { targetId: TWO_STAGES });

    // Bob is the security approver: stage 2 is not his to decide until the team lead has approved.
    expect(await awaitingIds(bob)).not.toContain(id);
    const early = await t.client.api('POST', `/requests/${id}/approve`, { token: bob, body: {} });
    expect(early.status, early.text).toBe(403);
    expect(String(early.body.detail)).toMatch(/stage 1, Team lead/);
    expect(await awaitingIds(dave)).toContain(id);

    const lead = await t.client.api('POST', `/requests/${id}/approve`, { token: dave, body: { comment: 'lead ok' } });
    expect(lead.status, lead.text).toBe(202);
    expect(lead.body).toMatchObject({
      status: 'pending_approval',
      approval: { required: 2, received: 1, stage: { name: 'Security', index: 2, of: 2, received: 0 } },
    });
    expect(await awaitingIds(dave)).not.toContain(id);
    expect(await awaitingIds(bob)).toContain(id);

    const deny = await t.client.api('POST', `/requests/${id}/deny`, { token: bob, body: { comment: 'no' } });
    expect(deny.status, deny.text).toBe(202);
    expect(await t.client.waitForRequest(id, token, (r) => r.status === 'ended')).toMatchObject({
      endReason: 'denied',
      account: null,
      decision: { approved: false, by: HOME_USERS.bob.userPrincipalName, comment: 'no' },
      approval: { received: 1, approvals: [{ by: HOME_USERS.dave.userPrincipalName, stage: 1 }] },
    });
    const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
    expect(await auditActions(carol, id)).toEqual(
      expect.arrayContaining(['request.approved_partially', 'request.denied', 'request.decision_refused']),
    );
    await expectNoJitAccount(tech.upn);
  });

  it('refuses a policy that asks for more approvals than it lists, or mixes stages with approvers (400 naming it)', async () => {
    const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const tooMany = await t.client.api('POST', `/tenants/${CONTOSO.id}/targets`, {
      token: carol,
      body: {
        targetId: 'too-many',
        name: 'Too many',
        kind: 'adminAccount',
        approval: { mode: 'required', approvers: [bobRef, daveRef], approvalsRequired: 3 },
      },
    });
    expect(tooMany.status, tooMany.text).toBe(400);
    expect(tooMany.text).toMatch(/approvalsRequired \(3\) is more than the 2 listed approver/);
    const mixed = await t.client.api('POST', `/tenants/${CONTOSO.id}/targets`, {
      token: carol,
      body: {
        targetId: 'mixed',
        name: 'Mixed',
        kind: 'adminAccount',
        approval: { mode: 'required', approvers: [bobRef], stages: [{ name: 'One', approvers: [daveRef] }] },
      },
    });
    expect(mixed.status, mixed.text).toBe(400);
    expect(mixed.text).toMatch(/either stages or approvers/);
    expect((await getServices().deps.config.getTarget(CONTOSO.id, 'too-many')) === null).toBe(true);
  });
});

describe('scheduled access', () => {
  it('waits as scheduled until startAt, then provisions; the duration counts from startAt', async () => {
    const tech = await newTechnician(t.client, 'sched');
    const token = await t.client.token(tech.upn);
    const startAt = new Date(Date.now() + 8_000);
    startAt.setMilliseconds(0);
    const submitted = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: SCHEDULABLE, startAt: startAt.toISOString() },
    });
    expect(submitted.status, submitted.text).toBe(202);
    expect(submitted.body).toMatchObject({ status: 'scheduled', startAt: startAt.toISOString() });
    const id = String(submitted.body.id);
    await expectNoJitAccount(tech.upn);
    const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    expect(Date.parse(String(active.activatedAt))).toBeGreaterThanOrEqual(startAt.getTime());
    expect(active.expiresAt).toBe(new Date(startAt.getTime() + 20_000).toISOString());
    await t.client.api('POST', `/requests/${id}/revoke`, { token, body: {} });
  });

  it('withdrawn before its start (approved meanwhile): ended withdrawn with nothing provisioned', async () => {
    const tech = await newTechnician(t.client, 'wdraw');
    const token = await t.client.token(tech.upn);
    const bob = await t.client.token(HOME_USERS.bob.userPrincipalName);
    const startAt = new Date(Date.now() + 30 * 60_000).toISOString();
    const id = await submit(token, { targetId: SCHEDULED_APPROVAL, startAt });
    const approve = await t.client.api('POST', `/requests/${id}/approve`, { token: bob, body: {} });
    expect(approve.status, approve.text).toBe(202);
    expect(approve.body).toMatchObject({ status: 'scheduled', startAt, decision: { approved: true } });
    const withdraw = await t.client.api('POST', `/requests/${id}/revoke`, { token, body: { reason: 'plans changed' } });
    expect(withdraw.status, withdraw.text).toBe(202);
    const ended = await t.client.waitForRequest(id, token, (r) => r.status === 'ended');
    expect(ended).toMatchObject({
      endReason: 'withdrawn',
      account: null,
      activatedAt: null,
      revokeReason: 'plans changed',
    });
    await expectNoJitAccount(tech.upn);
    // The lock is free again: the technician may ask anew.
    const next = await submit(token, { targetId: SCHEDULABLE });
    await t.client.waitForRequest(next, token, (r) => r.status === 'active');
    await t.client.api('POST', `/requests/${next}/revoke`, { token, body: {} });
  });

  it('refuses a bad startAt with a 400 naming it, and creates nothing', async () => {
    const tech = await newTechnician(t.client, 'badsched');
    const token = await t.client.token(tech.upn);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ targetId: NOT_SCHEDULABLE, startAt: new Date(Date.now() + 60_000).toISOString() }, /maxScheduleAhead/],
      [{ targetId: SCHEDULABLE, startAt: new Date(Date.now() - 10 * 60_000).toISOString() }, /in the past/],
      [{ targetId: SCHEDULABLE, startAt: new Date(Date.now() + 2 * 3600_000).toISOString() }, /PT1H ahead/],
      [{ targetId: SCHEDULABLE, startAt: 'tomorrow' }, /ISO 8601/],
      [{ targetId: SCHEDULABLE, startAt: '2026-12-24T08:00:00+01:00' }, /ISO 8601/],
    ];
    for (const [body, message] of cases) {
      const response = await t.client.api('POST', '/requests', { token, body: { tenantId: CONTOSO.id, ...body } });
      expect(response.status, response.text).toBe(400);
      expect(response.text).toMatch(/startAt/);
      expect(response.text).toMatch(message);
    }
    const mine = await t.client.api<{ items: unknown[] }>('GET', '/requests?mine=true', { token });
    expect(mine.body.items).toEqual([]);
  });
});
