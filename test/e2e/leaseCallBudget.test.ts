import { describe, expect, it } from 'vitest';
import { CONTOSO, HOME_GROUPS, HOME_USERS, ROLE_TEMPLATES } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { tenantState, userState } from '../support/client';
import { useQuickStack } from '../support/stack';

/**
 * What one lease of a two-role target costs in Microsoft Graph writes and Key Vault calls (the
 * benchmark's target is the same shape), counted by the sandbox: the whole lease, request to
 * revocation read back, with one credential reveal. Graph's write quotas bound how many leases a
 * customer tenant can take; these are the budgets the performance section of the README quotes.
 */
const t = useQuickStack();

const TWO_ROLE_TARGET_ID = 'two-role-budget';
const MAX_GRAPH_WRITES = 8;
/** Written, revealed once, deleted, purged. */
const KEY_VAULT_CALLS = 4;

interface Calls {
  readonly graphWrites: number;
  readonly keyVault: number;
}

async function calls(): Promise<Calls> {
  const res = await t.client.sandbox<{
    tenants: { id: string; calls: { writes: number } }[];
    keyVault: { total: number };
  }>('GET', '/_sandbox/calls');
  expect(res.status, res.text).toBe(200);
  return {
    graphWrites: res.body.tenants.find((x) => x.id === CONTOSO.id)?.calls.writes ?? 0,
    keyVault: res.body.keyVault.total,
  };
}

/** One whole lease by `technician`; answers its account and what it cost. */
async function lease(
  technician: string,
): Promise<{ account: { objectId: string; userPrincipalName: string } } & Calls> {
  const token = await t.client.token(technician);
  const before = await calls();
  const submit = await t.client.api('POST', '/requests', {
    token,
    body: { tenantId: CONTOSO.id, targetId: TWO_ROLE_TARGET_ID, duration: 'PT2S', justification: 'budget' },
  });
  expect(submit.status, submit.text).toBe(202);
  const id = String(submit.body.id);
  const active = await t.client.waitForRequest(id, token, (r) => r.status === 'active');
  const reveal = await t.client.api('POST', `/requests/${id}/credential`, { token });
  expect(reveal.status, reveal.text).toBe(200);
  await t.client.waitForRequest(id, token, (r) => r.status === 'ended', 30_000);
  const after = await calls();
  return {
    account: active.account as { objectId: string; userPrincipalName: string },
    graphWrites: after.graphWrites - before.graphWrites,
    keyVault: after.keyVault - before.keyVault,
  };
}

describe('what a lease of a two-role target costs', () => {
  it(`new account or reused: at most ${MAX_GRAPH_WRITES} Graph writes and ${KEY_VAULT_CALLS} Key Vault calls, and the account ends fully revoked`, async () => {
    const now = new Date().toISOString();
    await getServices().deps.config.createTarget({
      tenantId: CONTOSO.id,
      targetId: TWO_ROLE_TARGET_ID,
      name: 'Two roles',
      kind: 'adminAccount',
      roles: [{ templateId: ROLE_TEMPLATES.userAdministrator }, { templateId: ROLE_TEMPLATES.helpdeskAdministrator }],
      groups: [],
      defaultDuration: 'PT2S',
      minDuration: 'PT1S',
      maxDuration: 'PT1H',
      approval: { mode: 'none' },
      requireJustification: false,
      requireTicket: false,
      credentialType: 'password',
      createdAt: now,
      updatedAt: now,
    });
    await getServices().deps.config.createRule({
      ruleId: 'technicians-two-roles',
      principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
      scope: { targets: [{ tenantId: CONTOSO.id, targetId: TWO_ROLE_TARGET_ID }] },
      createdAt: now,
      updatedAt: now,
    });

    // The first lease also reads the tenant's client secret (cached after): not a lease's cost.
    const warmUp = await lease(HOME_USERS.alice.userPrincipalName);
    const created = await lease(HOME_USERS.dave.userPrincipalName); // a new JIT account
    const reused = await lease(HOME_USERS.alice.userPrincipalName); // the account of the first lease again
    expect(reused.account.objectId).toBe(warmUp.account.objectId);

    // New account: created enabled with its password (1), 2 roles (2); disabled (1), sessions
    // revoked (1), password rotated (1), 2 roles removed (2).
    expect(created.graphWrites).toBeLessThanOrEqual(MAX_GRAPH_WRITES);
    // Reused account: enabled with a new password (1) instead of the creation.
    expect(reused.graphWrites).toBeLessThanOrEqual(MAX_GRAPH_WRITES);
    expect(created.keyVault).toBe(KEY_VAULT_CALLS);
    expect(reused.keyVault).toBe(KEY_VAULT_CALLS);

    const state = await t.client.state();
    for (const { account } of [created, reused]) {
      expect(userState(state, CONTOSO.id, account.userPrincipalName)?.accountEnabled).toBe(false);
      expect(tenantState(state, CONTOSO.id).roleAssignments.filter((a) => a.principalId === account.objectId)).toEqual(
        [],
      );
    }
    expect(state.keyVault.secrets.filter((s) => s.name.startsWith('lease-'))).toEqual([]);
  });
});
