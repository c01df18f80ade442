import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { CONTOSO, FULL_APP_PERMISSIONS, ROLE_TEMPLATES, seedAppOf } from '../../../local/sandbox/seed';
import type { Adapters } from '../../../src/adapters';
import type { Tenant } from '../../../src/domain/config';
import { DependencyError } from '../../../src/domain/errors';
import { sandboxCall, startTestSandbox } from '../sandboxSupport';
import { CONTOSO_GROUPS, contosoDirectory } from './graphFixtures';

/** The reads onboarding uses to verify a tenant, through the real Graph client against the sandbox. */
let sandbox: RunningSandbox;
let adapters: Adapters;
let tenant: Tenant;
const app = seedAppOf(CONTOSO);

beforeAll(async () => {
  sandbox = await startTestSandbox();
  ({ adapters, tenant } = await contosoDirectory(sandbox));
});

afterAll(async () => {
  await sandbox.close();
});

async function fresh() {
  adapters.directories.forget(tenant.tenantId);
  return adapters.directories.forTenant(tenant);
}

describe('GraphVerification against the sandbox', () => {
  it('signs in and reads the granted application permissions from the token', async () => {
    const signIn = await (await fresh()).signIn();
    expect([...(signIn.applicationPermissions ?? [])].sort()).toEqual([...FULL_APP_PERMISSIONS].sort());
  });

  it('reports a wrong client secret as a login failure with its AADSTS code, never the secret', async () => {
    await sandboxCall(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${app.clientId}`, {
      clientSecret: 'rotated-elsewhere-secret',
    });
    try {
      const error = await (await fresh()).signIn().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ dependency: 'login', code: 'AADSTS7000215' });
      expect(String((error as Error).message)).not.toContain(app.clientSecret);
    } finally {
      await sandboxCall(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${app.clientId}`, {
        clientSecret: app.clientSecret,
      });
    }
  });

  it('lists role definitions, reads groups, the service principal and users', async () => {
    const directory = await fresh();
    const definitions = await directory.listRoleDefinitions();
    expect(definitions).toContainEqual({
      templateId: ROLE_TEMPLATES.privilegedAuthenticationAdministrator,
      displayName: 'Privileged Authentication Administrator',
      description: 'Built-in role: Privileged Authentication Administrator.',
      isBuiltIn: true,
      isEnabled: true,
    });
    expect(await directory.getGroup(CONTOSO_GROUPS.helpdeskOperators)).toMatchObject({
      id: CONTOSO_GROUPS.helpdeskOperators,
      isAssignableToRole: true,
    });
    expect(await directory.getGroup(CONTOSO_GROUPS.exchangeOperators)).toMatchObject({ isAssignableToRole: false });
    expect(await directory.getGroup('4d000000-0000-4000-8000-000000000000')).toBeNull();
    expect(await directory.getServicePrincipalByAppId(app.clientId)).toEqual({
      objectId: app.servicePrincipalId,
      appId: app.clientId,
      displayName: 'Entra JIT (MSP)',
    });
    expect(await directory.getServicePrincipalByAppId('00000000-0000-4000-8000-000000000001')).toBeNull();
    const users = await directory.listUsers({ top: 1 });
    expect(users).toHaveLength(1);
    await expect(directory.getServicePrincipalByAppId("x') or (1 eq 1")).rejects.toMatchObject({ kind: 'validation' });
  });

  it('finds groups by display name, case-insensitively, with quotes escaped rather than read as OData', async () => {
    const directory = await fresh();
    expect(await directory.findGroupsByDisplayName('jit helpdesk OPERATORS')).toEqual([
      expect.objectContaining({ id: CONTOSO_GROUPS.helpdeskOperators, displayName: 'JIT Helpdesk Operators' }),
    ]);
    expect(await directory.findGroupsByDisplayName('Synced Server Admins')).toEqual([
      expect.objectContaining({ onPremisesSyncEnabled: true }),
    ]);
    expect(await directory.findGroupsByDisplayName('No such group')).toEqual([]);
    // A name that would widen the filter if pasted in unescaped is one literal string.
    expect(await directory.findGroupsByDisplayName("x' or displayName eq 'JIT Helpdesk Operators")).toEqual([]);
  });

  it('names the missing permission when Graph refuses a read', async () => {
    await sandboxCall(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${app.clientId}`, {
      appPermissions: ['User.ReadWrite.All', 'Domain.Read.All'],
    });
    try {
      const directory = await fresh();
      expect((await directory.signIn()).applicationPermissions).toEqual(['User.ReadWrite.All', 'Domain.Read.All']);
      await expect(directory.listRoleDefinitions()).rejects.toThrow(
        /needs RoleManagement\.Read\.Directory in this tenant/,
      );
      await expect(directory.getGroup(CONTOSO_GROUPS.helpdeskOperators)).rejects.toThrow(
        /needs GroupMember\.Read\.All/,
      );
      expect(await directory.listUsers({ top: 1 })).toHaveLength(1);
    } finally {
      await sandboxCall(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${app.clientId}`, {
        appPermissions: [...FULL_APP_PERMISSIONS],
      });
    }
  });
});
