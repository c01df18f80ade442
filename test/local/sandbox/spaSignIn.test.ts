import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HOME_GROUPS, HOME_TENANT, HOME_TENANT_ID, HOME_USERS, SERVICE_APP } from '../../../local/sandbox/seed';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { TokenValidator } from '../../../src/adapters/auth/tokenValidator';
import { call, graphClientFor, startTestSandbox } from './helpers';
import {
  API_SCOPE_URI,
  authorizeUrl,
  getPage,
  newPkce,
  redirectParams,
  signInForCode,
  SPA_SCOPES,
  spaTokens,
  submitSignIn,
  tokenRequest,
} from './spaSignIn';

const PORTAL_ORIGIN = 'http://127.0.0.1:5173';
const REDIRECT_URI = `${PORTAL_ORIGIN}/`;
const OTHER_ORIGIN = 'http://127.0.0.1:6666';

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ spaRedirectUris: [REDIRECT_URI] });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await call(sandbox, 'POST', '/_sandbox/reset');
});

function codeForm(code: string, verifier: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: SERVICE_APP.clientId,
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
    scope: SPA_SCOPES,
    ...overrides,
  };
}

function errorCodes(body: Record<string, unknown>): unknown {
  return body.error_codes;
}

describe('SPA sign-in: authorize and the sign-in page', () => {
  it('shows a script-free sign-in page with a "User name" field, a "Sign in" button and the demo users', async () => {
    const page = await getPage(authorizeUrl({ sandboxUrl: sandbox.url, redirectUri: REDIRECT_URI }));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('script-src');
    expect(csp).toContain("frame-ancestors 'none'");
    // The form's redirect goes to the portal: form-action must allow it, or the browser stops there.
    expect(csp).toContain(`form-action 'self' ${PORTAL_ORIGIN}`);
    expect(page.html).not.toMatch(/<script/i);
    expect(page.html).toMatch(/<label for="login">User name<\/label>/);
    expect(page.html).toMatch(/<input id="login"/);
    expect(page.html).toMatch(/<button type="submit">Sign in<\/button>/);
    for (const user of [HOME_USERS.alice, HOME_USERS.bob, HOME_USERS.carol])
      expect(page.html).toContain(user.userPrincipalName);
  });

  it('signs a user in and redirects to the SPA with a code, the state and client_info (fragment or query)', async () => {
    const { params } = await signInForCode({
      sandboxUrl: sandbox.url,
      redirectUri: REDIRECT_URI,
      userName: 'ALICE@msp.example',
      state: 'xyz',
    });
    expect(params.get('state')).toBe('xyz');
    expect(params.get('code')?.length).toBeGreaterThan(40);
    expect(JSON.parse(Buffer.from(params.get('client_info') ?? '', 'base64url').toString())).toEqual({
      uid: HOME_USERS.alice.id,
      utid: HOME_TENANT_ID,
    });
    const page = await getPage(
      authorizeUrl({ sandboxUrl: sandbox.url, redirectUri: REDIRECT_URI, responseMode: 'query' }),
    );
    const signedIn = await submitSignIn(sandbox.url, page, 'alice@msp.example');
    expect(signedIn.status).toBe(302);
    const location = new URL(signedIn.location ?? '');
    expect(location.hash).toBe('');
    expect(location.searchParams.get('code')).toBeTruthy();
  });

  it('shows the page again for an unknown user name, and issues no code', async () => {
    const page = await getPage(authorizeUrl({ sandboxUrl: sandbox.url, redirectUri: REDIRECT_URI }));
    const again = await submitSignIn(sandbox.url, page, 'mallory@msp.example');
    expect(again.status).toBe(200);
    expect(again.location).toBeNull();
    expect(again.html).toContain('AADSTS50034');
    expect(again.html).toContain('role="alert"');
  });

  it('refuses an unregistered redirect URI on its own page, never redirecting to it', async () => {
    const page = await getPage(authorizeUrl({ sandboxUrl: sandbox.url, redirectUri: `${OTHER_ORIGIN}/` }));
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(page.html).toContain('AADSTS50011');
    // Exact match, as Entra: the same origin without the trailing slash is another URI.
    const noSlash = await getPage(authorizeUrl({ sandboxUrl: sandbox.url, redirectUri: PORTAL_ORIGIN }));
    expect(noSlash.html).toContain('AADSTS50011');
  });

  it('requires PKCE with S256 for a SPA redirect URI, answering at the redirect URI with the state', async () => {
    const missing = await getPage(
      authorizeUrl({ sandboxUrl: sandbox.url, redirectUri: REDIRECT_URI, params: { code_challenge: undefined } }),
    );
    expect(missing.status).toBe(302);
    const p1 = redirectParams(missing.location ?? '');
    expect(p1.get('error')).toBe('invalid_request');
    expect(p1.get('error_description')).toMatch(/^AADSTS9002325:/);
    expect(p1.get('state')).toBe('state-123');
    const plain = await getPage(
      authorizeUrl({ sandboxUrl: sandbox.url, redirectUri: REDIRECT_URI, params: { code_challenge_method: 'plain' } }),
    );
    expect(redirectParams(plain.location ?? '').get('error_description')).toMatch(/^AADSTS501491:/);
  });

  it('answers prompt=none with login_required (no session in the sandbox)', async () => {
    const page = await getPage(
      authorizeUrl({ sandboxUrl: sandbox.url, redirectUri: REDIRECT_URI, prompt: 'none', state: 's1' }),
    );
    expect(page.status).toBe(302);
    expect(page.location?.startsWith(REDIRECT_URI)).toBe(true);
    const params = redirectParams(page.location ?? '');
    expect(params.get('error')).toBe('login_required');
    expect(params.get('error_description')).toMatch(/^AADSTS50058:/);
    expect(params.get('state')).toBe('s1');
    expect(params.get('code')).toBeNull();
    for (const prompt of ['login', 'select_account']) {
      const shown = await getPage(authorizeUrl({ sandboxUrl: sandbox.url, redirectUri: REDIRECT_URI, prompt }));
      expect(shown.status).toBe(200);
    }
  });

  it('refuses a scope the API does not expose, and scopes of two resources', async () => {
    const unknown = await getPage(
      authorizeUrl({
        sandboxUrl: sandbox.url,
        redirectUri: REDIRECT_URI,
        scope: `api://${SERVICE_APP.clientId}/Everything openid`,
      }),
    );
    expect(redirectParams(unknown.location ?? '').get('error_description')).toMatch(/^AADSTS650053:/);
    const two = await getPage(
      authorizeUrl({ sandboxUrl: sandbox.url, redirectUri: REDIRECT_URI, scope: `${API_SCOPE_URI} User.Read` }),
    );
    expect(redirectParams(two.location ?? '').get('error_description')).toMatch(/^AADSTS28000:/);
  });
});

describe('SPA sign-in: the token endpoint', () => {
  it('redeems the code once for tokens the API accepts: groups, roles, scp access_as_user, ver 2.0, nonce', async () => {
    const pkce = newPkce();
    const { code } = await signInForCode({
      sandboxUrl: sandbox.url,
      redirectUri: REDIRECT_URI,
      userName: HOME_USERS.bob.userPrincipalName,
      pkce,
      nonce: 'n-0S6',
    });
    const res = await tokenRequest(sandbox.url, codeForm(code, pkce.verifier), { origin: PORTAL_ORIGIN });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(PORTAL_ORIGIN);
    expect(res.body).toMatchObject({ token_type: 'Bearer', scope: API_SCOPE_URI });
    const jwks = createRemoteJWKSet(new URL(`${sandbox.url}/${HOME_TENANT_ID}/discovery/v2.0/keys`));
    const { payload: access } = await jwtVerify(String(res.body.access_token), jwks, {
      issuer: `${sandbox.url}/${HOME_TENANT_ID}/v2.0`,
      audience: SERVICE_APP.clientId,
    });
    expect(access).toMatchObject({
      oid: HOME_USERS.bob.id,
      tid: HOME_TENANT_ID,
      scp: 'access_as_user',
      ver: '2.0',
      azp: SERVICE_APP.clientId,
      roles: ['Jit.Approver'],
      groups: [],
      preferred_username: HOME_USERS.bob.userPrincipalName,
    });
    const { payload: id } = await jwtVerify(String(res.body.id_token), jwks, { audience: SERVICE_APP.clientId });
    expect(id).toMatchObject({ nonce: 'n-0S6', oid: HOME_USERS.bob.id });
    expect(id.scp).toBeUndefined();
    expect(typeof res.body.refresh_token).toBe('string');

    // The API's own validator accepts the access token, and refuses the ID token.
    const validator = new TokenValidator({
      authorityHost: sandbox.url,
      homeTenantId: HOME_TENANT_ID,
      apiClientId: SERVICE_APP.clientId,
      clockSkewSeconds: 60,
    });
    const caller = await validator.validate(`Bearer ${String(res.body.access_token)}`);
    expect(caller).toMatchObject({ objectId: HOME_USERS.bob.id, roles: ['Jit.Approver'] });
    await expect(validator.validate(`Bearer ${String(res.body.id_token)}`)).rejects.toThrow(/scp/);

    const reused = await tokenRequest(sandbox.url, codeForm(code, pkce.verifier), { origin: PORTAL_ORIGIN });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    expect(errorCodes(reused.body)).toEqual([54005]);
    expect(reused.body.access_token).toBeUndefined();
  });

  it("carries the user's groups in the access token", async () => {
    const tokens = await spaTokens({
      sandboxUrl: sandbox.url,
      redirectUri: REDIRECT_URI,
      userName: HOME_USERS.alice.userPrincipalName,
    });
    expect(decodeJwt(tokens.access_token).groups).toEqual([HOME_GROUPS.allTechnicians.id]);
  });

  it('refuses a wrong PKCE verifier, and the code still works with the right one', async () => {
    const pkce = newPkce();
    const { code } = await signInForCode({
      sandboxUrl: sandbox.url,
      redirectUri: REDIRECT_URI,
      userName: 'alice@msp.example',
      pkce,
    });
    const wrong = await tokenRequest(sandbox.url, codeForm(code, newPkce().verifier), { origin: PORTAL_ORIGIN });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_grant');
    expect(errorCodes(wrong.body)).toEqual([50148]);
    const none = await tokenRequest(sandbox.url, codeForm(code, ''), { origin: PORTAL_ORIGIN });
    expect(errorCodes(none.body)).toEqual([900144]);
    const right = await tokenRequest(sandbox.url, codeForm(code, pkce.verifier), { origin: PORTAL_ORIGIN });
    expect(right.status).toBe(200);
  });

  it('refuses a redirect URI other than the one the code was issued for', async () => {
    const pkce = newPkce();
    const { code } = await signInForCode({
      sandboxUrl: sandbox.url,
      redirectUri: REDIRECT_URI,
      userName: 'alice@msp.example',
      pkce,
    });
    const res = await tokenRequest(
      sandbox.url,
      codeForm(code, pkce.verifier, { redirect_uri: `${PORTAL_ORIGIN}/other` }),
      { origin: PORTAL_ORIGIN },
    );
    expect(res.status).toBe(400);
    expect(errorCodes(res.body)).toEqual([500112]);
  });

  it('refuses a code redeemed without an Origin, from another origin, or with a client secret', async () => {
    const pkce = newPkce();
    const { code } = await signInForCode({
      sandboxUrl: sandbox.url,
      redirectUri: REDIRECT_URI,
      userName: 'alice@msp.example',
      pkce,
    });
    const noOrigin = await tokenRequest(sandbox.url, codeForm(code, pkce.verifier));
    expect(errorCodes(noOrigin.body)).toEqual([9002327]);
    const other = await tokenRequest(sandbox.url, codeForm(code, pkce.verifier), { origin: OTHER_ORIGIN });
    expect(other.status).toBe(400);
    expect(errorCodes(other.body)).toEqual([9002326]);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const secret = await tokenRequest(
      sandbox.url,
      codeForm(code, pkce.verifier, { client_secret: SERVICE_APP.clientSecret }),
      { origin: PORTAL_ORIGIN },
    );
    expect(errorCodes(secret.body)).toEqual([700025]);
    // None of the refusals used the code up.
    const ok = await tokenRequest(sandbox.url, codeForm(code, pkce.verifier), { origin: PORTAL_ORIGIN });
    expect(ok.status).toBe(200);
  });

  it('refreshes: new tokens with the same claims; an unknown refresh token is refused', async () => {
    const tokens = await spaTokens({
      sandboxUrl: sandbox.url,
      redirectUri: REDIRECT_URI,
      userName: 'carol@msp.example',
    });
    const refreshed = await tokenRequest(
      sandbox.url,
      {
        client_id: SERVICE_APP.clientId,
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        scope: SPA_SCOPES,
      },
      { origin: PORTAL_ORIGIN },
    );
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('access-control-allow-origin')).toBe(PORTAL_ORIGIN);
    expect(decodeJwt(String(refreshed.body.access_token))).toMatchObject({
      oid: HOME_USERS.carol.id,
      roles: ['Jit.Admin'],
      scp: 'access_as_user',
    });
    expect(refreshed.body.refresh_token).not.toBe(tokens.refresh_token);
    const bogus = await tokenRequest(
      sandbox.url,
      { client_id: SERVICE_APP.clientId, grant_type: 'refresh_token', refresh_token: 'not-a-token', scope: SPA_SCOPES },
      { origin: PORTAL_ORIGIN },
    );
    expect(bogus.status).toBe(400);
    expect(bogus.body.error).toBe('invalid_grant');
  });

  it("refuses a refresh token once the user's sign-in sessions are revoked", async () => {
    const tokens = await spaTokens({
      sandboxUrl: sandbox.url,
      redirectUri: REDIRECT_URI,
      userName: 'alice@msp.example',
    });
    // Graph keeps signInSessionsValidFromDateTime to the second: revoke in a later second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await graphClientFor(sandbox, HOME_TENANT).api(`/users/${HOME_USERS.alice.id}/revokeSignInSessions`).post({});
    const res = await tokenRequest(
      sandbox.url,
      {
        client_id: SERVICE_APP.clientId,
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        scope: SPA_SCOPES,
      },
      { origin: PORTAL_ORIGIN },
    );
    expect(res.status).toBe(400);
    expect(errorCodes(res.body)).toEqual([50173]);
  });

  it('answers CORS preflights for the SPA origin only, on token, discovery and keys', async () => {
    for (const path of ['oauth2/v2.0/token', 'v2.0/.well-known/openid-configuration', 'discovery/v2.0/keys']) {
      const url = `${sandbox.url}/${HOME_TENANT_ID}/${path}`;
      const preflight = (origin: string) =>
        fetch(url, {
          method: 'OPTIONS',
          headers: {
            Origin: origin,
            'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': 'content-type',
          },
        });
      const ok = await preflight(PORTAL_ORIGIN);
      expect(ok.status).toBe(204);
      expect(ok.headers.get('access-control-allow-origin')).toBe(PORTAL_ORIGIN);
      expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
      expect(ok.headers.get('access-control-allow-headers')).toContain('content-type');
      const refused = await preflight(OTHER_ORIGIN);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    }
    const discovery = await fetch(`${sandbox.url}/${HOME_TENANT_ID}/v2.0/.well-known/openid-configuration`, {
      headers: { Origin: PORTAL_ORIGIN },
    });
    expect(discovery.headers.get('access-control-allow-origin')).toBe(PORTAL_ORIGIN);
  });

  it('lets a code expire (short lifetime)', async () => {
    const shortLived = await startTestSandbox({
      spaRedirectUris: [REDIRECT_URI],
      authorizationCodeLifetimeInSeconds: 1,
    });
    try {
      const pkce = newPkce();
      const { code } = await signInForCode({
        sandboxUrl: shortLived.url,
        redirectUri: REDIRECT_URI,
        userName: 'alice@msp.example',
        pkce,
      });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const res = await tokenRequest(shortLived.url, codeForm(code, pkce.verifier), { origin: PORTAL_ORIGIN });
      expect(res.status).toBe(400);
      expect(errorCodes(res.body)).toEqual([70008]);
    } finally {
      await shortLived.close();
    }
  });

  it('sends sign-out back to a registered redirect URI only', async () => {
    const back = await getPage(
      `${sandbox.url}/${HOME_TENANT_ID}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent(REDIRECT_URI)}`,
    );
    expect(back.status).toBe(302);
    expect(back.location).toBe(REDIRECT_URI);
    const elsewhere = await getPage(
      `${sandbox.url}/${HOME_TENANT_ID}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent(`${OTHER_ORIGIN}/`)}`,
    );
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.location).toBeNull();
  });
});
