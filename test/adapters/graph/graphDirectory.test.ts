import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { CONTOSO, ROLE_TEMPLATES } from '../../../local/sandbox/seed';
import type { Directory, DirectoryUser } from '../../../src/app/ports';
import { NotFoundError, ValidationError } from '../../../src/domain/errors';
import { generatePassword } from '../../../src/domain/password';
import { signsIn, startTestSandbox, tenantState } from '../sandboxSupport';
import { CONTOSO_GROUPS, contosoDirectory, newAccount } from './graphFixtures';

let sandbox: RunningSandbox;
let directory: Directory;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  ({ directory } = await contosoDirectory(sandbox));
});

afterAll(async () => {
  await sandbox.close();
});

async function created(): Promise<DirectoryUser> {
  const result = await directory.createDisabledAccount(newAccount());
  if (typeof result === 'string') throw new Error('a fresh UPN was taken');
  return result;
}

describe('GraphDirectory against the sandbox', () => {
  it('reads domains: managed, federated, absent', async () => {
    expect(await directory.getDomain('contoso.example')).toEqual({
      name: 'contoso.example',
      isVerified: true,
      authenticationType: 'Managed',
    });
    expect(await directory.getDomain('fed.contoso.example')).toMatchObject({ authenticationType: 'Federated' });
    expect(await directory.getDomain('nowhere.example')).toBeNull();
  });

  it('creates a disabled account once; the second create reports the UPN taken', async () => {
    const account = newAccount();
    const user = await directory.createDisabledAccount(account);
    expect(user).toMatchObject({ userPrincipalName: account.userPrincipalName, accountEnabled: false });
    expect(await directory.createDisabledAccount(account)).toBe('principalNameTaken');
    if (typeof user === 'string') throw new Error('unreachable');

    const byId = await directory.getUser(user.objectId);
    expect(byId).toMatchObject({
      objectId: user.objectId,
      userPrincipalName: account.userPrincipalName,
      accountEnabled: false,
    });
    expect(byId?.lastPasswordChangeDateTime).toEqual(expect.any(String));
    expect(await directory.getUserByPrincipalName(account.userPrincipalName.toUpperCase())).toMatchObject({
      objectId: user.objectId,
    });
    expect(await directory.getUser(randomUUID())).toBeNull();
    expect(await directory.getUserByPrincipalName('nobody@contoso.example')).toBeNull();
    // Entra allows # ^ ' ~ in a UPN; they travel percent-encoded.
    expect(await directory.getUserByPrincipalName("o'brien#1^x~@contoso.example")).toBeNull();
  });

  // Rotating the password and revoking sessions happen only inside stripAccess (graphBatch.test.ts).
  it('enables with a password in one write, disables (twice) and deletes (twice)', async () => {
    const user = await created();
    const writesBefore = (await tenantState(sandbox, CONTOSO.id)).calls.writes;
    const password = generatePassword();
    await directory.setPasswordAndEnable(user.objectId, password);
    expect((await tenantState(sandbox, CONTOSO.id)).calls.writes).toBe(writesBefore + 1);
    expect(await directory.getUser(user.objectId)).toMatchObject({ accountEnabled: true });
    expect(await signsIn(sandbox, user.userPrincipalName, password)).toBe(true);

    await directory.disableAccount(user.objectId);
    await directory.disableAccount(user.objectId);
    expect(await directory.getUser(user.objectId)).toMatchObject({ accountEnabled: false });
    expect(await signsIn(sandbox, user.userPrincipalName, password)).toBe(false);

    await directory.deleteUser(user.objectId);
    await directory.deleteUser(user.objectId);
    expect(await directory.getUser(user.objectId)).toBeNull();
    await expect(directory.disableAccount(user.objectId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(directory.listGroupMemberships(user.objectId)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('assigns a role idempotently, lists it and removes it (twice)', async () => {
    const user = await created();
    await directory.assignRole(user.objectId, ROLE_TEMPLATES.helpdeskAdministrator);
    await directory.assignRole(user.objectId, ROLE_TEMPLATES.helpdeskAdministrator);
    const assignments = await directory.listRoleAssignments(user.objectId);
    expect(assignments.map((a) => a.roleTemplateId)).toEqual([ROLE_TEMPLATES.helpdeskAdministrator]);
    expect(
      (await tenantState(sandbox, CONTOSO.id)).roleAssignments.filter((a) => a.principalId === user.objectId),
    ).toHaveLength(1);

    const [assignment] = assignments;
    if (assignment === undefined) throw new Error('no assignment');
    await directory.removeRoleAssignment(assignment.assignmentId);
    await directory.removeRoleAssignment(assignment.assignmentId);
    expect(await directory.listRoleAssignments(user.objectId)).toEqual([]);
  });

  it('adds a group member idempotently, lists memberships (groups only) and removes it (twice)', async () => {
    const user = await created();
    await directory.assignRole(user.objectId, ROLE_TEMPLATES.securityReader); // shows up in memberOf as a directoryRole
    await directory.addGroupMember(CONTOSO_GROUPS.exchangeOperators, user.objectId);
    await directory.addGroupMember(CONTOSO_GROUPS.exchangeOperators, user.objectId);
    await directory.addGroupMember(CONTOSO_GROUPS.helpdeskOperators, user.objectId);
    expect((await directory.listGroupMemberships(user.objectId)).sort()).toEqual(
      [CONTOSO_GROUPS.exchangeOperators, CONTOSO_GROUPS.helpdeskOperators].sort(),
    );

    await directory.removeGroupMember(CONTOSO_GROUPS.exchangeOperators, user.objectId);
    await directory.removeGroupMember(CONTOSO_GROUPS.exchangeOperators, user.objectId);
    expect(await directory.listGroupMemberships(user.objectId)).toEqual([CONTOSO_GROUPS.helpdeskOperators]);
    const group = (await tenantState(sandbox, CONTOSO.id)).groups.find(
      (g) => g.id === CONTOSO_GROUPS.exchangeOperators,
    );
    expect(group?.memberIds).not.toContain(user.objectId);
  });

  it('refuses a UPN or id Entra would not accept before any Graph call', async () => {
    const callsBefore = (await tenantState(sandbox, CONTOSO.id)).calls.total;
    const hostile = [
      "x' or userPrincipalName ne '@contoso.example",
      'a/../../groups@contoso.example',
      'alice@contoso.example?$select=passwordProfile',
      'alice@contoso.example/memberOf',
      'alice%40x@contoso.example',
      'al ice@contoso.example',
      '@contoso.example',
      '.alice@contoso.example',
    ];
    for (const upn of hostile) {
      await expect(directory.getUserByPrincipalName(upn), upn).rejects.toBeInstanceOf(ValidationError);
      await expect(
        directory.createDisabledAccount({ ...newAccount(), userPrincipalName: upn }),
        upn,
      ).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(directory.getUser('../../domains')).rejects.toBeInstanceOf(ValidationError);
    await expect(directory.removeRoleAssignment('abc/../x')).rejects.toBeInstanceOf(ValidationError);
    await expect(directory.addGroupMember(CONTOSO_GROUPS.helpdeskOperators, "x' or 1 eq 1")).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(directory.getDomain('contoso.example/../users')).rejects.toBeInstanceOf(ValidationError);
    expect((await tenantState(sandbox, CONTOSO.id)).calls.total).toBe(callsBefore);
  });
});
