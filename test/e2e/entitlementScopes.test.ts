import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, FABRIKAM, HOME_USERS, ROLE_TEMPLATES, seedAppOf } from '../../local/sandbox/seed';
import { DEMO_TARGET_ID } from '../../local/seedDemo';
import { getServices } from '../../src/composition';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Rules for every tenant and for tagged tenants, through the admin API: erin (in no group) holds
 * one { allTenants: true } rule, bob one { tenantTag: 'gold' } rule. Fabrikam is connected (tagged
 * gold) after the rules exist, Contoso is tagged and untagged, Fabrikam is disconnected again.
 */
let t: TestStack;
let admin = '';
let erin = '';
let bob = '';
const FABRIKAM_TARGET = 'fabrikam-helpdesk';
const APPROVED_TARGET = 'approved-helpdesk';

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
  erin = await t.client.token(HOME_USERS.erin.userPrincipalName);
  bob = await t.client.token(HOME_USERS.bob.userPrincipalName);
  const approved = await t.client.api('POST', `/tenants/${CONTOSO.id}/targets`, {
    token: admin,
    body: {
      targetId: APPROVED_TARGET,
      name: 'Approved helpdesk',
      kind: 'adminAccount',
      roles: [{ templateId: ROLE_TEMPLATES.helpdeskAdministrator }],
      approval: { mode: 'required' },
    },
  });
  expect(approved.status, approved.text).toBe(201);
  for (const rule of [
    {
      ruleId: 'erin-everywhere',
      principal: { type: 'user', id: HOME_USERS.erin.id },
      scope: { allTenants: true },
      approvalRequired: false,
    },
    { ruleId: 'bob-gold', principal: { type: 'user', id: HOME_USERS.bob.id }, scope: { tenantTag: 'gold' } },
  ]) {
    const created = await t.client.api('POST', '/rules', { token: admin, body: rule });
    expect(created.status, created.text).toBe(201);
  }
}, 60_000);

afterAll(async () => {
  await t?.stack.close();
});

interface Item {
  tenantId: string;
  targetId: string;
  matchedRules: string[];
}

async function entitlementsOf(token: string): Promise<string[]> {
  const list = await t.client.api<{ items: Item[] }>('GET', '/entitlements', { token });
  expect(list.status, list.text).toBe(200);
  return list.body.items.map((i) => `${i.tenantId}/${i.targetId}`).sort();
}

async function contosoTargets(): Promise<string[]> {
  const list = await t.client.api<{ items: { targetId: string }[] }>('GET', `/tenants/${CONTOSO.id}/targets`, {
    token: admin,
  });
  expect(list.status, list.text).toBe(200);
  return list.body.items.map((i) => `${CONTOSO.id}/${i.targetId}`);
}

async function tagContoso(tags: string[]): Promise<void> {
  const read = await t.client.api('GET', `/tenants/${CONTOSO.id}`, { token: admin });
  const patched = await t.client.api('PATCH', `/tenants/${CONTOSO.id}`, {
    token: admin,
    body: { tags },
    headers: { 'If-Match': read.headers.get('etag') ?? '' },
  });
  expect(patched.status, patched.text).toBe(200);
  expect(patched.body).toMatchObject({ tags });
}

describe('an all-tenants rule and a tag rule', () => {
  it('an all-tenants rule reaches every target of every connected tenant; a tag rule reaches no untagged tenant', async () => {
    const contoso = await contosoTargets();
    expect(contoso.length).toBeGreaterThan(1);
    expect(await entitlementsOf(erin)).toEqual([...contoso].sort());
    expect(await entitlementsOf(bob)).toEqual([]);
  });

  it('a tenant connected later, tagged gold, is covered by both at once', async () => {
    const app = seedAppOf(FABRIKAM);
    const connected = await t.client.api('POST', '/tenants', {
      token: admin,
      body: {
        tenantId: FABRIKAM.id,
        displayName: 'Fabrikam',
        jitDomain: 'fabrikam.example',
        tags: ['gold', 'region-eu'],
        connection: { mode: 'clientSecret', clientId: app.clientId, clientSecret: app.clientSecret },
      },
    });
    expect(connected.status, connected.text).toBe(201);
    expect(connected.body).toMatchObject({ tags: ['gold', 'region-eu'] });
    const target = await t.client.api('POST', `/tenants/${FABRIKAM.id}/targets`, {
      token: admin,
      body: {
        targetId: FABRIKAM_TARGET,
        name: 'Fabrikam helpdesk',
        kind: 'adminAccount',
        roles: [{ templateId: ROLE_TEMPLATES.helpdeskAdministrator }],
        minDuration: 'PT15M',
      },
    });
    expect(target.status, target.text).toBe(201);

    expect(await entitlementsOf(erin)).toContain(`${FABRIKAM.id}/${FABRIKAM_TARGET}`);
    expect(await entitlementsOf(bob)).toEqual([`${FABRIKAM.id}/${FABRIKAM_TARGET}`]);
    const check = await t.client.api('POST', '/entitlements/check', {
      token: bob,
      body: { tenantId: FABRIKAM.id, targetId: FABRIKAM_TARGET },
    });
    expect(check.body).toMatchObject({ allowed: true, matchedRules: ['bob-gold'] });
    // POST /requests evaluates the same way: entitled, so the too-short duration is what it refuses
    // (400 after the entitlement check), not the request itself (403).
    const submitted = await t.client.api('POST', '/requests', {
      token: bob,
      body: { tenantId: FABRIKAM.id, targetId: FABRIKAM_TARGET, duration: 'PT1M' },
    });
    expect(submitted.status, submitted.text).toBe(400);
    const refused = await t.client.api('POST', '/requests', {
      token: bob,
      body: { tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID, duration: 'PT1M' },
    });
    expect(refused.status, refused.text).toBe(403);
  });

  it('tagging a tenant brings it under the tag rule; untagging takes it out; both are audited', async () => {
    await tagContoso(['gold']);
    const contoso = await contosoTargets();
    expect(await entitlementsOf(bob)).toEqual([...contoso, `${FABRIKAM.id}/${FABRIKAM_TARGET}`].sort());
    await tagContoso([]);
    expect(await entitlementsOf(bob)).toEqual([`${FABRIKAM.id}/${FABRIKAM_TARGET}`]);
    const check = await t.client.api('POST', '/entitlements/check', {
      token: bob,
      body: { tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID },
    });
    expect(check.body).toMatchObject({ allowed: false, matchedRules: [] });

    const events = await getServices().deps.audit.list(
      { tenantId: CONTOSO.id, action: 'tenant.updated' },
      { limit: 10 },
    );
    const afters = events.items.map((e) => JSON.parse(String(e.details.after)) as { tags: string[] });
    expect(afters.map((a) => a.tags)).toEqual(expect.arrayContaining([['gold'], []]));
  });

  it('an all-tenants waiver does not lift the approval a target requires (only a rule naming the target may)', async () => {
    const check = await t.client.api('POST', '/entitlements/check', {
      token: erin,
      body: { tenantId: CONTOSO.id, targetId: APPROVED_TARGET },
    });
    expect(check.body).toMatchObject({ allowed: true, matchedRules: ['erin-everywhere'], approvalRequired: true });
  });

  it('a disconnected tenant is no longer covered, and the scope-wide rules stay as they were', async () => {
    const read = await t.client.api('GET', `/tenants/${FABRIKAM.id}`, { token: admin });
    const deleted = await t.client.api<{ changedRules: string[] }>('DELETE', `/tenants/${FABRIKAM.id}`, {
      token: admin,
      headers: { 'If-Match': read.headers.get('etag') ?? '' },
    });
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.body.changedRules).toEqual([]);
    expect(await entitlementsOf(erin)).toEqual([...(await contosoTargets())].sort());
    expect(await entitlementsOf(bob)).toEqual([]);
    const check = await t.client.api('POST', '/entitlements/check', {
      token: erin,
      body: { tenantId: FABRIKAM.id, targetId: FABRIKAM_TARGET },
    });
    expect(check.status, check.text).toBe(404);
    for (const ruleId of ['erin-everywhere', 'bob-gold'])
      expect((await t.client.api('GET', `/rules/${ruleId}`, { token: admin })).status).toBe(200);
  });
});

describe('bad scopes and tags', () => {
  it.each([
    ['allTenants must be true', { allTenants: false }],
    ['a tag is lowercase letters, digits and dashes', { tenantTag: 'Gold!' }],
    ['one kind of scope at a time', { allTenants: true, tenantTag: 'gold' }],
  ])('a rule: %s (400 naming scope, nothing stored)', async (_name, scope) => {
    const created = await t.client.api<{ errors: { field: string }[] }>('POST', '/rules', {
      token: admin,
      body: { ruleId: 'bad-scope', principal: { type: 'user', id: HOME_USERS.erin.id }, scope },
    });
    expect(created.status, created.text).toBe(400);
    expect(created.body.errors.map((e) => e.field.split('.')[0])).toContain('scope');
    expect((await t.client.api('GET', '/rules/bad-scope', { token: admin })).status).toBe(404);
  });

  it.each([
    ['a repeated tag', ['gold', 'gold'], 'tags.1'],
    ['an upper-case tag', ['Gold'], 'tags.0'],
    ['too many tags', Array.from({ length: 21 }, (_, i) => `t${i}`), 'tags'],
  ])('a tenant: %s is a 400 naming %s, and changes nothing', async (_name, tags, field) => {
    const before = await t.client.api('GET', `/tenants/${CONTOSO.id}`, { token: admin });
    const patched = await t.client.api<{ errors: { field: string }[] }>('PATCH', `/tenants/${CONTOSO.id}`, {
      token: admin,
      body: { tags },
    });
    expect(patched.status, patched.text).toBe(400);
    expect(patched.body.errors.map((e) => e.field)).toContain(field);
    const after = await t.client.api('GET', `/tenants/${CONTOSO.id}`, { token: admin });
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
  });

  it('tags are for admins only', async () => {
    const patched = await t.client.api('PATCH', `/tenants/${CONTOSO.id}`, { token: bob, body: { tags: ['gold'] } });
    expect(patched.status, patched.text).toBe(403);
  });
});
