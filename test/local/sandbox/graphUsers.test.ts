import type { Client } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { CONTOSO, ROLE_TEMPLATES, seedAppOf } from '../../../local/sandbox/seed';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { call, graphClientFor, graphFailure, graphToken, sandboxState, tenantState, useResetSandbox } from './helpers';

let sandbox: RunningSandbox;
let graph: Client;
const breakglass = CONTOSO.users.find((u) => u.protected === true);
const staff = CONTOSO.users.find((u) => u.userPrincipalName.startsWith('staff@'));
const PASSWORD = 'Str0ng!Passw0rd-42';

function newUser(alias: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    accountEnabled: false,
    displayName: `JIT ${alias}`,
    mailNickname: `jit-${alias}`,
    userPrincipalName: `jit-${alias}@contoso.example`,
    passwordProfile: { password: PASSWORD, forceChangePasswordNextSignIn: false },
    ...overrides,
  };
}

useResetSandbox((started) => {
  sandbox = started;
  graph = graphClientFor(started, CONTOSO);
});

describe('Graph users', () => {
  it('reads a user by id or UPN, with only the default properties unless $select names others', async () => {
    const byUpn = (await graph.api(`/users/${staff?.userPrincipalName ?? ''}`).get()) as Record<string, unknown>;
    expect(byUpn).toMatchObject({
      id: staff?.id,
      userPrincipalName: staff?.userPrincipalName,
      displayName: staff?.displayName,
    });
    expect(byUpn.accountEnabled).toBeUndefined();
    const selected = (await graph
      .api(`/users/${staff?.id ?? ''}`)
      .select(['accountEnabled', 'userPrincipalName'])
      .get()) as Record<string, unknown>;
    expect(
      Object.keys(selected)
        .filter((k) => !k.startsWith('@'))
        .sort(),
    ).toEqual(['accountEnabled', 'id', 'userPrincipalName']);
    expect(selected.accountEnabled).toBe(true);
  });

  it('answers 404 Request_ResourceNotFound for an unknown user and 400 for an unknown $select property', async () => {
    const missing = await graphFailure(graph.api('/users/nobody@contoso.example').get());
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe('Request_ResourceNotFound');
    expect(missing.message).toBe(
      "Resource 'nobody@contoso.example' does not exist or one of its queried reference-property objects are not present.",
    );
    const badSelect = await graphFailure(
      graph
        .api(`/users/${staff?.id ?? ''}`)
        .select('nonsense')
        .get(),
    );
    expect(badSelect.statusCode).toBe(400);
  });

  it('creates a user (201) and lists with $filter, $select, $top and absolute nextLinks', async () => {
    for (const alias of ['a1', 'a2', 'a3']) await graph.api('/users').post(newUser(alias));
    const first = (await graph
      .api('/users')
      .filter("startswith(userPrincipalName,'jit-') and accountEnabled eq false")
      .select('id,userPrincipalName')
      .top(2)
      .get()) as {
      value: { userPrincipalName: string }[];
      '@odata.nextLink'?: string;
    };
    expect(first.value).toHaveLength(2);
    expect(first['@odata.nextLink']).toMatch(new RegExp(`^${sandbox.url}/v1.0/users\\?`));
    const second = (await graph.api(first['@odata.nextLink'] ?? '').get()) as {
      value: { userPrincipalName: string }[];
      '@odata.nextLink'?: string;
    };
    expect(second.value.map((u) => u.userPrincipalName)).toEqual(['jit-a3@contoso.example']);
    expect(second['@odata.nextLink']).toBeUndefined();
    const exact = (await graph.api('/users').filter("userPrincipalName eq 'JIT-A2@contoso.example'").get()) as {
      value: unknown[];
    };
    expect(exact.value).toHaveLength(1);
  });

  it('refuses filters it cannot parse with 400, including injection attempts', async () => {
    for (const filter of [
      "userPrincipalName eq 'x' or 1 eq 1",
      "userPrincipalName eq 'x''",
      "startswith(userPrincipalName,'a') and (",
      "accountEnabled eq 'true'",
      "userPrincipalName eq 'a'; DROP",
      ')(('.repeat(50),
      "endswith(userPrincipalName,'x')",
      "userPrincipalName ne 'x'",
    ]) {
      const failure = await graphFailure(graph.api('/users').filter(filter).get());
      expect(failure.statusCode, filter).toBe(400);
    }
    const invalid = await graphFailure(graph.api('/users').filter("userPrincipalName eq 'x' )").get());
    expect(invalid.code).toBe('BadRequest');
    expect(invalid.message).toBe('Invalid filter clause');
  });

  it('validates new users as Entra does', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        newUser('dup', { userPrincipalName: staff?.userPrincipalName }),
        'Another object with the same value for property userPrincipalName already exists.',
      ],
      [
        newUser('weak', { passwordProfile: { password: 'password' } }),
        'The specified password does not comply with password complexity requirements. Please provide a different password.',
      ],
      [
        newUser('short', { passwordProfile: { password: 'Ab1!' } }),
        'The specified password does not comply with password complexity requirements. Please provide a different password.',
      ],
      [
        newUser('alias', { passwordProfile: { password: 'jit-alias-Secret1!' } }),
        'The specified password does not comply with password complexity requirements. Please provide a different password.',
      ],
      [
        newUser('dom', { userPrincipalName: 'jit-dom@elsewhere.example' }),
        'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.',
      ],
      [
        newUser('fed', { userPrincipalName: 'jit-fed@fed.contoso.example' }),
        'SourceAnchor is a required property for creation of a federated user.',
      ],
      [
        newUser('long', { userPrincipalName: `${'x'.repeat(65)}@contoso.example` }),
        'Property userPrincipalName is invalid.',
      ],
      [
        newUser('nick', { mailNickname: 'has space' }),
        "Invalid value specified for property 'mailNickname' of resource 'User'.",
      ],
      [
        { ...newUser('nopw'), passwordProfile: undefined },
        "Invalid value specified for property 'passwordProfile' of resource 'User'.",
      ],
      [
        { ...newUser('noname'), displayName: undefined },
        "Invalid value specified for property 'displayName' of resource 'User'.",
      ],
    ];
    for (const [body, message] of cases) {
      const failure = await graphFailure(graph.api('/users').post(body));
      expect(failure.statusCode, message).toBe(400);
      expect(failure.code).toBe('Request_BadRequest');
      expect(failure.message).toBe(message);
    }
    const ok = (await graph
      .api('/users')
      .post(
        newUser('fed2', { userPrincipalName: 'jit-fed2@fed.contoso.example', onPremisesImmutableId: 'abc123' }),
      )) as { id: string };
    expect(ok.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('updates with 204, bumping the password version, and deletes', async () => {
    const created = (await graph.api('/users').post(newUser('upd'))) as { id: string };
    const before = tenantState(await sandboxState(sandbox), CONTOSO.id).users.find((u) => u.id === created.id);
    const result: unknown = await graph.api(`/users/${created.id}`).patch({
      accountEnabled: true,
      passwordProfile: { password: 'An0ther#Passw0rd', forceChangePasswordNextSignIn: false },
      usageLocation: 'NL',
    });
    expect(result).toBeUndefined();
    const after = tenantState(await sandboxState(sandbox), CONTOSO.id).users.find((u) => u.id === created.id);
    expect(after?.accountEnabled).toBe(true);
    expect(after?.passwordVersion).toBe((before?.passwordVersion ?? 0) + 1);
    const signin = await call(sandbox, 'POST', '/_sandbox/signin', {
      body: { userPrincipalName: 'jit-upd@contoso.example', password: 'An0ther#Passw0rd' },
    });
    expect(signin.status).toBe(200);
    await graph.api(`/users/${created.id}`).delete();
    expect((await graphFailure(graph.api(`/users/${created.id}`).get())).statusCode).toBe(404);
  });

  it('revokes sign-in sessions with the Edm.Boolean answer', async () => {
    const res = (await graph.api(`/users/${staff?.id ?? ''}/revokeSignInSessions`).post({})) as Record<string, unknown>;
    expect(res).toEqual({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean', value: true });
  });

  it('lists memberOf with groups and directory roles', async () => {
    const breakglassMemberOf = (await graph.api(`/users/${breakglass?.id ?? ''}/memberOf`).get()) as {
      value: Record<string, unknown>[];
    };
    expect(breakglassMemberOf.value).toEqual([
      expect.objectContaining({
        '@odata.type': '#microsoft.graph.directoryRole',
        roleTemplateId: ROLE_TEMPLATES.globalAdministrator,
        displayName: 'Global Administrator',
      }),
    ]);
  });

  it('refuses every write to a protected account and counts the attempts', async () => {
    const id = breakglass?.id ?? '';
    // Each write is made only when its turn comes: made all at once, a refusal could land before
    // anything awaits it (an unhandled rejection).
    const attempts = [
      () => graph.api(`/users/${id}`).patch({ accountEnabled: false }),
      () => graph.api(`/users/${id}`).delete(),
      () => graph.api(`/users/${id}/revokeSignInSessions`).post({}),
      () =>
        graph
          .api('/roleManagement/directory/roleAssignments')
          .post({ principalId: id, roleDefinitionId: ROLE_TEMPLATES.userAdministrator, directoryScopeId: '/' }),
      () =>
        graph
          .api(`/groups/${CONTOSO.groups[0]?.id ?? ''}/members/$ref`)
          .post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` }),
      () => graph.api(`/users/${id}/authentication/temporaryAccessPassMethods`).post({ lifetimeInMinutes: 60 }),
    ];
    for (const attempt of attempts) {
      const failure = await graphFailure(attempt());
      expect(failure.statusCode).toBe(403);
      expect(failure.code).toBe('Authorization_RequestDenied');
      expect(failure.message).toMatch(/protected/);
    }
    const t = tenantState(await sandboxState(sandbox), CONTOSO.id);
    expect(t.protectedWriteAttempts).toBe(attempts.length);
    expect(t.users.find((u) => u.id === id)?.accountEnabled).toBe(true);
  });

  it('requires Privileged Authentication Administrator to reset or enable an admin, and the token permissions for everything', async () => {
    const app = seedAppOf(CONTOSO);
    const created = (await graph.api('/users').post(newUser('adm'))) as { id: string };
    await graph
      .api('/roleManagement/directory/roleAssignments')
      .post({ principalId: created.id, roleDefinitionId: ROLE_TEMPLATES.helpdeskAdministrator, directoryScopeId: '/' });
    await call(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${app.clientId}`, {
      body: { directoryRoles: [ROLE_TEMPLATES.privilegedRoleAdministrator] },
    });
    const denied = await graphFailure(
      graph.api(`/users/${created.id}`).patch({ passwordProfile: { password: 'Yet4nother!Pass' } }),
    );
    expect(denied.statusCode).toBe(403);
    expect(denied.message).toBe('Insufficient privileges to complete the operation.');
    // accountEnabled of a user holding an admin role is a sensitive property too.
    expect((await graphFailure(graph.api(`/users/${created.id}`).patch({ accountEnabled: true }))).statusCode).toBe(
      403,
    );
    await call(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${app.clientId}`, {
      body: { directoryRoles: [ROLE_TEMPLATES.privilegedAuthenticationAdministrator] },
    });
    await graph
      .api(`/users/${created.id}`)
      .patch({ accountEnabled: true, passwordProfile: { password: 'Yet4nother!Pass' } });

    await call(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${app.clientId}`, {
      body: { appPermissions: ['Directory.Read.All'] },
    });
    // A fresh token carries the reduced roles.
    const token = await graphToken(sandbox, CONTOSO);
    const write = await call(sandbox, 'PATCH', `/v1.0/users/${created.id}`, { token, body: { accountEnabled: false } });
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({
      error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' },
    });
    const read = await call(sandbox, 'GET', `/v1.0/users/${created.id}`, { token });
    expect(read.status).toBe(200);
  });

  it('rejects missing, expired, forged and wrong-audience tokens with InvalidAuthenticationToken', async () => {
    const noToken = await call(sandbox, 'GET', '/v1.0/users');
    expect(noToken.status).toBe(401);
    expect(noToken.body).toMatchObject({
      error: {
        code: 'InvalidAuthenticationToken',
        innerError: { 'request-id': expect.any(String) as string, date: expect.any(String) as string },
      },
    });
    expect(noToken.headers.get('request-id')).toBeTruthy();
    const userToken = (await call(sandbox, 'POST', '/_sandbox/tokens', { body: { user: 'alice@msp.example' } }))
      .body as { access_token: string };
    const wrongAudience = await call(sandbox, 'GET', '/v1.0/users', { token: userToken.access_token });
    expect(wrongAudience.body).toMatchObject({
      error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure. Invalid audience.' },
    });
    const expired = (
      await call(sandbox, 'POST', '/_sandbox/tokens', {
        body: { user: 'alice@msp.example', audience: 'https://graph.microsoft.com', expiresInSeconds: -60 },
      })
    ).body as { access_token: string };
    const expiredRes = await call(sandbox, 'GET', '/v1.0/users', { token: expired.access_token });
    expect(expiredRes.status).toBe(401);
    expect(expiredRes.body).toMatchObject({ error: { message: 'Lifetime validation failed, the token is expired.' } });
    const forged = (
      await call(sandbox, 'POST', '/_sandbox/tokens', {
        body: { user: 'alice@msp.example', audience: 'https://graph.microsoft.com', untrustedKey: true },
      })
    ).body as { access_token: string };
    expect((await call(sandbox, 'GET', '/v1.0/users', { token: forged.access_token })).status).toBe(401);
    expect((await call(sandbox, 'GET', '/v1.0/users', { token: 'not-a-jwt' })).status).toBe(401);
  });

  it('answers unknown segments and methods as Graph does, and counts calls per tenant', async () => {
    const token = await graphToken(sandbox, CONTOSO);
    const unknown = await call(sandbox, 'GET', '/v1.0/widgets', { token });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({
      error: { code: 'BadRequest', message: "Resource not found for the segment 'widgets'." },
    });
    const wrongMethod = await call(sandbox, 'PUT', '/v1.0/users', { token, body: {} });
    expect(wrongMethod.status).toBe(405);
    const badJson = await fetch(`${sandbox.url}/v1.0/users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{oops',
    });
    expect(badJson.status).toBe(400);
    const t = tenantState(await sandboxState(sandbox), CONTOSO.id);
    expect(t.calls).toEqual({ total: 3, writes: 2, roundTrips: 3 });
  });
});

describe('Graph user creation: names, employeeId and a lost answer', () => {
  it('refuses a second user with a mailNickname in use as Graph refuses a proxyAddresses conflict', async () => {
    const token = await graphToken(sandbox, CONTOSO);
    expect((await call(sandbox, 'POST', '/v1.0/users', { token, body: newUser('nick') })).status).toBe(201);
    const clash = await call(sandbox, 'POST', '/v1.0/users', {
      token,
      body: newUser('other', { mailNickname: 'JIT-nick' }),
    });
    expect(clash.status).toBe(400);
    const error = (clash.body as { error: { code: string; message: string; details: Record<string, string>[] } }).error;
    expect(error.code).toBe('Request_BadRequest');
    expect(error.message).toBe('Another object with the same value for property proxyAddresses already exists.');
    expect(error.details).toEqual([{ code: 'ObjectConflict', message: error.message, target: 'proxyAddresses' }]);
    expect(
      tenantState(await sandboxState(sandbox), CONTOSO.id).users.some(
        (u) => u.userPrincipalName === 'jit-other@contoso.example',
      ),
    ).toBe(false);
  });

  it('stores employeeId (at most 16 characters) and reads it back with $select', async () => {
    const token = await graphToken(sandbox, CONTOSO);
    const tooLong = await call(sandbox, 'POST', '/v1.0/users', {
      token,
      body: newUser('long', { employeeId: '0123456789abcdef0' }),
    });
    expect(tooLong.status).toBe(400);
    expect((tooLong.body as { error: { message: string } }).error.message).toBe(
      "Invalid value specified for property 'employeeId' of resource 'User'.",
    );
    const created = await call(sandbox, 'POST', '/v1.0/users', {
      token,
      body: newUser('marked', { employeeId: '0123456789abcdef' }),
    });
    expect(created.status).toBe(201);
    const read = await call(sandbox, 'GET', `/v1.0/users/${(created.body as { id: string }).id}?$select=employeeId`, {
      token,
    });
    expect((read.body as { employeeId: string }).employeeId).toBe('0123456789abcdef');
  });

  it('lostResponseRate: the user is created but the answer is a 504; lostResponseLimit stops it after that many', async () => {
    const token = await graphToken(sandbox, CONTOSO);
    expect(
      (
        await call(sandbox, 'PUT', '/_sandbox/faults', {
          body: { tenantId: CONTOSO.id, lostResponseRate: 1, lostResponseLimit: 1 },
        })
      ).status,
    ).toBe(200);
    try {
      const lost = await call(sandbox, 'POST', '/v1.0/users', { token, body: newUser('lost') });
      expect(lost.status).toBe(504);
      expect((lost.body as { error: { code: string } }).error.code).toBe('GatewayTimeout');
      expect(
        tenantState(await sandboxState(sandbox), CONTOSO.id).users.some(
          (u) => u.userPrincipalName === 'jit-lost@contoso.example',
        ),
      ).toBe(true);
      expect((await call(sandbox, 'POST', '/v1.0/users', { token, body: newUser('answered') })).status).toBe(201);
    } finally {
      await call(sandbox, 'DELETE', '/_sandbox/faults');
    }
  });
});
