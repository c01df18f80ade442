import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CONTOSO,
  customerTenant,
  FABRIKAM,
  HOME_GROUPS,
  HOME_TENANT_ID,
  HOME_USERS,
  SEED_TENANTS,
  SERVICE_APP,
  seedAppOf,
} from '../../../local/sandbox/seed';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { testEnv } from '../../support/env';
import { call, claimsOf, credentialFor, graphClientFor, sandboxState, startTestSandbox, tenantState } from './helpers';

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await call(sandbox, 'POST', '/_sandbox/reset');
});

async function userToken(body: Record<string, unknown>): Promise<string> {
  const res = await call(sandbox, 'POST', '/_sandbox/tokens', { body });
  expect(res.status).toBe(200);
  return (res.body as { access_token: string }).access_token;
}

describe('/_sandbox/tokens', () => {
  it('mints v2.0 tokens for the service API, verifiable through the tenant JWKS', async () => {
    const token = await userToken({ user: 'alice@msp.example' });
    const jwks = createRemoteJWKSet(new URL(`${sandbox.url}/${HOME_TENANT_ID}/discovery/v2.0/keys`));
    const { payload } = await jwtVerify(token, jwks, {
      issuer: `${sandbox.url}/${HOME_TENANT_ID}/v2.0`,
      audience: SERVICE_APP.clientId,
    });
    expect(payload).toMatchObject({
      ver: '2.0',
      oid: HOME_USERS.alice.id,
      tid: HOME_TENANT_ID,
      preferred_username: 'alice@msp.example',
      upn: 'alice@msp.example',
      name: HOME_USERS.alice.displayName,
      groups: [HOME_GROUPS.allTechnicians.id],
      scp: 'access_as_user',
    });
    expect(payload.roles).toBeUndefined();
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3599);
    expect(claimsOf(await userToken({ user: 'carol@msp.example' })).roles).toEqual(['Jit.Admin']);
  });

  it('gives a customer tenant user its own tenant issuer (the foreign tenant case)', async () => {
    const claims = claimsOf(await userToken({ user: 'staff@contoso.example' }));
    expect(claims).toMatchObject({ iss: `${sandbox.url}/${CONTOSO.id}/v2.0`, tid: CONTOSO.id });
  });

  it('mints the broken tokens tests need: expired, not yet valid, untrusted key, other audience, missing claims', async () => {
    const jwks = createRemoteJWKSet(new URL(`${sandbox.url}/${HOME_TENANT_ID}/discovery/v2.0/keys`));
    await expect(
      jwtVerify(await userToken({ user: 'alice@msp.example', expiresInSeconds: -10 }), jwks),
    ).rejects.toThrow(/exp/);
    await expect(
      jwtVerify(await userToken({ user: 'alice@msp.example', notBeforeInSeconds: 600 }), jwks),
    ).rejects.toThrow(/nbf/);
    await expect(jwtVerify(await userToken({ user: 'alice@msp.example', untrustedKey: true }), jwks)).rejects.toThrow(
      /signature/,
    );
    expect(claimsOf(await userToken({ user: 'alice@msp.example', audience: 'api://other' })).aud).toBe('api://other');
    const stripped = claimsOf(await userToken({ user: 'alice@msp.example', omitClaims: ['oid', 'tid'] }));
    expect(stripped.oid).toBeUndefined();
    expect(stripped.tid).toBeUndefined();
  });

  it('mints the ID token of the same sign-in on request: same issuer, audience and roles, but no scp or azp', async () => {
    const jwks = createRemoteJWKSet(new URL(`${sandbox.url}/${HOME_TENANT_ID}/discovery/v2.0/keys`));
    const { payload } = await jwtVerify(await userToken({ user: 'carol@msp.example', tokenType: 'id' }), jwks, {
      issuer: `${sandbox.url}/${HOME_TENANT_ID}/v2.0`,
      audience: SERVICE_APP.clientId,
    });
    expect(payload).toMatchObject({ ver: '2.0', oid: HOME_USERS.carol.id, roles: ['Jit.Admin'] });
    expect(payload.scp).toBeUndefined();
    expect(payload.azp).toBeUndefined();
    expect(claimsOf(await userToken({ user: 'carol@msp.example' }))).toMatchObject({
      scp: 'access_as_user',
      azp: SERVICE_APP.clientId,
    });
  });

  it('answers 404 for an unknown user and 400 for a bad body', async () => {
    expect((await call(sandbox, 'POST', '/_sandbox/tokens', { body: { user: 'mallory@msp.example' } })).status).toBe(
      404,
    );
    expect((await call(sandbox, 'POST', '/_sandbox/tokens', { body: { usr: 'alice@msp.example' } })).status).toBe(400);
  });
});

describe('/_sandbox/state, signin, drift and reset', () => {
  it('shows every tenant without any secret, password or pass value', async () => {
    const state = await sandboxState(sandbox);
    expect(state.tenants.map((t) => t.id)).toEqual(SEED_TENANTS.map((t) => t.id));
    const text = JSON.stringify(state);
    for (const tenant of SEED_TENANTS) expect(text).not.toContain(seedAppOf(tenant).clientSecret);
    expect(text).not.toMatch(/password"|passwordHash|passHash|clientSecret/i);
    const contoso = tenantState(state, CONTOSO.id);
    expect(contoso.users.find((u) => u.protected)?.userPrincipalName).toBe('breakglass@contoso.example');
    expect(contoso.apps[0]?.directoryRoles.length).toBe(2);
  });

  it('signs in only with the current password of an enabled account', async () => {
    const staff = 'staff@fabrikam.example';
    const signin = (password: string) =>
      call(sandbox, 'POST', '/_sandbox/signin', { body: { userPrincipalName: staff, password } });
    expect((await signin('anything')).body).toEqual({ ok: false, reason: 'invalid_credentials' });
    const user = FABRIKAM.users.find((u) => u.userPrincipalName === staff);
    await call(sandbox, 'PATCH', `/_sandbox/tenants/${FABRIKAM.id}/users/${user?.id ?? ''}`, {
      body: { password: 'Known-Pa55word' },
    });
    expect((await signin('Known-Pa55word')).body).toEqual({ ok: true });
    await call(sandbox, 'PATCH', `/_sandbox/tenants/${FABRIKAM.id}/users/${user?.id ?? ''}`, {
      body: { accountEnabled: false },
    });
    expect((await signin('Known-Pa55word')).body).toEqual({ ok: false, reason: 'account_disabled' });
    expect(
      (
        await call(sandbox, 'POST', '/_sandbox/signin', {
          body: { userPrincipalName: 'ghost@fabrikam.example', password: 'x' },
        })
      ).status,
    ).toBe(401);
    const t = tenantState(await sandboxState(sandbox), FABRIKAM.id);
    expect(t.calls.total).toBe(0);
  });

  it('changes an app credential so the old secret stops working, and reset restores the seed', async () => {
    const app = seedAppOf(CONTOSO);
    await call(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${app.clientId}`, {
      body: { clientSecret: 'rotated-secret' },
    });
    await expect(credentialFor(sandbox, CONTOSO).getToken('https://graph.microsoft.com/.default')).rejects.toThrow(
      /AADSTS7000215/,
    );
    await credentialFor(sandbox, CONTOSO.id, app.clientId, 'rotated-secret').getToken(
      'https://graph.microsoft.com/.default',
    );
    await call(sandbox, 'PUT', '/_sandbox/faults', { body: { throttleRate: 1 } });
    await call(sandbox, 'POST', '/_sandbox/reset');
    const domains = (await graphClientFor(sandbox, CONTOSO).api('/domains').get()) as { value: unknown[] };
    expect(domains.value.length).toBeGreaterThan(0);
    expect(tenantState(await sandboxState(sandbox), CONTOSO.id).calls.total).toBe(1);
    expect((await call(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/unknown`, { body: {} })).status).toBe(
      404,
    );
    expect((await call(sandbox, 'GET', '/_sandbox/nothing')).status).toBe(404);
  });
});

describe('persistence', () => {
  it('keeps directory, vault and signing key across a restart with the same state file', async () => {
    const stateFile = join(await mkdtemp(join(testEnv('JIT_TEST_DIR'), 'sandbox-persist-')), 'sandbox.json');
    const first = await startTestSandbox({ stateFile });
    const graph = graphClientFor(first, CONTOSO);
    const created = (await graph.api('/users').post({
      accountEnabled: true,
      displayName: 'JIT persisted',
      mailNickname: 'jit-persisted',
      userPrincipalName: 'jit-persisted@contoso.example',
      passwordProfile: { password: 'Pers1sted!Passw0rd' },
    })) as { id: string };
    const minted = await call(first, 'POST', '/_sandbox/tokens', { body: { user: 'alice@msp.example' } });
    const token = (minted.body as { access_token: string }).access_token;
    await first.close();

    const second = await startTestSandbox({ stateFile });
    try {
      const again = (await graphClientFor(second, CONTOSO).api(`/users/${created.id}`).get()) as {
        userPrincipalName: string;
      };
      expect(again.userPrincipalName).toBe('jit-persisted@contoso.example');
      const jwks = createRemoteJWKSet(new URL(`${second.url}/${HOME_TENANT_ID}/discovery/v2.0/keys`));
      await jwtVerify(token, jwks);
      const signin = await call(second, 'POST', '/_sandbox/signin', {
        body: { userPrincipalName: 'jit-persisted@contoso.example', password: 'Pers1sted!Passw0rd' },
      });
      expect(signin.status).toBe(200);
    } finally {
      await second.close();
    }
  });
});

describe('POST /_sandbox/tenants', () => {
  it('adds a customer tenant shaped like Contoso whose app signs in to Graph, and refuses a repeat or a bad body', async () => {
    const id = '7a000000-0000-4000-8000-0000000000b1';
    const made = await call(sandbox, 'POST', '/_sandbox/tenants', {
      body: { id, displayName: 'Northwind', domain: 'northwind.example' },
    });
    expect(made.status).toBe(201);
    const app = made.body as { clientId: string; clientSecret: string };
    const tenant = customerTenant(id, 'Northwind', 'northwind.example', 'ffff', []);
    const graph = graphClientFor(sandbox, { ...tenant, apps: [{ ...seedAppOf(tenant), ...app }] });
    const groups = (await graph.api('/groups').filter("displayName eq 'JIT Helpdesk Operators'").get()) as {
      value: { id: string }[];
    };
    expect(groups.value).toHaveLength(1);
    expect(
      (
        await call(sandbox, 'POST', '/_sandbox/tenants', {
          body: { id, displayName: 'Again', domain: 'again.example' },
        })
      ).status,
    ).toBe(409);
    const bad = await call(sandbox, 'POST', '/_sandbox/tenants', {
      body: { id: 'nope', displayName: 'X', domain: 'x' },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('id');
  });
});
