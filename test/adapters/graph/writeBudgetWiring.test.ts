import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { CONTOSO, ROLE_TEMPLATES } from '../../../local/sandbox/seed';
import { createAdapters } from '../../../src/adapters';
import { GraphWriteBudget } from '../../../src/adapters/graph/writeBudget';
import type { DirectoryUser } from '../../../src/app/ports';
import { WriteLimitReachedError } from '../../../src/domain/errors';
import { generatePassword } from '../../../src/domain/password';
import { uniqueName } from '../../support/env';
import { sandboxSettings, startTestSandbox, tenantState } from '../sandboxSupport';
import { CONTOSO_GROUPS, connectContoso, newAccount } from './graphFixtures';

/**
 * The write budget sits on every Graph write the adapter sends: with a tiny window, normal writes
 * stop at the reserve (refused with when to try again, as the room is more than a moment away),
 * reads go on, and the tenant's revocation client still writes.
 */
let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox();
});

afterAll(async () => {
  await sandbox.close();
});

/** What the call was refused with, through the whole Graph client (null when it went through). */
function refusalOf(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => null,
    (error: unknown) => error,
  );
}

describe('Graph write budget wiring', () => {
  it('refuses normal writes past the reserve (room a minute away) while reads and revocation writes go through', async () => {
    // 4 writes a minute in the tenant: 2 for normal writes, the other 2 kept for revocations.
    const budget = new GraphWriteBudget({
      perTenant: { writes: 4, windowMs: 60_000 },
      perApp: { writes: 100, windowMs: 60_000 },
      revocationReserve: 0.5,
      containmentReserve: 0.25,
    });
    const adapters = createAdapters(sandboxSettings(sandbox), {
      tablePrefix: uniqueName('t'),
      graph: { writeBudget: budget },
    });
    const tenant = await connectContoso(adapters);
    const normal = await adapters.directories.forTenant(tenant);
    const revocation = await adapters.directories.forTenant(tenant, { purpose: 'revocation' });

    const user = (await normal.createDisabledAccount(newAccount())) as DirectoryUser; // write 1
    await normal.setPasswordAndEnable(user.objectId, generatePassword()); // write 2: the normal share is used up
    const writesBefore = (await tenantState(sandbox, CONTOSO.id)).calls.writes;

    // Room for it comes back in a minute: refused now, with when to try again, and nothing sent.
    const refused = await refusalOf(normal.setPasswordAndEnable(user.objectId, generatePassword()));
    expect(refused).toBeInstanceOf(WriteLimitReachedError);
    expect((refused as WriteLimitReachedError).retryAfterMs).toBeGreaterThan(50_000);
    expect(budget.queued).toBe(0);
    expect((await tenantState(sandbox, CONTOSO.id)).calls.writes).toBe(writesBefore);
    // Reads are not budgeted.
    expect(await normal.getUser(user.objectId)).toMatchObject({ objectId: user.objectId });
    // The revocation client uses the reserve at once.
    await revocation.disableAccount(user.objectId);
    const state = await tenantState(sandbox, CONTOSO.id);
    expect(state.calls.writes).toBe(writesBefore + 1);
    expect(state.users.find((u) => u.id === user.objectId)?.accountEnabled).toBe(false);
  });

  it('takes one write per write inside a $batch, and none for the reads in it', async () => {
    // A normal share of 3 writes: the account (1) and a grant of 3 (2 roles, 1 group) do not fit.
    const budget = new GraphWriteBudget({
      perTenant: { writes: 6, windowMs: 60_000 },
      perApp: { writes: 100, windowMs: 60_000 },
      revocationReserve: 0.5,
      containmentReserve: 0.25,
    });
    const adapters = createAdapters(sandboxSettings(sandbox), {
      tablePrefix: uniqueName('t'),
      graph: { writeBudget: budget },
    });
    const tenant = await connectContoso(adapters);
    const normal = await adapters.directories.forTenant(tenant);
    const user = (await normal.createDisabledAccount(newAccount())) as DirectoryUser; // write 1
    // A batch of reads only takes nothing.
    expect(await normal.readAccess(user.objectId)).toMatchObject({ roleAssignments: [], groupIds: [] });
    const writesBefore = (await tenantState(sandbox, CONTOSO.id)).calls.writes;

    const refused = await refusalOf(
      normal.grantAccess(user.objectId, {
        roleTemplateIds: [ROLE_TEMPLATES.helpdeskAdministrator, ROLE_TEMPLATES.userAdministrator],
        groupIds: [CONTOSO_GROUPS.helpdeskOperators],
      }),
    );
    // Two of its three writes fit; the batch does not leave without room for the third.
    expect(refused).toBeInstanceOf(WriteLimitReachedError);
    expect(budget.queued).toBe(0);
    expect((await tenantState(sandbox, CONTOSO.id)).calls.writes).toBe(writesBefore);
  });
});
