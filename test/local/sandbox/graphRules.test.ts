import type { Client } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { CONTOSO, FULL_APP_PERMISSIONS, ROLE_TEMPLATES, seedAppOf } from '../../../local/sandbox/seed';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { call, graphClientFor, graphFailure, graphToken, useResetSandbox } from './helpers';

/**
 * Rules the sandbox enforces because Graph does (each cited where the sandbox enforces it): the
 * tenant's Temporary Access Pass policy, the directory roles an app needs for sensitive user
 * changes, Directory.Read.All for memberships, nested groups, unmanaged groups and $batch order.
 */
let sandbox: RunningSandbox;
let graph: Client;
const app = seedAppOf(CONTOSO);
const staffId = CONTOSO.users.find((u) => u.userPrincipalName.startsWith('staff@'))?.id ?? '';
const groupNamed = (name: string): string => CONTOSO.groups.find((g) => g.displayName === name)?.id ?? '';
const TAPS = `/users/${staffId}/authentication/temporaryAccessPassMethods`;
const POLICY = '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass';

async function setApp(body: { appPermissions?: string[]; directoryRoles?: string[] }): Promise<string> {
  expect((await call(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${app.clientId}`, { body })).status).toBe(
    204,
  );
  return graphToken(sandbox, CONTOSO);
}

async function setTapPolicy(body: Record<string, unknown>): Promise<void> {
  expect(
    (await call(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/temporaryAccessPassPolicy`, { body })).status,
  ).toBe(200);
}

async function newUser(token: string, alias: string): Promise<string> {
  const res = await call(sandbox, 'POST', '/v1.0/users', {
    token,
    body: {
      accountEnabled: false,
      displayName: alias,
      mailNickname: alias,
      userPrincipalName: `${alias}-${Date.now()}@contoso.example`,
      passwordProfile: { password: 'Initial!Passw0rd' },
    },
  });
  expect(res.status).toBe(201);
  return (res.body as { id: string }).id;
}

useResetSandbox((started) => {
  sandbox = started;
  graph = graphClientFor(started, CONTOSO);
});

describe('the Temporary Access Pass policy', () => {
  it('is read with Policy.Read.AuthenticationMethod and has Entra defaults: enabled, 60..480 minutes, reusable, all users', async () => {
    expect(await graph.api(POLICY).get()).toMatchObject({
      id: 'TemporaryAccessPass',
      state: 'enabled',
      minimumLifetimeInMinutes: 60,
      maximumLifetimeInMinutes: 480,
      defaultLifetimeInMinutes: 60,
      isUsableOnce: false,
      includeTargets: [{ targetType: 'group', id: 'all_users' }],
    });
    const token = await setApp({
      appPermissions: FULL_APP_PERMISSIONS.filter((p) => p !== 'Policy.Read.AuthenticationMethod'),
    });
    expect((await call(sandbox, 'GET', `/v1.0${POLICY}`, { token })).body).toMatchObject({
      error: { code: 'Authorization_RequestDenied' },
    });
  });

  it('refuses passes when the method is disabled or the user is out of scope, and lifetimes outside its range', async () => {
    await setTapPolicy({ state: 'disabled' });
    expect(await graphFailure(graph.api(TAPS).post({ lifetimeInMinutes: 60 }))).toMatchObject({
      statusCode: 400,
      code: 'badRequest',
    });
    await setTapPolicy({
      state: 'enabled',
      includeTargets: [{ targetType: 'group', id: groupNamed('Exchange Operators') }],
    });
    expect((await graphFailure(graph.api(TAPS).post({ lifetimeInMinutes: 60 }))).message).toMatch(
      /not enabled for this user/,
    );
    await setTapPolicy({
      includeTargets: [{ targetType: 'group', id: 'all_users' }],
      excludeTargets: [{ targetType: 'group', id: groupNamed('Exchange Operators') }],
    });
    await graph
      .api(`/groups/${groupNamed('Exchange Operators')}/members/$ref`)
      .post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${staffId}` });
    expect((await graphFailure(graph.api(TAPS).post({ lifetimeInMinutes: 60 }))).message).toMatch(
      /not enabled for this user/,
    );
    await setTapPolicy({ excludeTargets: [], minimumLifetimeInMinutes: 10, maximumLifetimeInMinutes: 30 });
    expect((await graphFailure(graph.api(TAPS).post({ lifetimeInMinutes: 31 }))).message).toBe(
      'Invalid LifetimeInMinutes specified. The valid range between 10 and 30.',
    );
    expect(await graph.api(TAPS).post({ lifetimeInMinutes: 30 })).toMatchObject({ lifetimeInMinutes: 30 });
  });

  it('forces one-time passes when the policy says so: a reusable one is refused, an unspecified one is one-time', async () => {
    await setTapPolicy({ isUsableOnce: true });
    expect((await graphFailure(graph.api(TAPS).post({ lifetimeInMinutes: 60, isUsableOnce: false }))).statusCode).toBe(
      400,
    );
    expect(await graph.api(TAPS).post({ lifetimeInMinutes: 60 })).toMatchObject({ isUsableOnce: true });
  });

  it('replaces a usable pass on a second create, as Graph does, instead of refusing it', async () => {
    const first = (await graph.api(TAPS).post({ lifetimeInMinutes: 60 })) as {
      id: string;
      temporaryAccessPass: string;
    };
    const second = (await graph.api(TAPS).post({ lifetimeInMinutes: 120 })) as {
      id: string;
      temporaryAccessPass: string;
    };
    const listed = (await graph.api(TAPS).get()) as { value: { id: string; lifetimeInMinutes: number }[] };
    expect(listed.value).toEqual([expect.objectContaining({ id: second.id, lifetimeInMinutes: 120 })]);
    const signin = (password: string) =>
      call(sandbox, 'POST', '/_sandbox/signin', { body: { userPrincipalName: 'staff@contoso.example', password } });
    await call(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/users/${staffId}`, {
      body: { accountEnabled: true },
    });
    expect((await signin(first.temporaryAccessPass)).status).toBe(401);
    expect((await signin(second.temporaryAccessPass)).status).toBe(200);
  });
});

describe('directory roles an app needs for sensitive changes', () => {
  it('refuses any password change by an app without at least User Administrator, and an admin user without Privileged Authentication Administrator', async () => {
    const plain = await newUser(await setApp({ directoryRoles: [] }), 'plain');
    const token = await graphToken(sandbox, CONTOSO);
    const reset = { passwordProfile: { password: 'An0ther!Passw0rd', forceChangePasswordNextSignIn: false } };
    expect((await call(sandbox, 'PATCH', `/v1.0/users/${plain}`, { token, body: reset })).status).toBe(403);
    // Enabling a user that holds no admin role needs no directory role.
    expect(
      (await call(sandbox, 'PATCH', `/v1.0/users/${plain}`, { token, body: { accountEnabled: true } })).status,
    ).toBe(204);

    const withUserAdmin = await setApp({ directoryRoles: [ROLE_TEMPLATES.userAdministrator] });
    expect((await call(sandbox, 'PATCH', `/v1.0/users/${plain}`, { token: withUserAdmin, body: reset })).status).toBe(
      204,
    );
    await graph
      .api('/roleManagement/directory/roleAssignments')
      .post({ principalId: plain, roleDefinitionId: ROLE_TEMPLATES.helpdeskAdministrator, directoryScopeId: '/' });
    expect((await call(sandbox, 'PATCH', `/v1.0/users/${plain}`, { token: withUserAdmin, body: reset })).status).toBe(
      403,
    );
    expect(
      (await call(sandbox, 'PATCH', `/v1.0/users/${plain}`, { token: withUserAdmin, body: { accountEnabled: false } }))
        .status,
    ).toBe(403);

    const withPaa = await setApp({ directoryRoles: [ROLE_TEMPLATES.privilegedAuthenticationAdministrator] });
    expect(
      (
        await call(sandbox, 'PATCH', `/v1.0/users/${plain}`, {
          token: withPaa,
          body: { accountEnabled: false, ...reset },
        })
      ).status,
    ).toBe(204);
  });
});

describe('memberships', () => {
  it('needs Directory.Read.All for memberOf and transitiveMemberOf: GroupMember.Read.All and User.Read.All are not enough', async () => {
    const token = await setApp({
      appPermissions: ['User.Read.All', 'GroupMember.Read.All', 'RoleManagement.Read.Directory'],
    });
    for (const segment of ['memberOf', 'transitiveMemberOf']) {
      const res = await call(sandbox, 'GET', `/v1.0/users/${staffId}/${segment}`, { token });
      expect(res.status, segment).toBe(403);
    }
    const allowed = await setApp({ appPermissions: ['Directory.Read.All'] });
    expect((await call(sandbox, 'GET', `/v1.0/users/${staffId}/memberOf`, { token: allowed })).status).toBe(200);
  });

  it('follows nested groups in transitiveMemberOf, not in memberOf', async () => {
    const inner = groupNamed('Exchange Operators');
    const outer = groupNamed('All Operators');
    await graph
      .api(`/groups/${inner}/members/$ref`)
      .post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${staffId}` });
    await graph
      .api(`/groups/${outer}/members/$ref`)
      .post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${inner}` });
    const ids = async (segment: string): Promise<string[]> =>
      ((await graph.api(`/users/${staffId}/${segment}`).get()) as { value: { id: string }[] }).value
        .map((o) => o.id)
        .sort();
    expect(await ids('memberOf')).toEqual([inner]);
    expect(await ids('transitiveMemberOf')).toEqual([inner, outer].sort());
  });

  it('refuses member changes to groups Graph does not manage: on-premises synced, mail-enabled security, dynamic', async () => {
    for (const name of ['Synced Server Admins', 'Mail-enabled Admins', 'All Staff (dynamic)']) {
      const failure = await graphFailure(
        graph
          .api(`/groups/${groupNamed(name)}/members/$ref`)
          .post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${staffId}` }),
      );
      expect(failure.statusCode, name).toBe(400);
    }
    const synced = (await graph.api(`/groups/${groupNamed('Synced Server Admins')}`).get()) as Record<string, unknown>;
    expect(synced).toMatchObject({ onPremisesSyncEnabled: true });
    expect(await graph.api(`/groups/${groupNamed('All Staff (dynamic)')}`).get()).toMatchObject({
      groupTypes: ['DynamicMembership'],
    });
    expect(await graph.api(`/groups/${groupNamed('Mail-enabled Admins')}`).get()).toMatchObject({
      mailEnabled: true,
      securityEnabled: true,
    });
  });
});

describe('$batch', () => {
  it('runs and answers items in an order Graph does not promise, but after the items they depend on', async () => {
    const requests = Array.from({ length: 20 }, (_, i) => ({
      id: String(i + 1),
      method: 'GET',
      url: `/users/${staffId}`,
    }));
    let reordered = false;
    for (let attempt = 0; attempt < 5 && !reordered; attempt++) {
      const res = (await graph.api('/$batch').post({ requests })) as { responses: { id: string; status: number }[] };
      expect(res.responses).toHaveLength(20);
      reordered = res.responses.map((r) => r.id).join(',') !== requests.map((r) => r.id).join(',');
    }
    expect(reordered).toBe(true);

    const chained = [
      {
        id: 'a',
        method: 'PATCH',
        url: `/users/${staffId}`,
        headers: { 'Content-Type': 'application/json' },
        body: { displayName: 'Renamed staff' },
      },
      { id: 'b', method: 'GET', url: `/users/${staffId}`, dependsOn: ['a'] },
    ];
    for (let attempt = 0; attempt < 5; attempt++) {
      const res = (await graph.api('/$batch').post({ requests: chained })) as {
        responses: { id: string; status: number; body?: { displayName?: string } }[];
      };
      expect(res.responses.map((r) => r.id)).toEqual(['a', 'b']);
      expect(res.responses.find((r) => r.id === 'b')?.body?.displayName).toBe('Renamed staff');
    }
  });
});
