import { describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { CONTOSO, FABRIKAM, FULL_APP_PERMISSIONS, ROLE_TEMPLATES, seedAppOf } from '../../../local/sandbox/seed';
import type { DirectoryUser } from '../../../src/app/ports';
import { DependencyError, TransientDependencyError } from '../../../src/domain/errors';
import { generatePassword } from '../../../src/domain/password';
import { sandboxCall, signsIn, tenantState } from '../sandboxSupport';
import { adaptersFor, CONTOSO_GROUPS, contosoDirectory, newAccount, useFaultResettingSandbox } from './graphFixtures';

let sandbox: RunningSandbox;

useFaultResettingSandbox((started) => (sandbox = started));

describe('GraphDirectory under faults', () => {
  it('waits out replication lag on the account it just created', async () => {
    const { directory } = await contosoDirectory(sandbox);
    await sandboxCall(sandbox, 'PUT', '/_sandbox/faults', { replicationLagMs: 1500 });
    const account = newAccount();
    const user = await directory.createDisabledAccount(account);
    if (typeof user === 'string') throw new Error('a fresh UPN was taken');
    // Not visible yet to reads: exactly what the provisioning writes below must survive.
    expect(await directory.getUser(user.objectId)).toBeNull();

    const password = generatePassword();
    await directory.setPasswordAndEnable(user.objectId, password);
    await directory.assignRole(user.objectId, ROLE_TEMPLATES.helpdeskAdministrator);
    await directory.addGroupMember(CONTOSO_GROUPS.exchangeOperators, user.objectId);

    const state = await tenantState(sandbox, CONTOSO.id);
    expect(state.users.find((u) => u.id === user.objectId)?.accountEnabled).toBe(true);
    expect(
      state.roleAssignments.some(
        (a) => a.principalId === user.objectId && a.roleDefinitionId === ROLE_TEMPLATES.helpdeskAdministrator,
      ),
    ).toBe(true);
    expect(await signsIn(sandbox, account.userPrincipalName, password)).toBe(true);
  });

  it('gives up on a lag longer than its retries with a TransientDependencyError', async () => {
    const { directory } = await contosoDirectory(sandbox);
    await sandboxCall(sandbox, 'PUT', '/_sandbox/faults', { replicationLagMs: 600_000 });
    const user = (await directory.createDisabledAccount(newAccount())) as DirectoryUser;
    await expect(directory.setPasswordAndEnable(user.objectId, generatePassword())).rejects.toBeInstanceOf(
      TransientDependencyError,
    );
  });

  it('rides out throttling through the client’s Retry-After handling (several retries per call)', async () => {
    const { directory } = await contosoDirectory(sandbox);
    await sandboxCall(sandbox, 'PUT', '/_sandbox/faults', { throttleRate: 0.5 });
    const user = (await directory.createDisabledAccount(newAccount())) as DirectoryUser;
    await directory.setPasswordAndEnable(user.objectId, generatePassword());
    await directory.assignRole(user.objectId, ROLE_TEMPLATES.helpdeskAdministrator);
    expect((await directory.listRoleAssignments(user.objectId)).map((a) => a.roleTemplateId)).toEqual([
      ROLE_TEMPLATES.helpdeskAdministrator,
    ]);
    expect(await directory.getUser(user.objectId)).toMatchObject({ accountEnabled: true });
  });

  it('reports throttling that outlasts the budget as a TransientDependencyError', async () => {
    // Retry-After is 1 s here: a 2.5 s budget allows two retries, then gives up.
    const { directory } = await contosoDirectory(sandbox, { throttleBudgetInMs: 2500 });
    await sandboxCall(sandbox, 'PUT', '/_sandbox/faults', { throttleRate: 1 });
    const failure = directory.getDomain('contoso.example');
    await expect(failure).rejects.toBeInstanceOf(TransientDependencyError);
    await expect(failure).rejects.toThrow(/status 429/);
  });

  it('reports server errors as TransientDependencyError, within its retry budget', async () => {
    // 503 and 504 carry no Retry-After here, so the client backs off 3 s, 5 s, 7 s…: a 5 s budget
    // allows one retry at most, whichever statuses the sandbox draws.
    const { directory } = await contosoDirectory(sandbox, { throttleBudgetInMs: 5000 });
    await sandboxCall(sandbox, 'PUT', '/_sandbox/faults', { errorRate: 1 });
    const started = Date.now();
    await expect(directory.getUser(CONTOSO.users[1]?.id ?? '')).rejects.toBeInstanceOf(TransientDependencyError);
    // The budget bounds the waits; the last attempt's own round trip comes on top.
    expect(Date.now() - started).toBeLessThan(5000 + 2000);
  });

  it('names the missing permission when Graph refuses (403 Authorization_RequestDenied)', async () => {
    const app = seedAppOf(CONTOSO);
    await sandboxCall(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${app.clientId}`, {
      appPermissions: FULL_APP_PERMISSIONS.filter((p) => p !== 'User.ReadWrite.All'),
    });
    // A new process (provider) gets a new token carrying the reduced permissions.
    const { directory } = await contosoDirectory(sandbox);
    const failure = directory.createDisabledAccount(newAccount());
    await expect(failure).rejects.toBeInstanceOf(DependencyError);
    await expect(failure).rejects.toMatchObject({ dependency: 'graph', code: 'Authorization_RequestDenied' });
    await expect(failure).rejects.toThrow(/create user .* needs User\.ReadWrite\.All/);
  });

  it('reports a wrong client secret as a login DependencyError, without the secret', async () => {
    const adapters = adaptersFor(sandbox);
    const app = seedAppOf(FABRIKAM);
    const wrongSecret = 'not-the-fabrikam-secret-0123456789';
    const secretName = await adapters.vault.putTenantSecret(FABRIKAM.id, wrongSecret);
    const now = new Date().toISOString();
    const directory = await adapters.directories.forTenant({
      tenantId: FABRIKAM.id,
      displayName: 'Fabrikam',
      jitDomain: 'fabrikam.example',
      connection: { mode: 'clientSecret', clientId: app.clientId, secretName },
      protectedAccounts: [],
      createdAt: now,
      updatedAt: now,
    });
    const failure = directory.getDomain('fabrikam.example');
    await expect(failure).rejects.toBeInstanceOf(DependencyError);
    await expect(failure).rejects.toMatchObject({ dependency: 'login' });
    const message = await failure.then(
      () => '',
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    expect(message).not.toContain(wrongSecret);
    expect(message).toMatch(/AADSTS7000215/);
  });

  it('refuses a federated connection on the local stack, clearly', async () => {
    const adapters = adaptersFor(sandbox);
    const now = new Date().toISOString();
    const federated = adapters.directories.forTenant({
      tenantId: CONTOSO.id,
      displayName: 'Contoso',
      jitDomain: 'contoso.example',
      connection: { mode: 'federated' },
      protectedAccounts: [],
      createdAt: now,
      updatedAt: now,
    });
    await expect(federated).rejects.toBeInstanceOf(DependencyError);
    await expect(federated).rejects.toThrow(/federated connection.*managed identity/);
  });
});
