import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT, createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTOSO,
  FULL_APP_PERMISSIONS,
  HOME_TENANT,
  HOME_TENANT_ID,
  SERVICE_APP,
  seedAppOf,
} from '../../../local/sandbox/seed';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { testEnv } from '../../support/env';
import { call, claimsOf, credentialFor, startTestSandbox } from './helpers';
import { signingKeyFromStateFile } from './keyAccess';

let sandbox: RunningSandbox;
let stateFile: string;

beforeAll(async () => {
  stateFile = join(await mkdtemp(join(testEnv('JIT_TEST_DIR'), 'sandbox-login-')), 'sandbox.json');
  sandbox = await startTestSandbox({ stateFile });
});
afterAll(async () => {
  await sandbox.close();
});

function tokenRequest(tenant: string, form: Record<string, string>) {
  return fetch(`${sandbox.url}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

describe('sandbox login endpoint', () => {
  it('publishes OIDC discovery for a tenant id or one of its domains, with the GUID issuer', async () => {
    for (const key of [CONTOSO.id, 'contoso.example']) {
      const res = await call(sandbox, 'GET', `/${key}/v2.0/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        issuer: `${sandbox.url}/${CONTOSO.id}/v2.0`,
        jwks_uri: `${sandbox.url}/${CONTOSO.id}/discovery/v2.0/keys`,
        token_endpoint: `${sandbox.url}/${CONTOSO.id}/oauth2/v2.0/token`,
        authorization_endpoint: `${sandbox.url}/${CONTOSO.id}/oauth2/v2.0/authorize`,
      });
    }
    const unknown = await call(sandbox, 'GET', '/nowhere.example/v2.0/.well-known/openid-configuration');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
  });

  it('issues Graph tokens through the real ClientSecretCredential, verifiable with the JWKS', async () => {
    const token = await credentialFor(sandbox, CONTOSO).getToken('https://graph.microsoft.com/.default');
    expect(token.expiresOnTimestamp - Date.now()).toBeGreaterThan(3500_000);
    const jwks = createRemoteJWKSet(new URL(`${sandbox.url}/${CONTOSO.id}/discovery/v2.0/keys`));
    const { payload, protectedHeader } = await jwtVerify(token.token, jwks, {
      audience: 'https://graph.microsoft.com',
    });
    const app = seedAppOf(CONTOSO);
    expect(protectedHeader.alg).toBe('RS256');
    expect(typeof protectedHeader.kid).toBe('string');
    expect(payload).toMatchObject({
      tid: CONTOSO.id,
      appid: app.clientId,
      azp: app.clientId,
      oid: app.servicePrincipalId,
      roles: [...FULL_APP_PERMISSIONS],
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBeGreaterThanOrEqual(3599);
  });

  it('accepts a domain name as the tenant and issues vault tokens to any tenant app', async () => {
    const cred = credentialFor(
      sandbox,
      'contoso.example',
      seedAppOf(CONTOSO).clientId,
      seedAppOf(CONTOSO).clientSecret,
    );
    const token = await cred.getToken('https://vault.azure.net/.default');
    expect(claimsOf(token.token)).toMatchObject({ aud: 'https://vault.azure.net', tid: CONTOSO.id });
    expect(claimsOf(token.token).roles).toBeUndefined();
  });

  it('refuses a wrong secret with invalid_client AADSTS7000215 (401), through the SDK too', async () => {
    const res = await tokenRequest(CONTOSO.id, {
      grant_type: 'client_credentials',
      client_id: seedAppOf(CONTOSO).clientId,
      client_secret: 'nope',
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    expect(body.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided\./);
    for (const field of ['timestamp', 'trace_id', 'correlation_id']) expect(typeof body[field]).toBe('string');
    const cred = credentialFor(sandbox, CONTOSO.id, seedAppOf(CONTOSO).clientId, 'wrong');
    await expect(cred.getToken('https://graph.microsoft.com/.default')).rejects.toThrow(/AADSTS7000215/);
  });

  it('refuses an app unknown to the tenant (AADSTS700016), an unknown tenant (AADSTS90002) and a bad scope (AADSTS1002012)', async () => {
    const base = {
      grant_type: 'client_credentials',
      client_secret: SERVICE_APP.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    };
    const notInTenant = await tokenRequest(CONTOSO.id, { ...base, client_id: SERVICE_APP.clientId });
    expect(notInTenant.status).toBe(400);
    expect(await notInTenant.json()).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });

    const unknownTenant = await tokenRequest('11111111-2222-4333-8444-555555555555', {
      ...base,
      client_id: SERVICE_APP.clientId,
    });
    expect(unknownTenant.status).toBe(400);
    expect(await unknownTenant.json()).toMatchObject({ error: 'invalid_request', error_codes: [90002] });

    const badScope = await tokenRequest(HOME_TENANT_ID, {
      ...base,
      client_id: SERVICE_APP.clientId,
      scope: 'https://graph.microsoft.com/User.Read.All',
    });
    expect(badScope.status).toBe(400);
    const body = (await badScope.json()) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_scope');
    expect(body.error_description).toMatch(/^AADSTS1002012: /);

    const unknownResource = await tokenRequest(HOME_TENANT_ID, {
      ...base,
      client_id: SERVICE_APP.clientId,
      scope: 'https://unknown.example/.default',
    });
    expect(await unknownResource.json()).toMatchObject({ error: 'invalid_resource', error_codes: [500011] });
  });

  it('accepts a federated client assertion for the home service app only', async () => {
    const key = await signingKeyFromStateFile(stateFile);
    const assertion = await new SignJWT({ sub: SERVICE_APP.clientId })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setAudience('api://AzureADTokenExchange')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key.privateKey);
    const form = {
      grant_type: 'client_credentials',
      client_id: SERVICE_APP.clientId,
      scope: 'https://vault.azure.net/.default',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    };
    const ok = await tokenRequest(HOME_TENANT.id, form);
    expect(ok.status).toBe(200);
    const forged = await tokenRequest(HOME_TENANT.id, { ...form, client_assertion: `${assertion.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(401);
    const elsewhere = await tokenRequest(CONTOSO.id, { ...form, client_id: seedAppOf(CONTOSO).clientId });
    expect(await elsewhere.json()).toMatchObject({ error: 'invalid_client', error_codes: [70021] });
  });
});
