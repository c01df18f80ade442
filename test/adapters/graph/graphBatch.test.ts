import { describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { CONTOSO, FULL_APP_PERMISSIONS, ROLE_TEMPLATES, seedAppOf } from '../../../local/sandbox/seed';
import type { GraphDirectory } from '../../../src/adapters/graph/graphDirectoryProvider';
import { GraphUsers } from '../../../src/adapters/graph/graphUsers';
import type { DirectoryUser } from '../../../src/app/ports';
import { DependencyError } from '../../../src/domain/errors';
import { generatePassword } from '../../../src/domain/password';
import { sandboxCall, signsIn, tenantState } from '../sandboxSupport';
import { CONTOSO_GROUPS, contosoDirectory, newAccount, useFaultResettingSandbox } from './graphFixtures';

/**
 * What a lease grants and takes back goes to Graph as JSON $batch: each item is settled on its own
 * (throttled or not-yet-replicated items are sent again, a refused one fails the call naming its
 * permission), and the sandbox counts round trips apart from Graph calls.
 */
let sandbox: RunningSandbox;

useFaultResettingSandbox((started) => (sandbox = started));

const GRANT = {
  roleTemplateIds: [ROLE_TEMPLATES.helpdeskAdministrator, ROLE_TEMPLATES.userAdministrator],
  groupIds: [CONTOSO_GROUPS.helpdeskOperators, CONTOSO_GROUPS.exchangeOperators],
};

async function roundTrips(): Promise<number> {
  return (await tenantState(sandbox, CONTOSO.id)).calls.roundTrips;
}

describe('Graph $batch', () => {
  it('grants two roles and two groups in one round trip, and takes everything back in two', async () => {
    const { directory } = await contosoDirectory(sandbox);
    const account = newAccount();
    const user = (await directory.createDisabledAccount(account)) as DirectoryUser;
    const password = generatePassword();
    await directory.setPasswordAndEnable(user.objectId, password);

    let before = await tenantState(sandbox, CONTOSO.id);
    await directory.grantAccess(user.objectId, GRANT);
    let after = await tenantState(sandbox, CONTOSO.id);
    expect(after.calls.roundTrips - before.calls.roundTrips).toBe(1);
    expect(after.calls.writes - before.calls.writes).toBe(4);
    expect(
      after.roleAssignments
        .filter((a) => a.principalId === user.objectId)
        .map((a) => a.roleDefinitionId)
        .sort(),
    ).toEqual([...GRANT.roleTemplateIds].sort());
    expect(
      after.groups
        .filter((g) => g.memberIds.includes(user.objectId))
        .map((g) => g.id)
        .sort(),
    ).toEqual([...GRANT.groupIds].sort());

    // Granting again changes nothing and still succeeds ("already there" counts as done).
    await directory.grantAccess(user.objectId, GRANT);
    expect(
      (await tenantState(sandbox, CONTOSO.id)).roleAssignments.filter((a) => a.principalId === user.objectId),
    ).toHaveLength(2);

    const read = await directory.readAccess(user.objectId);
    expect(read?.roleAssignments.map((a) => a.roleTemplateId).sort()).toEqual([...GRANT.roleTemplateIds].sort());
    expect(read?.groupIds.sort()).toEqual([...GRANT.groupIds].sort());
    const withGroups = await directory.getUserWithGroups(user.objectId);
    expect(withGroups?.user.accountEnabled).toBe(true);
    expect(withGroups?.groupIds).toEqual(expect.arrayContaining(GRANT.groupIds));

    await directory.disableAccount(user.objectId);
    // Entra keeps signInSessionsValidFromDateTime to the second: let one pass so a revocation shows.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    before = await tenantState(sandbox, CONTOSO.id);
    await directory.stripAccess(user.objectId, generatePassword());
    after = await tenantState(sandbox, CONTOSO.id);
    expect(after.calls.roundTrips - before.calls.roundTrips).toBe(2);
    const stripped = after.users.find((u) => u.id === user.objectId);
    const unstripped = before.users.find((u) => u.id === user.objectId);
    expect(stripped?.passwordVersion).toBe((unstripped?.passwordVersion ?? Infinity) + 1);
    expect(Date.parse(stripped?.signInSessionsValidFromDateTime ?? '')).toBeGreaterThan(
      Date.parse(unstripped?.signInSessionsValidFromDateTime ?? ''),
    );
    expect(after.roleAssignments.filter((a) => a.principalId === user.objectId)).toEqual([]);
    expect(after.groups.filter((g) => g.memberIds.includes(user.objectId))).toEqual([]);
    expect(await signsIn(sandbox, account.userPrincipalName, password)).toBe(false);

    const beforeRead = await roundTrips();
    expect(await directory.readAccess(user.objectId)).toMatchObject({
      user: { accountEnabled: false },
      roleAssignments: [],
      groupIds: [],
    });
    expect((await roundTrips()) - beforeRead).toBe(1);
  });

  it('answers null for a user that does not exist, and NotFound when stripping one', async () => {
    const { directory } = await contosoDirectory(sandbox);
    const user = (await directory.createDisabledAccount(newAccount())) as DirectoryUser;
    await directory.deleteUser(user.objectId);
    expect(await directory.readAccess(user.objectId)).toBeNull();
    expect(await directory.getUserWithGroups(user.objectId)).toBeNull();
    await expect(directory.stripAccess(user.objectId, generatePassword())).rejects.toThrow(/does not exist/);
  });

  it('sends throttled items again on their own until the whole grant is in', async () => {
    const { directory } = await contosoDirectory(sandbox);
    const user = (await directory.createDisabledAccount(newAccount())) as DirectoryUser;
    await sandboxCall(sandbox, 'PUT', '/_sandbox/faults', { throttleRate: 0.5 });
    await directory.grantAccess(user.objectId, GRANT);
    await sandboxCall(sandbox, 'DELETE', '/_sandbox/faults');
    const read = await directory.readAccess(user.objectId);
    expect(read?.roleAssignments).toHaveLength(2);
    expect(read?.groupIds).toHaveLength(2);
  });

  it('waits out replication lag item by item for an account created a moment ago', async () => {
    const { directory } = await contosoDirectory(sandbox);
    await sandboxCall(sandbox, 'PUT', '/_sandbox/faults', { replicationLagMs: 1500 });
    const user = (await directory.createDisabledAccount(newAccount())) as DirectoryUser;
    await directory.grantAccess(user.objectId, GRANT);
    const state = await tenantState(sandbox, CONTOSO.id);
    expect(state.roleAssignments.filter((a) => a.principalId === user.objectId)).toHaveLength(2);
    expect(state.groups.filter((g) => g.memberIds.includes(user.objectId))).toHaveLength(2);
  });

  it('fails the call naming the permission when Graph refuses one item', async () => {
    await sandboxCall(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${seedAppOf(CONTOSO).clientId}`, {
      appPermissions: FULL_APP_PERMISSIONS.filter((p) => p !== 'RoleManagement.ReadWrite.Directory'),
    });
    const { directory } = await contosoDirectory(sandbox);
    const user = (await directory.createDisabledAccount(newAccount())) as DirectoryUser;
    const failure = directory.grantAccess(user.objectId, GRANT);
    await expect(failure).rejects.toBeInstanceOf(DependencyError);
    await expect(failure).rejects.toMatchObject({ dependency: 'graph', code: 'Authorization_RequestDenied' });
    await expect(failure).rejects.toThrow(/assign role .* needs RoleManagement\.ReadWrite\.Directory/);
  });

  it('splits more than 20 requests into batches of 20, answers in step order', async () => {
    const { directory } = await contosoDirectory(sandbox);
    const graph = (directory as GraphDirectory).graph;
    const users = new GraphUsers(graph);
    const ids = CONTOSO.users.map((u) => u.id);
    const steps = Array.from({ length: 25 }, (_, i) => users.getUserStep(ids[i % ids.length] ?? ''));
    const before = await roundTrips();
    const results = await graph.batch(steps);
    expect((await roundTrips()) - before).toBe(2);
    expect(results.map((u) => u?.objectId)).toEqual(steps.map((_, i) => ids[i % ids.length]));
  });
});
