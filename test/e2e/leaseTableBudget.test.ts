import { describe, expect, it } from 'vitest';
import { CONTOSO, HOME_USERS } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import type { LeaseRequest } from '../../src/domain/request';
import { AppTableRequests, unrecorded } from '../support/appTableRequests';
import { QUICK_TARGET_ID } from '../support/quickTargets';
import { useQuickStack } from '../support/stack';

/**
 * What one lease costs in round trips to the app's own tables (the local task hub's are Azure's in
 * production), counted on the wire through the whole stack: submission, provisioning, one
 * credential reveal, revocation, each step's audit records. One lease at a time, so the audit's
 * group commit shares nothing: its two chains cost 2 transactions per step, 8 per lease. The
 * README's "The lease's own Table Storage round trips" lists them.
 */
const t = useQuickStack();

/**
 * A new technician's lease: configuration version ×3 (submission, provisioning, the reveal: each
 * decides on the configuration as of now; leases at once share these reads) + 1 (revocation's
 * tenant, the cache's once-a-second check: the lease lasts longer); lock claim and release;
 * request create, `active`, `revoking`, `ended`; the reveal's request read; JIT account: its row and
 * the holders of its names in one read, its row before the creation, its row with the object id;
 * audit 8.
 */
const NEW_TECHNICIAN_ROUND_TRIPS = 22;
/** A returning technician: the account's read and its lastUsedAt instead of the 3 above. */
const RETURNING_TECHNICIAN_ROUND_TRIPS = 21;

/** Every table the lease path writes or reads; anything else (a timer's poll) is not the lease's. */
const LEASE_TABLES = /^(\$batch )?\S* ?jit(Requests|LeaseLocks|Accounts|Tenants|Targets|Rules|Audit)\b/;

async function waitFor(what: string, done: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await unrecorded(done)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}

const statusOf = async (id: string): Promise<LeaseRequest['status'] | undefined> =>
  (await getServices().deps.requests.get(id))?.value.status;

/** One whole lease by `technician`, its credential revealed once; answers the app's table requests it made. */
async function lease(technician: string): Promise<string[]> {
  const token = await t.client.token(technician);
  const tables = new AppTableRequests('jit');
  try {
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration: 'PT2S', justification: 'budget' },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);
    await waitFor(`${id} active`, async () => (await statusOf(id)) === 'active');
    const reveal = await t.client.api('POST', `/requests/${id}/credential`, { token });
    expect(reveal.status, reveal.text).toBe(200);
    // The lease's last write: its `lease.ended` audit record, after the lock is given back.
    await waitFor(`${id} ended and audited in both chains`, async () => {
      const audit = getServices().deps.audit;
      for (const chain of [{}, { tenantId: CONTOSO.id }]) {
        const records = await audit.list({ ...chain, requestId: id }, { limit: 20 });
        if (!records.items.some((r) => r.action === 'lease.ended')) return false;
      }
      return true;
    });
    return tables.requests.filter((r) => LEASE_TABLES.test(r));
  } finally {
    tables.close();
  }
}

describe("a lease's own Table Storage round trips", () => {
  it(`a new technician's lease makes ${NEW_TECHNICIAN_ROUND_TRIPS}, a returning one's ${RETURNING_TECHNICIAN_ROUND_TRIPS}: the request read once (by the reveal), the target never`, async () => {
    // The first lease warms this instance's caches (configuration, the tenant's secret).
    await lease(HOME_USERS.alice.userPrincipalName);
    const created = await lease(HOME_USERS.dave.userPrincipalName);
    const reused = await lease(HOME_USERS.alice.userPrincipalName);

    for (const requests of [created, reused]) {
      const listing = requests.join('\n');
      expect(
        requests.filter((r) => r.startsWith('GET jitRequests')),
        listing,
      ).toHaveLength(1);
      expect(
        requests.filter((r) => r.includes('jitTargets')),
        listing,
      ).toEqual([]);
      expect(
        requests.filter((r) => r.startsWith('$batch jitAudit')),
        listing,
      ).toHaveLength(8);
    }
    expect(
      created.filter((r) => r.includes('jitAccounts')),
      created.join('\n'),
    ).toHaveLength(3);
    expect(
      reused.filter((r) => r.includes('jitAccounts')),
      reused.join('\n'),
    ).toHaveLength(2);
    expect(created, created.join('\n')).toHaveLength(NEW_TECHNICIAN_ROUND_TRIPS);
    expect(reused, reused.join('\n')).toHaveLength(RETURNING_TECHNICIAN_ROUND_TRIPS);
  }, 120_000);
});
