import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOME_USERS, SERVICE_APP } from '../../../local/sandbox/seed';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { call, startTestSandbox } from './helpers';
import {
  authorizeUrl,
  getPage,
  newPkce,
  redirectParams,
  SPA_SCOPES,
  submitSignIn,
  tokenRequest,
  type PageResponse,
} from './spaSignIn';

/**
 * A claims request at the sandbox's authorize endpoint (what MSAL sends after an API's claims
 * challenge): the sign-in asks for the extra verification, and the access token then carries
 * `acrs`; without the verification there is no code.
 */
const PORTAL_ORIGIN = 'http://127.0.0.1:5173';
const REDIRECT_URI = `${PORTAL_ORIGIN}/`;
const C1_CLAIMS = JSON.stringify({ access_token: { acrs: { essential: true, value: 'c1' } } });

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ spaRedirectUris: [REDIRECT_URI] });
});
afterAll(async () => {
  await sandbox.close();
});

async function postForm(page: PageResponse, fields: Record<string, string> = {}): Promise<PageResponse> {
  const action = /<form method="post" action="([^"]+)"/.exec(page.html)?.[1];
  const ctx = /name="ctx" value="([^"]+)"/.exec(page.html)?.[1];
  if (action === undefined || ctx === undefined) throw new Error(`no form: ${page.html.slice(0, 300)}`);
  const res = await fetch(`${sandbox.url}${action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ctx, ...fields }).toString(),
  });
  return { status: res.status, headers: res.headers, html: await res.text(), location: res.headers.get('location') };
}

async function redeem(code: string, verifier: string): Promise<Record<string, unknown>> {
  const res = await tokenRequest(
    sandbox.url,
    {
      client_id: SERVICE_APP.clientId,
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      scope: SPA_SCOPES,
      claims: C1_CLAIMS,
    },
    { origin: PORTAL_ORIGIN },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe('a claims request for an authentication context', () => {
  it('asks for the extra verification after the user name, then issues an access token with acrs that refreshes with it', async () => {
    const pkce = newPkce();
    const page = await getPage(
      authorizeUrl({
        sandboxUrl: sandbox.url,
        redirectUri: REDIRECT_URI,
        pkce,
        // MSAL merges its client capabilities (xms_cc) into the claims request.
        params: {
          claims: JSON.stringify({
            access_token: { acrs: { essential: true, value: 'c1' }, xms_cc: { values: ['CP1'] } },
          }),
        },
      }),
    );
    expect(page.status).toBe(200);
    const verifyPage = await submitSignIn(sandbox.url, page, HOME_USERS.alice.userPrincipalName);
    expect(verifyPage.status).toBe(200);
    expect(verifyPage.location).toBeNull();
    expect(verifyPage.html).toContain('Verify your identity');
    expect(verifyPage.html).toContain('Verify (MFA)');
    const verified = await postForm(verifyPage);
    expect(verified.status).toBe(302);
    const code = redirectParams(verified.location ?? '').get('code');
    expect(code).not.toBeNull();
    const tokens = await redeem(code ?? '', pkce.verifier);
    expect(decodeJwt(String(tokens.access_token)).acrs).toEqual(['c1']);
    expect(decodeJwt(String(tokens.id_token)).acrs).toBeUndefined();
    const refreshed = await tokenRequest(
      sandbox.url,
      {
        client_id: SERVICE_APP.clientId,
        grant_type: 'refresh_token',
        refresh_token: String(tokens.refresh_token),
        scope: SPA_SCOPES,
      },
      { origin: PORTAL_ORIGIN },
    );
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(String(refreshed.body.access_token)).acrs).toEqual(['c1']);
  });

  it('gives no acrs to a sign-in without a claims request (no verification step)', async () => {
    const pkce = newPkce();
    const page = await getPage(authorizeUrl({ sandboxUrl: sandbox.url, redirectUri: REDIRECT_URI, pkce }));
    const signedIn = await submitSignIn(sandbox.url, page, HOME_USERS.alice.userPrincipalName);
    expect(signedIn.status).toBe(302);
    const code = redirectParams(signedIn.location ?? '').get('code') ?? '';
    const tokens = await redeem(code, pkce.verifier);
    expect(decodeJwt(String(tokens.access_token)).acrs).toBeUndefined();
  });

  it('does not verify a sign-in whose user never named themselves', async () => {
    const page = await getPage(
      authorizeUrl({ sandboxUrl: sandbox.url, redirectUri: REDIRECT_URI, params: { claims: C1_CLAIMS } }),
    );
    const html = page.html.replace(/action="\/([^"/]+)\/login"/, 'action="/$1/login/verify"');
    const skipped = await postForm({ ...page, html });
    expect(skipped.status).toBe(400);
    expect(skipped.location).toBeNull();
    expect(skipped.html).toContain('AADSTS50196');
  });

  it('sends an invalid claims parameter back to the app as invalid_request', async () => {
    for (const claims of [
      '{not json',
      JSON.stringify({ access_token: { acrs: { essential: true, value: 'c100' } } }),
    ]) {
      const page = await getPage(
        authorizeUrl({ sandboxUrl: sandbox.url, redirectUri: REDIRECT_URI, params: { claims } }),
      );
      expect(page.status).toBe(302);
      const params = redirectParams(page.location ?? '');
      expect(params.get('error')).toBe('invalid_request');
      expect(params.get('error_description')).toContain('AADSTS90100');
    }
  });

  it('mints acrs through POST /_sandbox/tokens, refuses amr and acrs on an ID token', async () => {
    const user = HOME_USERS.alice.userPrincipalName;
    const minted = await call(sandbox, 'POST', '/_sandbox/tokens', { body: { user, acrs: ['c1', 'c7'] } });
    expect(minted.status).toBe(200);
    expect(decodeJwt((minted.body as { access_token: string }).access_token).acrs).toEqual(['c1', 'c7']);
    expect((await call(sandbox, 'POST', '/_sandbox/tokens', { body: { user, amr: ['mfa'] } })).status).toBe(400);
    const idToken = await call(sandbox, 'POST', '/_sandbox/tokens', { body: { user, acrs: ['c1'], tokenType: 'id' } });
    expect(idToken.status).toBe(400);
  });
});
