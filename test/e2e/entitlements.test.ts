import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_GROUPS, HOME_USERS, ROLE_TEMPLATES } from '../../local/sandbox/seed';
import { DEMO_RULE_ID, DEMO_TARGET_ID } from '../../local/seedDemo';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Entitlement evaluation through GET /entitlements and POST /entitlements/check, configured through
 * the admin API: a group rule (the demo's "All technicians"), a user rule, no rule, a rule with a
 * tighter cap (and an approval waiver), and a duration above the cap (a question: answered, not refused).
 */
let t: TestStack;
const tokens: Record<'alice' | 'dave' | 'erin' | 'bob' | 'carol', string> = {
  alice: '',
  dave: '',
  erin: '',
  bob: '',
  carol: '',
};
const TIGHT = 'tight-admin';

beforeAll(async () => {
  t = await startTestStack();
  for (const name of Object.keys(tokens) as (keyof typeof tokens)[])
    tokens[name] = await t.client.token(HOME_USERS[name].userPrincipalName);
  const target = await t.client.api('POST', `/tenants/${CONTOSO.id}/targets`, {
    token: tokens.carol,
    body: {
      targetId: TIGHT,
      name: 'Tightly capped admin',
      kind: 'adminAccount',
      roles: [{ templateId: ROLE_TEMPLATES.helpdeskAdministrator }],
      minDuration: 'PT1M',
      defaultDuration: 'PT4H',
      maxDuration: 'PT8H',
      approval: { mode: 'required', approvers: [{ type: 'user', id: HOME_USERS.bob.id }], deadline: 'PT2H' },
      requireTicket: true,
    },
  });
  expect(target.status, target.text).toBe(201);
  for (const rule of [
    {
      ruleId: 'dave-tight',
      principal: { type: 'user', id: HOME_USERS.dave.id },
      scope: { targets: [{ tenantId: CONTOSO.id, targetId: TIGHT }] },
      maxDuration: 'PT1H',
      approvalRequired: false,
    },
    {
      ruleId: 'erin-helpdesk',
      principal: { type: 'user', id: HOME_USERS.erin.id },
      scope: { targets: [{ tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID }] },
    },
  ]) {
    const created = await t.client.api('POST', '/rules', { token: tokens.carol, body: rule });
    expect(created.status, created.text).toBe(201);
  }
}, 60_000);

afterAll(async () => {
  await t?.stack.close();
});

interface CheckResult {
  allowed: boolean;
  reasons: string[];
  matchedRules: string[];
  effectiveMaxDuration: string;
  defaultDuration: string;
  approvalRequired: boolean;
  requireJustification: boolean;
  requireTicket: boolean;
}

async function check(
  token: string,
  body: Record<string, unknown>,
): Promise<{ status: number; body: CheckResult & { errors?: { field: string; message: string }[] }; text: string }> {
  return t.client.api('POST', '/entitlements/check', { token, body: { tenantId: CONTOSO.id, ...body } });
}

describe('POST /entitlements/check', () => {
  it('a group rule: members of "All technicians" may request the demo target under its own cap', async () => {
    const result = await check(tokens.alice, { targetId: DEMO_TARGET_ID, duration: 'PT2H' });
    expect(result.status, result.text).toBe(200);
    expect(result.body).toMatchObject({
      allowed: true,
      matchedRules: [DEMO_RULE_ID],
      effectiveMaxDuration: 'PT8H',
      approvalRequired: false,
      requireJustification: false,
      requireTicket: false,
    });
  });

  it('a user rule: erin, in no group, is granted by her own rule', async () => {
    const result = await check(tokens.erin, { targetId: DEMO_TARGET_ID });
    expect(result.body).toMatchObject({
      allowed: true,
      matchedRules: ['erin-helpdesk'],
      reasons: ["granted by rule 'erin-helpdesk'"],
    });
  });

  it('no rule: bob is told why not', async () => {
    const result = await check(tokens.bob, { targetId: DEMO_TARGET_ID });
    expect(result.status, result.text).toBe(200);
    expect(result.body).toMatchObject({
      allowed: false,
      matchedRules: [],
      reasons: [`no entitlement rule grants target '${DEMO_TARGET_ID}' to this user or their groups`],
    });
    const submit = await t.client.api('POST', '/requests', {
      token: tokens.bob,
      body: { tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID },
    });
    expect(submit.status, submit.text).toBe(403);
  });

  it("a tighter cap: the rule's PT1H wins over the target's PT8H, the default follows it, and the rule waives the target's approval", async () => {
    const result = await check(tokens.dave, { targetId: TIGHT, duration: 'PT45M' });
    expect(result.body).toMatchObject({
      allowed: true,
      effectiveMaxDuration: 'PT1H',
      defaultDuration: 'PT1H',
      approvalRequired: false,
      requireTicket: true,
    });
    // alice has no rule for it: the target's own approval policy applies to the verdict.
    expect((await check(tokens.alice, { targetId: TIGHT })).body).toMatchObject({
      allowed: false,
      approvalRequired: true,
      effectiveMaxDuration: 'PT8H',
    });
  });

  it('a duration above the cap is answered 200 allowed:false with the cap as the reason; POST /requests refuses it with a 400', async () => {
    const result = await check(tokens.dave, { targetId: TIGHT, duration: 'PT2H' });
    expect(result.status, result.text).toBe(200);
    expect(result.body).toMatchObject({ allowed: false, matchedRules: ['dave-tight'], effectiveMaxDuration: 'PT1H' });
    expect(result.body.reasons).toEqual([
      "granted by rule 'dave-tight'",
      'duration PT2H is above PT1H, the maximum for this target under the matching rules',
    ]);
    const submit = await t.client.api<{ errors: { field: string; message: string }[] }>('POST', '/requests', {
      token: tokens.dave,
      body: { tenantId: CONTOSO.id, targetId: TIGHT, duration: 'PT2H', ticket: 'T-1' },
    });
    expect(submit.status, submit.text).toBe(400);
    expect(submit.body.errors.find((e) => e.field === 'duration')?.message).toContain('PT1H');
    const tooShort = await check(tokens.dave, { targetId: TIGHT, duration: 'PT30S' });
    expect(tooShort.status, tooShort.text).toBe(200);
    expect(tooShort.body).toMatchObject({
      allowed: false,
      reasons: ["granted by rule 'dave-tight'", 'duration PT30S is below PT1M, the minimum for this target'],
    });
    const withinBounds = await check(tokens.dave, { targetId: TIGHT, duration: 'PT1H' });
    expect(withinBounds.body).toMatchObject({ allowed: true, reasons: ["granted by rule 'dave-tight'"] });
    const malformed = await check(tokens.dave, { targetId: TIGHT, duration: 'two hours' });
    expect(malformed.status, malformed.text).toBe(400);
    expect(malformed.body.errors?.map((e) => e.field)).toEqual(['duration']);
  });

  it('principal: only admins may ask about someone else; groups are taken as given', async () => {
    const forbidden = await check(tokens.alice, {
      targetId: TIGHT,
      principal: { type: 'user', id: HOME_USERS.dave.id },
    });
    expect(forbidden.status, forbidden.text).toBe(403);
    expect(
      (await check(tokens.carol, { targetId: TIGHT, principal: { type: 'user', id: HOME_USERS.dave.id } })).body,
    ).toMatchObject({ allowed: true, effectiveMaxDuration: 'PT1H' });
    const byGroup = await check(tokens.carol, {
      targetId: DEMO_TARGET_ID,
      principal: { type: 'user', id: '1a000000-0000-4000-8000-0000000000ff', groups: [HOME_GROUPS.allTechnicians.id] },
    });
    expect(byGroup.body).toMatchObject({ allowed: true, matchedRules: [DEMO_RULE_ID] });
    const noGroups = await check(tokens.carol, {
      targetId: DEMO_TARGET_ID,
      principal: { type: 'user', id: '1a000000-0000-4000-8000-0000000000ff' },
    });
    expect(noGroups.body.allowed).toBe(false);
  });

  it('unknown targets and bad input are 404 and 400', async () => {
    expect((await check(tokens.alice, { targetId: 'no-such-target' })).status).toBe(404);
    const bad = await check(tokens.alice, { targetId: 'Bad Id', duration: 'forever', extra: true });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.field).sort()).toEqual(['(body)', 'duration', 'targetId']);
    expect(
      (await t.client.api('POST', '/entitlements/check', { body: { tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID } }))
        .status,
    ).toBe(401);
  });
});

describe('GET /entitlements', () => {
  it("lists each caller's requestable targets with their effective policy", async () => {
    const ids = async (
      token: string,
    ): Promise<
      { targetId: string; effectiveMaxDuration: string; approvalRequired: boolean; tenantDisplayName: string }[]
    > => {
      const response = await t.client.api<{
        items: {
          targetId: string;
          effectiveMaxDuration: string;
          approvalRequired: boolean;
          tenantDisplayName: string;
        }[];
      }>('GET', '/entitlements', { token });
      expect(response.status, response.text).toBe(200);
      return response.body.items;
    };
    expect(await ids(tokens.alice)).toEqual([
      expect.objectContaining({
        targetId: DEMO_TARGET_ID,
        tenantDisplayName: 'Contoso',
        effectiveMaxDuration: 'PT8H',
        approvalRequired: false,
      }),
    ]);
    expect((await ids(tokens.dave)).map((i) => [i.targetId, i.effectiveMaxDuration, i.approvalRequired])).toEqual([
      [DEMO_TARGET_ID, 'PT8H', false],
      [TIGHT, 'PT1H', false],
    ]);
    expect((await ids(tokens.erin)).map((i) => i.targetId)).toEqual([DEMO_TARGET_ID]);
    expect(await ids(tokens.bob)).toEqual([]);
  });

  it('follows rule changes at once: deleting the user rule takes the target away', async () => {
    // Asked first, so the answer after the change cannot come from anything but the changed rules.
    expect((await check(tokens.erin, { targetId: DEMO_TARGET_ID })).body.allowed).toBe(true);
    const rule = await t.client.api('GET', '/rules/erin-helpdesk', { token: tokens.carol });
    const removed = await t.client.api('DELETE', '/rules/erin-helpdesk', {
      token: tokens.carol,
      headers: { 'If-Match': rule.headers.get('etag') ?? '' },
    });
    expect(removed.status, removed.text).toBe(204);
    const list = await t.client.api<{ items: unknown[] }>('GET', '/entitlements', { token: tokens.erin });
    expect(list.body.items).toEqual([]);
    expect((await check(tokens.erin, { targetId: DEMO_TARGET_ID })).body.allowed).toBe(false);
  });
});
