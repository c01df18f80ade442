import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_GROUPS, HOME_TENANT, HOME_USERS } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import type { ApiResponse } from '../support/client';
import { QUICK_TARGET_ID } from '../support/quickTargets';
import { useQuickStack } from '../support/stack';
import { newTechnician, target, waitFor } from './workflowSupport';

/**
 * Step-up at activation (issue 14, point 3): a target asking for authentication context c1 answers
 * a token without `acrs: ["c1"]` with Entra's claims challenge (401, insufficient_claims) when it
 * is used to request access or reveal the credential, and one asking its approvers for c2 does the
 * same to an approval; nothing changes until the token shows the context.
 */
const t = useQuickStack([CONTOSO]);
const STEP_UP_TARGET = 'step-up-admin';
const APPROVER_STEP_UP_TARGET = 'step-up-approved';

beforeAll(async () => {
  const deps = getServices().deps;
  const quick = await deps.config.getTarget(CONTOSO.id, QUICK_TARGET_ID);
  if (quick === null) throw new Error('quick target missing');
  const base = { ...quick.value, defaultDuration: 'PT30M', maxDuration: 'PT1H' };
  await deps.config.createTarget(
    target({ ...base, tenantId: CONTOSO.id, targetId: STEP_UP_TARGET, stepUp: { authenticationContext: 'c1' } }),
  );
  await deps.config.createTarget(
    target({
      ...base,
      tenantId: CONTOSO.id,
      targetId: APPROVER_STEP_UP_TARGET,
      approval: { mode: 'required', approvers: [], deadline: 'PT1H' },
      stepUp: { approverAuthenticationContext: 'c2' },
    }),
  );
  const now = new Date().toISOString();
  await deps.config.createRule({
    ruleId: 'technicians-step-up',
    principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
    scope: {
      targets: [
        { tenantId: CONTOSO.id, targetId: STEP_UP_TARGET },
        { tenantId: CONTOSO.id, targetId: APPROVER_STEP_UP_TARGET },
      ],
    },
    createdAt: now,
    updatedAt: now,
  });
}, 60_000);

/** The header Entra documents for an authentication context (learn.microsoft.com/entra/identity-platform/claims-challenge). */
function claimsOf(context: string): string {
  const request = { access_token: { acrs: { essential: true, value: context } } };
  return Buffer.from(JSON.stringify(request)).toString('base64');
}

function expectedChallenge(context: string): string {
  const claims = claimsOf(context);
  return `Bearer realm="${HOME_TENANT.id}", authorization_uri="${t.client.sandboxUrl}/${HOME_TENANT.id}/oauth2/v2.0/authorize", error="insufficient_claims", claims="${claims}"`;
}

function expectChallenge(response: ApiResponse, context: string): void {
  expect(response.status, response.text).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe(expectedChallenge(context));
  expect(response.body).toMatchObject({
    type: 'https://entra-jit.dev/problems/step-up-required',
    status: 401,
    authenticationContext: context,
    claims: claimsOf(context),
  });
}

async function requestsOf(token: string): Promise<unknown[]> {
  const page = await t.client.api<{ items: unknown[] }>('GET', '/requests?mine=true', { token });
  expect(page.status, page.text).toBe(200);
  return page.body.items;
}

async function auditActions(requestId: string): Promise<string[]> {
  const admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
  const page = await t.client.api<{ items: { action: string }[] }>('GET', `/audit?requestId=${requestId}`, {
    token: admin,
  });
  expect(page.status, page.text).toBe(200);
  return page.body.items.map((e) => e.action);
}

describe('requesting a target that asks for authentication context c1', () => {
  it('refuses a token without acrs, or with acrs for another context, with the claims challenge and changes nothing', async () => {
    const tech = await newTechnician(t.client, 'stepup');
    const body = { tenantId: CONTOSO.id, targetId: STEP_UP_TARGET, justification: 'step-up test' };
    const plain = await t.client.token(tech.upn);
    expectChallenge(await t.client.api('POST', '/requests', { token: plain, body }), 'c1');
    const other = await t.client.token(tech.upn, { acrs: ['c2'] });
    expectChallenge(await t.client.api('POST', '/requests', { token: other, body }), 'c1');
    expect(await requestsOf(plain)).toEqual([]);
    expect(t.logs.some((l) => l.message.includes('"event":"step_up_required"') && l.message.includes(tech.id))).toBe(
      true,
    );
  });

  it('accepts the token that shows c1, also as the retry of a challenged Idempotency-Key', async () => {
    const tech = await newTechnician(t.client, 'stepup');
    const body = { tenantId: CONTOSO.id, targetId: STEP_UP_TARGET };
    const headers = { 'Idempotency-Key': randomUUID() };
    const plain = await t.client.token(tech.upn);
    expectChallenge(await t.client.api('POST', '/requests', { token: plain, body, headers }), 'c1');
    const stepped = await t.client.token(tech.upn, { acrs: ['c1'] });
    const created = await t.client.api('POST', '/requests', { token: stepped, body, headers });
    expect(created.status, created.text).toBe(202);
    expect(created.headers.get('idempotent-replayed')).toBeNull();
    expect(await requestsOf(stepped)).toHaveLength(1);
  });
});

describe('revealing the credential of a target that asks for c1', () => {
  it('refuses a token without c1 with the claims challenge (nothing revealed, nothing audited), then reveals with it', async () => {
    const tech = await newTechnician(t.client, 'stepup');
    const stepped = await t.client.token(tech.upn, { acrs: ['c1'] });
    const created = await t.client.api<{ id: string }>('POST', '/requests', {
      token: stepped,
      body: { tenantId: CONTOSO.id, targetId: STEP_UP_TARGET },
    });
    expect(created.status, created.text).toBe(202);
    const id = created.body.id;
    await waitFor('the lease to be active', async () => {
      const got = await t.client.api<{ status: string }>('GET', `/requests/${id}`, { token: stepped });
      return got.body.status === 'active' ? true : undefined;
    });
    const plain = await t.client.token(tech.upn);
    const refused = await t.client.api('POST', `/requests/${id}/credential`, { token: plain });
    expectChallenge(refused, 'c1');
    expect(refused.text).not.toMatch(/password/i);
    const other = await t.client.token(tech.upn, { acrs: ['c3'] });
    expectChallenge(await t.client.api('POST', `/requests/${id}/credential`, { token: other }), 'c1');
    expect(await auditActions(id)).not.toContain('credential.revealed');
    const revealed = await t.client.api<{ password: string }>('POST', `/requests/${id}/credential`, {
      token: stepped,
    });
    expect(revealed.status, revealed.text).toBe(200);
    expect(revealed.body.password.length).toBeGreaterThan(0);
    expect(await auditActions(id)).toContain('credential.revealed');
  });
});

describe('a step-up the target asks for once the lease is active', () => {
  it('is asked at the reveal: the change reaches the configuration the reveal reads at once', async () => {
    const deps = getServices().deps;
    const quick = await deps.config.getTarget(CONTOSO.id, QUICK_TARGET_ID);
    if (quick === null) throw new Error('quick target missing');
    const targetId = `step-up-later-${randomUUID().slice(0, 8)}`;
    const created = await deps.config.createTarget(
      target({ ...quick.value, defaultDuration: 'PT30M', maxDuration: 'PT1H', tenantId: CONTOSO.id, targetId }),
    );
    const now = new Date().toISOString();
    await deps.config.createRule({
      ruleId: `technicians-${targetId}`,
      principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
      scope: { targets: [{ tenantId: CONTOSO.id, targetId }] },
      createdAt: now,
      updatedAt: now,
    });
    const tech = await newTechnician(t.client, 'stepup');
    const plain = await t.client.token(tech.upn);
    const submitted = await t.client.api<{ id: string }>('POST', '/requests', {
      token: plain,
      body: { tenantId: CONTOSO.id, targetId },
    });
    expect(submitted.status, submitted.text).toBe(202);
    const id = submitted.body.id;
    await waitFor('the lease to be active', async () => {
      const got = await t.client.api<{ status: string }>('GET', `/requests/${id}`, { token: plain });
      return got.body.status === 'active' ? true : undefined;
    });

    await deps.config.replaceTarget({ ...created.value, stepUp: { authenticationContext: 'c1' } }, created.etag);
    expectChallenge(await t.client.api('POST', `/requests/${id}/credential`, { token: plain }), 'c1');
    expect(await auditActions(id)).not.toContain('credential.revealed');
    const stepped = await t.client.token(tech.upn, { acrs: ['c1'] });
    const revealed = await t.client.api('POST', `/requests/${id}/credential`, { token: stepped });
    expect(revealed.status, revealed.text).toBe(200);
  });
});

describe('approving a request of a target that asks its approvers for c2', () => {
  async function pendingRequest(): Promise<string> {
    const tech = await newTechnician(t.client, 'stepup');
    const created = await t.client.api<{ id: string; status: string }>('POST', '/requests', {
      token: await t.client.token(tech.upn),
      body: { tenantId: CONTOSO.id, targetId: APPROVER_STEP_UP_TARGET },
    });
    expect(created.status, created.text).toBe(202);
    expect(created.body.status).toBe('pending_approval');
    return created.body.id;
  }

  it('refuses an approval without c2 (or with c1) with the claims challenge and leaves the request pending; approves with c2', async () => {
    const id = await pendingRequest();
    const bob = HOME_USERS.bob.userPrincipalName;
    const plain = await t.client.token(bob);
    expectChallenge(await t.client.api('POST', `/requests/${id}/approve`, { token: plain, body: {} }), 'c2');
    const other = await t.client.token(bob, { acrs: ['c1'] });
    expectChallenge(await t.client.api('POST', `/requests/${id}/approve`, { token: other, body: {} }), 'c2');
    const still = await t.client.api<{ status: string; decision: unknown }>('GET', `/requests/${id}`, {
      token: plain,
    });
    expect(still.body).toMatchObject({ status: 'pending_approval', decision: null });
    expect(await auditActions(id)).not.toContain('request.approved');
    const stepped = await t.client.token(bob, { acrs: ['c2'] });
    const approved = await t.client.api<{ decision: { approved: boolean } }>('POST', `/requests/${id}/approve`, {
      token: stepped,
      body: {},
    });
    expect(approved.status, approved.text).toBe(202);
    expect(approved.body.decision.approved).toBe(true);
  });

  it('lets an approver deny without stepping up: a denial grants nothing', async () => {
    const id = await pendingRequest();
    const denied = await t.client.api<{ decision: { approved: boolean } }>('POST', `/requests/${id}/deny`, {
      token: await t.client.token(HOME_USERS.bob.userPrincipalName),
      body: {},
    });
    expect(denied.status, denied.text).toBe(202);
    expect(denied.body.decision.approved).toBe(false);
  });
});

describe('bad input', () => {
  it('a target stepUp outside c1..c99 is a 400 naming the field', async () => {
    const admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const response = await t.client.api<{ errors: { field: string }[] }>('POST', `/tenants/${CONTOSO.id}/targets`, {
      token: admin,
      body: { targetId: 'bad-step-up', name: 'Bad', kind: 'adminAccount', stepUp: { authenticationContext: 'c100' } },
    });
    expect(response.status, response.text).toBe(400);
    expect(response.body.errors.map((e) => e.field)).toContain('stepUp.authenticationContext');
  });

  it('the sandbox mints acrs but refuses amr (Entra v2.0 access tokens carry none) and unknown contexts', async () => {
    const amr = await t.client.sandbox('POST', '/_sandbox/tokens', {
      user: HOME_USERS.alice.userPrincipalName,
      amr: ['mfa'],
    });
    expect(amr.status).toBe(400);
    expect(amr.text).toContain('amr');
    const bad = await t.client.sandbox('POST', '/_sandbox/tokens', {
      user: HOME_USERS.alice.userPrincipalName,
      acrs: ['x1'],
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('acrs');
  });
});
