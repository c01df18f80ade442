import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionsWithTrigger, installFunctionsCore } from '../../local/host/functionsCore';
import { CONTOSO, FABRIKAM, HOME_GROUPS, HOME_USERS } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { connectQuickTargets, QUICK_TARGET_ID } from '../support/quickTargets';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The authorization matrix: every HTTP endpoint × every kind of caller gets exactly the allowed
 * outcome. Callers with no valid home-tenant token (none, expired, wrong audience, another tenant's
 * user, a forged signature) get 401 everywhere but the public endpoints; authenticated callers get
 * 403 where the policy refuses them and anything but 401/403 where it allows them. A test also
 * checks that the matrix names every registered endpoint.
 */
type BadCaller = 'anonymous' | 'expired' | 'wrongAudience' | 'otherTenant' | 'forged';
type GoodCaller = 'requester' | 'otherTechnician' | 'approver' | 'admin';
const BAD: readonly BadCaller[] = ['anonymous', 'expired', 'wrongAudience', 'otherTenant', 'forged'];
const GOOD: readonly GoodCaller[] = ['requester', 'otherTechnician', 'approver', 'admin'];

interface Case {
  readonly route: string;
  readonly method: string;
  readonly path: () => string;
  readonly body?: unknown;
  /** Who may; 'public': everyone (no token needed); 'signed': nobody with a bearer token (HMAC only). */
  readonly allowed: readonly GoodCaller[] | 'public' | 'signed';
  /** An allowed call changes the request: each allowed caller gets a fresh one. */
  readonly fresh?: (caller: GoodCaller) => Promise<string>;
}

let t: TestStack;
const tokens = new Map<BadCaller | GoodCaller, string | undefined>();
let activeId = '';
let pendingId = '';
let integrationId = '';
const APPROVAL_TARGET = 'approval-admin';

beforeAll(async () => {
  t = await startTestStack();
  const deps = getServices().deps;
  await connectQuickTargets(deps);
  const now = new Date().toISOString();
  const quick = await deps.config.getTarget(FABRIKAM.id, QUICK_TARGET_ID);
  if (quick === null) throw new Error('quick target missing');
  await deps.config.createTarget({
    ...quick.value,
    targetId: APPROVAL_TARGET,
    name: 'Needs approval',
    approval: { mode: 'required', approvers: [], deadline: 'PT1H' },
    createdAt: now,
    updatedAt: now,
  });
  await deps.config.createRule({
    ruleId: 'technicians-approval',
    principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
    scope: { targets: [{ tenantId: FABRIKAM.id, targetId: APPROVAL_TARGET }] },
    createdAt: now,
    updatedAt: now,
  });
  const c = t.client;
  const alice = HOME_USERS.alice.userPrincipalName;
  tokens.set('anonymous', undefined);
  tokens.set('expired', await c.token(alice, { expiresInSeconds: -600 }));
  tokens.set('wrongAudience', await c.token(alice, { audience: 'api://another-api' }));
  tokens.set('otherTenant', await c.token(`staff@${CONTOSO.domains[0]?.id ?? ''}`));
  tokens.set('forged', await c.token(alice, { untrustedKey: true }));
  tokens.set('requester', await c.token(alice));
  tokens.set('otherTechnician', await c.token(HOME_USERS.dave.userPrincipalName));
  tokens.set('approver', await c.token(HOME_USERS.bob.userPrincipalName));
  tokens.set('admin', await c.token(HOME_USERS.carol.userPrincipalName));
  activeId = await activeLease();
  pendingId = await pendingRequest();
  const integration = await c.api('POST', '/integrations', {
    token: tokens.get('admin'),
    body: { name: 'PSA', kind: 'generic' },
  });
  expect(integration.status, integration.text).toBe(201);
  integrationId = String(integration.body.integrationId);
}, 60_000);

afterAll(async () => {
  await t?.stack.close();
});

async function activeLease(): Promise<string> {
  const token = tokens.get('requester');
  const submit = await t.client.api('POST', '/requests', {
    token,
    body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration: 'PT1H' },
  });
  expect(submit.status, submit.text).toBe(202);
  const id = String(submit.body.id);
  await t.client.waitForRequest(id, token ?? '', (r) => r.status === 'active');
  return id;
}

async function pendingRequest(): Promise<string> {
  const token = tokens.get('requester');
  const submit = await t.client.api('POST', '/requests', {
    token,
    body: { tenantId: FABRIKAM.id, targetId: APPROVAL_TARGET, duration: 'PT1H' },
  });
  expect(submit.status, submit.text).toBe(202);
  expect(submit.body.status).toBe('pending_approval');
  return String(submit.body.id);
}

/** Ends the requester's live request in a tenant so a fresh one can be made there. */
async function endLive(id: string): Promise<void> {
  const admin = tokens.get('admin');
  const current = await t.client.api('GET', `/requests/${id}`, { token: admin });
  if (current.body.status === 'ended' || current.body.status === 'failed') return;
  await t.client.api('POST', `/requests/${id}/revoke`, { token: admin, body: {} });
  await t.client.waitForRequest(id, admin ?? '', (r) => r.status === 'ended' || r.status === 'failed');
}

async function freshActive(): Promise<string> {
  await endLive(activeId);
  activeId = await activeLease();
  return activeId;
}

async function freshPending(): Promise<string> {
  await endLive(pendingId);
  pendingId = await pendingRequest();
  return pendingId;
}

const ADMIN: readonly GoodCaller[] = ['admin'];
const EVERYONE: readonly GoodCaller[] = GOOD;
const uuid = (): string => randomUUID();

const cases: Case[] = [
  { route: 'health', method: 'GET', path: () => '/health', allowed: 'public' },
  { route: 'openapi.json', method: 'GET', path: () => '/openapi.json', allowed: 'public' },
  // A real integration: a bearer token never stands in for its HMAC signature.
  {
    route: 'webhooks/{integrationId}',
    method: 'POST',
    path: () => `/webhooks/${integrationId}`,
    body: {},
    allowed: 'signed',
  },
  { route: 'entitlements', method: 'GET', path: () => '/entitlements', allowed: EVERYONE },
  {
    route: 'entitlements/check',
    method: 'POST',
    path: () => '/entitlements/check',
    body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID },
    allowed: EVERYONE,
  },
  { route: 'requests', method: 'GET', path: () => '/requests', allowed: EVERYONE },
  // An invalid body: authorised callers get 400 from validation, the others never get that far.
  { route: 'requests', method: 'POST', path: () => '/requests', body: {}, allowed: EVERYONE },
  {
    route: 'requests/{id}',
    method: 'GET',
    path: () => `/requests/${activeId}`,
    allowed: ['requester', 'approver', 'admin'],
  },
  {
    route: 'requests/{id}/credential',
    method: 'POST',
    path: () => `/requests/${activeId}/credential`,
    allowed: ['requester'],
  },
  {
    route: 'requests/{id}/extend',
    method: 'POST',
    path: () => `/requests/${activeId}/extend`,
    body: { duration: 'PT5M' },
    allowed: ['requester', 'admin'],
  },
  {
    route: 'requests/{id}/revoke',
    method: 'POST',
    path: () => `/requests/${activeId}/revoke`,
    body: {},
    allowed: ['requester', 'admin'],
    fresh: freshActive,
  },
  {
    route: 'requests/{id}/approve',
    method: 'POST',
    path: () => `/requests/${pendingId}/approve`,
    body: {},
    allowed: ['approver'],
    fresh: freshPending,
  },
  {
    route: 'requests/{id}/deny',
    method: 'POST',
    path: () => `/requests/${pendingId}/deny`,
    body: { comment: 'no' },
    allowed: ['approver'],
    fresh: freshPending,
  },
  { route: 'tenants', method: 'GET', path: () => '/tenants', allowed: ADMIN },
  { route: 'tenants', method: 'POST', path: () => '/tenants', body: {}, allowed: ADMIN },
  { route: 'tenants/readiness', method: 'GET', path: () => '/tenants/readiness', allowed: ADMIN },
  { route: 'customers', method: 'GET', path: () => '/customers', allowed: ADMIN },
  { route: 'customers/connect', method: 'POST', path: () => '/customers/connect', body: {}, allowed: ADMIN },
  { route: 'tenants/{tenantId}', method: 'GET', path: () => `/tenants/${CONTOSO.id}`, allowed: ADMIN },
  {
    route: 'tenants/{tenantId}',
    method: 'PATCH',
    path: () => `/tenants/${CONTOSO.id}`,
    body: { displayName: 5 },
    allowed: ADMIN,
  },
  { route: 'tenants/{tenantId}', method: 'DELETE', path: () => `/tenants/${uuid()}`, allowed: ADMIN },
  { route: 'tenants/{tenantId}/verify', method: 'POST', path: () => `/tenants/${CONTOSO.id}/verify`, allowed: ADMIN },
  {
    route: 'tenants/{tenantId}/consent-url',
    method: 'GET',
    path: () => `/tenants/${CONTOSO.id}/consent-url`,
    allowed: ADMIN,
  },
  { route: 'tenants/{tenantId}/targets', method: 'GET', path: () => `/tenants/${CONTOSO.id}/targets`, allowed: ADMIN },
  {
    route: 'tenants/{tenantId}/targets',
    method: 'POST',
    path: () => `/tenants/${CONTOSO.id}/targets`,
    body: {},
    allowed: ADMIN,
  },
  {
    route: 'tenants/{tenantId}/targets/{targetId}',
    method: 'GET',
    path: () => `/tenants/${CONTOSO.id}/targets/${QUICK_TARGET_ID}`,
    allowed: ADMIN,
  },
  {
    route: 'tenants/{tenantId}/targets/{targetId}',
    method: 'PATCH',
    path: () => `/tenants/${CONTOSO.id}/targets/${QUICK_TARGET_ID}`,
    body: { name: 5 },
    allowed: ADMIN,
  },
  {
    route: 'tenants/{tenantId}/targets/{targetId}',
    method: 'DELETE',
    path: () => `/tenants/${CONTOSO.id}/targets/no-such-target`,
    allowed: ADMIN,
  },
  { route: 'rules', method: 'GET', path: () => '/rules', allowed: ADMIN },
  { route: 'rules', method: 'POST', path: () => '/rules', body: {}, allowed: ADMIN },
  { route: 'rules/{ruleId}', method: 'GET', path: () => '/rules/technicians-quick', allowed: ADMIN },
  { route: 'rules/{ruleId}', method: 'PUT', path: () => '/rules/technicians-quick', body: {}, allowed: ADMIN },
  { route: 'rules/{ruleId}', method: 'DELETE', path: () => '/rules/no-such-rule', allowed: ADMIN },
  { route: 'integrations', method: 'GET', path: () => '/integrations', allowed: ADMIN },
  { route: 'integrations', method: 'POST', path: () => '/integrations', body: {}, allowed: ADMIN },
  {
    route: 'integrations/{integrationId}',
    method: 'GET',
    path: () => `/integrations/${integrationId}`,
    allowed: ADMIN,
  },
  // An invalid body: the admin gets 400 and the integration stays as it is (its webhook row above still needs it).
  {
    route: 'integrations/{integrationId}',
    method: 'PATCH',
    path: () => `/integrations/${integrationId}`,
    body: { enabled: 'no' },
    allowed: ADMIN,
  },
  { route: 'integrations/{integrationId}', method: 'DELETE', path: () => `/integrations/${uuid()}`, allowed: ADMIN },
  { route: 'audit', method: 'GET', path: () => '/audit', allowed: ADMIN },
  { route: 'audit/verify', method: 'GET', path: () => '/audit/verify', allowed: ADMIN },
  { route: 'ops/reconcile', method: 'POST', path: () => '/ops/reconcile', allowed: ADMIN },
  // The Teams bot: a Bot Framework token only; no Entra bearer token (not even an admin's) gets in.
  { route: 'messages', method: 'POST', path: () => '/messages', body: {}, allowed: 'signed' },
  { route: 'templates', method: 'GET', path: () => '/templates', allowed: ADMIN },
  { route: 'templates', method: 'POST', path: () => '/templates', body: {}, allowed: ADMIN },
  { route: 'templates/{templateId}', method: 'GET', path: () => '/templates/no-such-template', allowed: ADMIN },
  {
    route: 'templates/{templateId}',
    method: 'PUT',
    path: () => '/templates/no-such-template',
    body: {},
    allowed: ADMIN,
  },
  { route: 'templates/{templateId}', method: 'DELETE', path: () => '/templates/no-such-template', allowed: ADMIN },
  {
    route: 'templates/{templateId}/apply',
    method: 'POST',
    path: () => '/templates/no-such-template/apply',
    body: {},
    allowed: ADMIN,
  },
  {
    route: 'templates/{templateId}/tenants',
    method: 'GET',
    path: () => '/templates/no-such-template/tenants',
    allowed: ADMIN,
  },
  { route: 'directory/principals', method: 'GET', path: () => '/directory/principals?search=al', allowed: ADMIN },
  {
    route: 'tenants/{tenantId}/role-definitions',
    method: 'GET',
    path: () => `/tenants/${CONTOSO.id}/role-definitions`,
    allowed: ADMIN,
  },
  {
    route: 'tenants/{tenantId}/groups',
    method: 'GET',
    path: () => `/tenants/${CONTOSO.id}/groups?search=op`,
    allowed: ADMIN,
  },
  {
    route: 'tenants/{tenantId}/report',
    method: 'GET',
    path: () => `/tenants/${CONTOSO.id}/report?from=2026-11-01&to=2026-11-30`,
    allowed: ADMIN,
  },
  {
    route: 'tenants/{tenantId}/report-settings',
    method: 'GET',
    path: () => `/tenants/${CONTOSO.id}/report-settings`,
    allowed: ADMIN,
  },
  {
    route: 'tenants/{tenantId}/report-settings',
    method: 'PUT',
    path: () => `/tenants/${CONTOSO.id}/report-settings`,
    body: {},
    allowed: ADMIN,
  },
];

describe('authorization matrix', () => {
  it('names every registered HTTP endpoint', () => {
    const registered = functionsWithTrigger(installFunctionsCore(), 'httpTrigger').flatMap((fn) => {
      const binding = Object.values(fn.metadata.bindings).find((b) => b.type === 'httpTrigger');
      return ((binding?.methods as string[] | undefined) ?? ['GET']).map(
        (m) => `${m.toUpperCase()} ${String(binding?.route)}`,
      );
    });
    expect(cases.map((c) => `${c.method} ${c.route}`).sort()).toEqual([...new Set(registered)].sort());
  });

  it.each(cases.map((c) => [`${c.method} /${c.route}`, c] as const))('%s', async (_name, c) => {
    const outcomes: string[] = [];
    const call = async (caller: BadCaller | GoodCaller, path: string): Promise<number> => {
      const token = tokens.get(caller);
      const response = await t.client.api(c.method, path, {
        ...(token !== undefined ? { token } : {}),
        ...(c.body !== undefined ? { body: c.body } : {}),
      });
      outcomes.push(`${caller}: ${response.status}`);
      return response.status;
    };
    for (const caller of BAD) {
      const status = await call(caller, c.path());
      if (c.allowed === 'public') expect(status, outcomes.join(', ')).toBe(200);
      else expect(status, outcomes.join(', ')).toBe(401);
    }
    // Refused callers first, on the shared objects; then each allowed caller (on a fresh object
    // when an allowed call changes it).
    const goods = [...GOOD].sort((a, b) => Number(isAllowed(c, a)) - Number(isAllowed(c, b)));
    for (const caller of goods) {
      const allowed = isAllowed(c, caller);
      if (allowed && c.fresh !== undefined) await c.fresh(caller);
      const status = await call(caller, c.path());
      if (c.allowed === 'public') expect(status, outcomes.join(', ')).toBe(200);
      else if (c.allowed === 'signed') expect(status, outcomes.join(', ')).toBe(401);
      else if (allowed) expect([401, 403], outcomes.join(', ')).not.toContain(status);
      else expect(status, outcomes.join(', ')).toBe(403);
    }
  });
});

function isAllowed(c: Case, caller: GoodCaller): boolean {
  return Array.isArray(c.allowed) && c.allowed.includes(caller);
}
