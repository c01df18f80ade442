import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, FABRIKAM, HOME_USERS, ROLE_TEMPLATES } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { tenantState, userState, type SandboxState } from '../support/client';
import { connectQuickTargets, QUICK_TARGET_ID } from '../support/quickTargets';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Nothing left enabled under faults: with 20% of Graph calls throttled (429 + Retry-After), 10%
 * failing with 5xx and 2 s of replication lag after every user creation, rounds of concurrent leases
 * across two tenants all end with the account disabled, sessions revoked, roles and groups removed,
 * password rotated and credential deleted, read back from the directory. Sizes come from the
 * environment so `CHAOS_ROUNDS=10 npx vitest run test/e2e/chaos.test.ts` soaks longer.
 */
const ROUNDS = Number(process.env.CHAOS_ROUNDS ?? 2);
const technicians = [HOME_USERS.alice, HOME_USERS.dave];
const tenants = [CONTOSO, FABRIKAM];
let t: TestStack;

beforeAll(async () => {
  // With 10% of Graph calls failing, now and then all six attempts of a revocation round fail and
  // the lease is revocation_failed until the next round: that path is what this test must see end
  // well, but at production spacing (back-off up to 60 s, rounds a minute apart) it outlasts the
  // test's wait. The spacing itself is tested in test/workflow/leaseOrchestrator.test.ts.
  process.env.JIT_ACTIVITY_RETRY_FIRST_INTERVAL_MS ??= '200';
  process.env.JIT_REVOCATION_RETRY_INTERVAL ??= 'PT5S';
  t = await startTestStack();
  await connectQuickTargets(getServices().deps);
  const faults = await t.client.sandbox('PUT', '/_sandbox/faults', {
    throttleRate: 0.2,
    errorRate: 0.1,
    replicationLagMs: 2000,
  });
  expect(faults.status, faults.text).toBe(200);
}, 60_000);

afterAll(async () => {
  await t?.stack.close();
});

interface Lease {
  readonly id: string;
  readonly tenantId: string;
  readonly token: string;
}

describe('leases under Graph faults', () => {
  it(`${ROUNDS} rounds × ${technicians.length * tenants.length} concurrent leases all end fully revoked`, async () => {
    const tokens = new Map<string, string>();
    for (const tech of technicians) tokens.set(tech.id, await t.client.token(tech.userPrincipalName));
    let leasesRun = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const leases: Lease[] = [];
      for (const tech of technicians) {
        for (const tenant of tenants) {
          const token = tokens.get(tech.id) ?? '';
          const submit = await t.client.api('POST', '/requests', {
            token,
            body: { tenantId: tenant.id, targetId: QUICK_TARGET_ID, duration: 'PT2S' },
          });
          expect(submit.status, submit.text).toBe(202);
          leases.push({ id: String(submit.body.id), tenantId: tenant.id, token });
        }
      }
      const ended = await Promise.all(
        leases.map((l) =>
          t.client.waitForRequest(l.id, l.token, (r) => r.status === 'ended' || r.status === 'failed', 180_000),
        ),
      );
      leasesRun += leases.length;
      const state = await t.client.state();
      for (const [i, request] of ended.entries()) {
        const lease = leases[i];
        if (lease === undefined) throw new Error('lease list out of step');
        // Under faults a lease may fail to provision (and is then cleaned up); it must never stay live.
        expect(['ended', 'failed']).toContain(request.status);
        if (request.status === 'ended') expect(request.endReason).toBe('expired');
        const account = request.account as { userPrincipalName: string; objectId: string } | null;
        if (account !== null)
          expectRevoked(state, lease.tenantId, account, String(request.activatedAt ?? request.createdAt));
        expect(state.keyVault.secrets.filter((s) => s.name === `lease-${lease.id}` && !s.deleted)).toEqual([]);
      }
      const succeeded = ended.filter((r) => r.status === 'ended').length;
      console.log(
        `chaos round ${round}: ${succeeded}/${ended.length} leases ended after an active lease, the rest failed cleanly`,
      );
    }
    const state = await t.client.state();
    for (const tenant of tenants) {
      const jitUsers = tenantState(state, tenant.id).users.filter((u) => u.userPrincipalName.startsWith('jit-'));
      // One account per technician per tenant, reused across rounds: no duplicates.
      expect(jitUsers.map((u) => u.userPrincipalName).sort()).toEqual(
        ['jit-alice', 'jit-dave'].map((a) => `${a}@${tenant.domains[0]?.id ?? ''}`).sort(),
      );
      expect(tenantState(state, tenant.id).protectedWriteAttempts).toBe(0);
    }
    console.log(
      `chaos: ${leasesRun} leases under 20% throttling, 10% 5xx, 2 s replication lag; Graph calls ${tenants.map((x) => tenantState(state, x.id).calls.total).join('+')}`,
    );
  }, 600_000);
});

function expectRevoked(
  state: SandboxState,
  tenantId: string,
  account: { userPrincipalName: string; objectId: string },
  since: string,
): void {
  const user = userState(state, tenantId, account.userPrincipalName);
  expect(user, `${account.userPrincipalName} exists`).toBeDefined();
  expect(user?.accountEnabled, `${account.userPrincipalName} disabled`).toBe(false);
  expect(Date.parse(user?.signInSessionsValidFromDateTime ?? '')).toBeGreaterThanOrEqual(Date.parse(since) - 1000);
  expect(Date.parse(user?.lastPasswordChangeDateTime ?? '')).toBeGreaterThanOrEqual(Date.parse(since) - 1000);
  const tenant = tenantState(state, tenantId);
  expect(
    tenant.roleAssignments.filter(
      (a) => a.principalId === account.objectId && a.roleDefinitionId === ROLE_TEMPLATES.helpdeskAdministrator,
    ),
  ).toEqual([]);
  expect(tenant.groups.filter((g) => g.memberIds.includes(account.objectId))).toEqual([]);
}
