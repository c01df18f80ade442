import { describe, expect, it } from 'vitest';
import { CONTOSO, FABRIKAM, HOME_GROUPS, HOME_USERS } from '../../local/sandbox/seed';
import { QUICK_TARGET_ID } from '../support/quickTargets';
import { useQuickStack } from '../support/stack';

/**
 * Provisioning that finds the app's share of Graph's write limit used up must not hold the
 * activity slots that revocations need (bench: 500 leases in one tenant left expired leases
 * active for minutes). A small write budget — this process's share when 100 instances split
 * Graph's limit: 27 writes per 150 s in a tenant, 21 of them for provisioning — and two activity
 * slots (host.json maxConcurrentActivityFunctions, set through its app-setting override): the
 * leases that no longer fit in Contoso wait for the window, and a lease in Fabrikam that expires
 * meanwhile is still revoked at once. Set before the stack (and the app's settings) load.
 */
process.env['JIT_GRAPH_WRITE_BUDGET_INSTANCES'] = '100';
process.env['AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions'] = '2';

const t = useQuickStack([CONTOSO, FABRIKAM]);

/** More leases than Contoso's provisioning share fits (3 writes each: the account, its role and group). */
const CONTOSO_LEASES = 10;
/** Long enough for Contoso's share to be used up before it expires. */
const EXPIRING_LEASE = 'PT30S';
/** From expiry to ended when revocation can start at once (it takes about a second). */
const PROMPT_REVOCATION_MS = 15_000;

async function technician(index: number): Promise<string> {
  const user = `slots-${index}@msp.example`;
  const created = await t.client.sandbox('POST', '/_sandbox/tenants/msp.example/users', {
    userPrincipalName: user,
    groups: [HOME_GROUPS.allTechnicians.id],
  });
  expect(created.status, created.text).toBe(201);
  return t.client.token(user);
}

async function submit(token: string, tenantId: string, duration: string): Promise<string> {
  const response = await t.client.api('POST', '/requests', {
    token,
    body: { tenantId, targetId: QUICK_TARGET_ID, duration, justification: 'write limit' },
  });
  expect(response.status, response.text).toBe(202);
  return String(response.body.id);
}

async function statusOf(id: string, token: string): Promise<string> {
  const response = await t.client.api('GET', `/requests/${id}`, { token });
  expect(response.status, response.text).toBe(200);
  return String(response.body.status);
}

describe("provisioning waiting for Graph's write limit", () => {
  it('leaves the activity slots free: a lease that expires meanwhile in another tenant is revoked at once', async () => {
    const alice = await t.client.token(HOME_USERS.alice.userPrincipalName);
    const expiring = await submit(alice, FABRIKAM.id, EXPIRING_LEASE);
    const active = await t.client.waitForRequest(expiring, alice, (r) => r.status === 'active');
    const expiresAt = Date.parse(String(active.expiresAt));

    // Contoso's provisioning share is used up by the first seven or so; the rest must wait for the window.
    const tokens = await Promise.all(Array.from({ length: CONTOSO_LEASES }, (_, i) => technician(i)));
    const leases = await Promise.all(
      tokens.map(async (token) => ({ token, id: await submit(token, CONTOSO.id, 'PT1H') })),
    );
    const statuses = async (): Promise<string[]> => Promise.all(leases.map((l) => statusOf(l.id, l.token)));
    for (let seen = await statuses(); seen.filter((s) => s === 'active').length < 5; seen = await statuses()) {
      expect(Date.now(), `Contoso leases were not provisioned up to the write limit: ${seen.join(', ')}`).toBeLessThan(
        expiresAt,
      );
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 2_000));
    expect(Date.now(), 'the scenario must be set up before the Fabrikam lease expires').toBeLessThan(expiresAt);
    expect((await statuses()).filter((s) => s === 'provisioning').length).toBeGreaterThan(0);

    // The expired lease is revoked promptly although provisioning is still waiting for the window.
    await t.client.waitForRequest(
      expiring,
      alice,
      (r) => r.status === 'ended',
      expiresAt - Date.now() + PROMPT_REVOCATION_MS,
    );
    expect(Date.now() - expiresAt).toBeLessThan(PROMPT_REVOCATION_MS);
    const after = await statuses();
    expect(after.filter((s) => s === 'provisioning').length, after.join(', ')).toBeGreaterThan(0);
    expect(
      after.every((s) => s === 'active' || s === 'provisioning'),
      after.join(', '),
    ).toBe(true);

    // A request waiting for the window can still be withdrawn: it fails at once, its lock released.
    const waiting = leases[after.indexOf('provisioning')];
    if (waiting === undefined) throw new Error('no lease left provisioning');
    const revoked = await t.client.api('POST', `/requests/${waiting.id}/revoke`, { token: waiting.token, body: {} });
    expect(revoked.status, revoked.text).toBe(202);
    const failed = await t.client.waitForRequest(waiting.id, waiting.token, (r) => r.status === 'failed', 15_000);
    expect(String(failed.failure)).toContain("Microsoft Graph's write limit");
  }, 120_000);
});
