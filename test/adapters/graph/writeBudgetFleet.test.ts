import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { CONTOSO } from '../../../local/sandbox/seed';
import { createAdapters } from '../../../src/adapters';
import {
  DEFAULT_WRITE_BUDGET,
  GRAPH_IDENTITY_WRITE_LIMITS,
  GraphWriteBudget,
  writeBudgetForInstances,
  type GraphPriority,
  type WriteBudgetClock,
} from '../../../src/adapters/graph/writeBudget';
import type { DirectoryUser } from '../../../src/app/ports';
import { WriteLimitReachedError } from '../../../src/domain/errors';
import { generatePassword } from '../../../src/domain/password';
import { settingsSchema } from '../../../src/settings';
import { uniqueName } from '../../support/env';
import { sandboxSettings, startTestSandbox, tenantState } from '../sandboxSupport';
import { connectContoso, newAccount } from './graphFixtures';

/**
 * Each process keeps its own write budget, and Flex Consumption runs up to maximumInstanceCount
 * processes, so each takes 1/n of Graph's limits (n = JIT_GRAPH_WRITE_BUDGET_INSTANCES, which
 * infra/modules/functionApp.bicep sets to maximumInstanceCount): the fleet stays within them.
 */

/** Time stands still: no window ever slides, so whatever is granted is granted in one window. */
const frozenClock: WriteBudgetClock = { now: () => 0, schedule: () => undefined };
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Asks `budget` for `attempts` writes to one tenant and counts how many it grants in one window. */
async function grantedInOneWindow(
  budget: GraphWriteBudget,
  attempts: number,
  priority: GraphPriority,
): Promise<number> {
  let granted = 0;
  for (let i = 0; i < attempts; i++) void budget.acquire('tenant-a', priority).then(() => granted++);
  await flush();
  return granted;
}

describe('Graph write budget shared by a fleet of instances', () => {
  it('never lets n instances together exceed Graph’s published limits, for every n the plan allows', () => {
    for (let instances = 1; instances <= 1000; instances++) {
      const share = writeBudgetForInstances(instances);
      expect(share.perTenant.writes * instances).toBeLessThanOrEqual(GRAPH_IDENTITY_WRITE_LIMITS.perTenant.writes);
      expect(share.perApp.writes * instances).toBeLessThanOrEqual(GRAPH_IDENTITY_WRITE_LIMITS.perApp.writes);
      expect(share.perTenant.windowMs).toBe(GRAPH_IDENTITY_WRITE_LIMITS.perTenant.windowMs);
      expect(share.perApp.windowMs).toBe(GRAPH_IDENTITY_WRITE_LIMITS.perApp.windowMs);
      // Normal writes keep some room next to the revocation reserve.
      expect(Math.floor(share.perTenant.writes * (1 - share.revocationReserve))).toBeGreaterThanOrEqual(1);
    }
    expect(writeBudgetForInstances(1)).toEqual(DEFAULT_WRITE_BUDGET);
    expect(writeBudgetForInstances(40).perTenant.writes).toBe(67);
  });

  it('grants 40 processes of a 40-instance fleet no more, together, than Graph allows one app in a tenant', async () => {
    const fleet = Array.from({ length: 40 }, () => new GraphWriteBudget(writeBudgetForInstances(40), frozenClock));
    let total = 0;
    // Each process tries to send well over its share at once, as containment (which may use it all).
    for (const process of fleet) total += await grantedInOneWindow(process, 100, 'containment');
    expect(total).toBe(40 * 67);
    expect(total).toBeLessThanOrEqual(GRAPH_IDENTITY_WRITE_LIMITS.perTenant.writes);
  });

  it('refuses an instance count that would leave no budget', () => {
    expect(() => writeBudgetForInstances(0)).toThrow(RangeError);
    expect(() => writeBudgetForInstances(2.5)).toThrow(RangeError);
    expect(() =>
      writeBudgetForInstances(2, { ...DEFAULT_WRITE_BUDGET, perTenant: { writes: 2, windowMs: 1000 } }),
    ).toThrow(/no room for normal writes/);
  });

  it('reads JIT_GRAPH_WRITE_BUDGET_INSTANCES as a whole number from 1 to 1000, default 1', () => {
    const base = {
      JIT_HOME_TENANT_ID: CONTOSO.id,
      JIT_API_CLIENT_ID: CONTOSO.id,
      JIT_KEY_VAULT_URL: 'https://kv.example',
      JIT_TABLES_ENDPOINT: 'https://t.example',
      JIT_MANAGED_IDENTITY_CLIENT_ID: CONTOSO.id,
    };
    expect(settingsSchema.parse(base).JIT_GRAPH_WRITE_BUDGET_INSTANCES).toBe(1);
    expect(
      settingsSchema.parse({ ...base, JIT_GRAPH_WRITE_BUDGET_INSTANCES: '40' }).JIT_GRAPH_WRITE_BUDGET_INSTANCES,
    ).toBe(40);
    for (const bad of ['0', '1001', '2.5', 'forty'])
      expect(settingsSchema.safeParse({ ...base, JIT_GRAPH_WRITE_BUDGET_INSTANCES: bad }).success, bad).toBe(false);
  });
});

describe('the adapters take this process’s share', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('refuse the second normal write to a tenant when 1000 instances share the limit (2 writes each, 1 of them reserved for containment)', async () => {
    const settings = { ...sandboxSettings(sandbox), JIT_GRAPH_WRITE_BUDGET_INSTANCES: 1000 };
    const adapters = createAdapters(settings, { tablePrefix: uniqueName('t') });
    const tenant = await connectContoso(adapters);
    const normal = await adapters.directories.forTenant(tenant);
    const user = (await normal.createDisabledAccount(newAccount())) as DirectoryUser; // this process's one normal write
    const writesBefore = (await tenantState(sandbox, CONTOSO.id)).calls.writes;

    // Room comes back only when the first write leaves the 150 s window: refused now, nothing sent.
    const refused = await normal.setPasswordAndEnable(user.objectId, generatePassword()).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(WriteLimitReachedError);
    expect((await tenantState(sandbox, CONTOSO.id)).calls.writes).toBe(writesBefore);
    // The containment reserve is still there.
    const containment = await adapters.directories.forTenant(tenant, { purpose: 'containment' });
    await containment.disableAccount(user.objectId);
    expect((await tenantState(sandbox, CONTOSO.id)).calls.writes).toBe(writesBefore + 1);
  });
});
