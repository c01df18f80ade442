import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import { decodeJwt } from 'jose';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../local/ports';
import { HOME_GROUPS, HOME_TENANT_ID, HOME_USERS, SERVICE_APP } from '../../../local/sandbox/seed';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { repoRoot } from '../../infra/infraFiles';
import { openIdConfiguration } from '../../../local/sandbox/login';
import { startTestSandbox } from './helpers';
import { API_SCOPE_URI } from './spaSignIn';

/**
 * MSAL.js itself (@azure/msal-browser, as the portal uses it) against the sandbox in Chromium: the
 * metadata fetch and the token requests cross-origin (CORS), loginRedirect with PKCE, state and
 * nonce checked by MSAL, the code redeemed, then a refresh-token grant (acquireTokenSilent with
 * forceRefresh). A minimal page, its script from files (the page's CSP allows no inline script).
 */
const CHROMIUM = process.env.JIT_CHROMIUM ?? '/usr/bin/chromium';
// The package's UMD build (not in its exports map: read from where the package.json resolves).
const msalUmd = readFileSync(join(repoRoot, 'node_modules/@azure/msal-browser/lib/msal-browser.min.js'), 'utf8');

const APP_JS = `
(async () => {
  const out = document.getElementById('out');
  const cfg = await (await fetch('/config.json')).json();
  const pca = new msal.PublicClientApplication({
    auth: { clientId: cfg.clientId, authority: cfg.authority, knownAuthorities: [new URL(cfg.authority).host],
            redirectUri: location.origin + '/', ...(cfg.authorityMetadata ? { authorityMetadata: cfg.authorityMetadata } : {}) },
    cache: { cacheLocation: 'sessionStorage' },
  });
  await pca.initialize();
  const result = await pca.handleRedirectPromise();
  if (!result) { await pca.loginRedirect({ scopes: [cfg.scope], loginHint: cfg.loginHint }); return; }
  const refreshed = await pca.acquireTokenSilent({ scopes: [cfg.scope], account: result.account, forceRefresh: true });
  out.textContent = JSON.stringify({
    username: result.account.username, homeAccountId: result.account.homeAccountId,
    idTokenNonce: result.idTokenClaims.nonce !== undefined,
    accessToken: result.accessToken, refreshedToken: refreshed.accessToken, fromCache: refreshed.fromCache,
  });
})().catch((e) => { document.getElementById('out').textContent = 'ERROR ' + (e && e.errorCode) + ' ' + e; });
`;

let sandbox: RunningSandbox;
let browser: Browser;
const spas: Server[] = [];
let spaOrigin = '';
let spaWithMetadataOrigin = '';

/** A minimal SPA on `port` whose /config.json is `config`. */
async function startSpa(port: number, config: Record<string, unknown>): Promise<void> {
  const origin = `http://127.0.0.1:${port}`;
  const body = JSON.stringify(config);
  const spa = createServer((req, res) => {
    const path = new URL(req.url ?? '/', origin).pathname;
    const csp = {
      'content-security-policy': `default-src 'self'; script-src 'self'; connect-src 'self' ${sandbox.url}`,
    };
    if (path === '/msal.js') res.writeHead(200, { 'content-type': 'text/javascript', ...csp }).end(msalUmd);
    else if (path === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript', ...csp }).end(APP_JS);
    else if (path === '/config.json') res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    else
      res
        .writeHead(200, { 'content-type': 'text/html', ...csp })
        .end(
          '<!doctype html><title>SPA</title><pre id="out"></pre><script src="/msal.js"></script><script src="/app.js"></script>',
        );
  });
  spas.push(spa);
  await new Promise<void>((resolve) => spa.listen(port, '127.0.0.1', resolve));
}

beforeAll(async () => {
  const [port, portWithMetadata] = [await freePort(), await freePort()];
  spaOrigin = `http://127.0.0.1:${port}`;
  spaWithMetadataOrigin = `http://127.0.0.1:${portWithMetadata}`;
  sandbox = await startTestSandbox({ spaRedirectUris: [`${spaOrigin}/`, `${spaWithMetadataOrigin}/`] });
  const config = {
    clientId: SERVICE_APP.clientId,
    authority: `${sandbox.url}/${HOME_TENANT_ID}`,
    scope: API_SCOPE_URI,
    loginHint: HOME_USERS.alice.userPrincipalName,
  };
  await startSpa(port, config);
  // docs/local-stack.md: with the metadata given, MSAL's first contact with the sandbox is a navigation.
  await startSpa(portWithMetadata, {
    ...config,
    authorityMetadata: JSON.stringify(openIdConfiguration(sandbox.url, { id: HOME_TENANT_ID })),
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  for (const spa of spas) await new Promise((resolve) => spa.close(resolve));
});

describe('MSAL.js against the sandbox', () => {
  it('signs in with loginRedirect (code + PKCE), then refreshes silently: tokens for the API with groups and scp', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${spaOrigin}/`);
    await page.getByLabel('User name').waitFor({ timeout: 15_000 });
    expect(await page.getByLabel('User name').inputValue()).toBe(HOME_USERS.alice.userPrincipalName);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#out').filter({ hasText: /\S/ }).waitFor({ timeout: 15_000 });
    const text = (await page.locator('#out').textContent()) ?? '';
    expect(text.startsWith('ERROR'), text).toBe(false);
    const out = JSON.parse(text) as {
      username: string;
      homeAccountId: string;
      idTokenNonce: boolean;
      accessToken: string;
      refreshedToken: string;
      fromCache: boolean;
    };
    expect(out.username).toBe(HOME_USERS.alice.userPrincipalName);
    expect(out.homeAccountId).toBe(`${HOME_USERS.alice.id}.${HOME_TENANT_ID}`);
    expect(out.idTokenNonce).toBe(true);
    expect(out.fromCache).toBe(false);
    for (const token of [out.accessToken, out.refreshedToken])
      expect(decodeJwt(token)).toMatchObject({
        aud: SERVICE_APP.clientId,
        scp: 'access_as_user',
        ver: '2.0',
        groups: [HOME_GROUPS.allTechnicians.id],
      });
    expect(out.refreshedToken).not.toBe(out.accessToken);
    // Nothing of the sign-in in localStorage: MSAL's cache is in sessionStorage, as the portal keeps it.
    expect(await page.evaluate('window.localStorage.length')).toBe(0);
    await context.close();
  });

  it('with authorityMetadata, contacts the sandbox first by a top-level navigation (where a browser lets a person accept the local CA)', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const toSandbox: { url: string; navigation: boolean }[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(sandbox.url))
        toSandbox.push({ url: request.url(), navigation: request.isNavigationRequest() });
    });
    await page.goto(`${spaWithMetadataOrigin}/`);
    await page.getByLabel('User name').waitFor({ timeout: 15_000 });
    expect(toSandbox[0]?.navigation, JSON.stringify(toSandbox)).toBe(true);
    expect(toSandbox[0]?.url).toContain('/oauth2/v2.0/authorize?');
    expect(toSandbox.some((r) => r.url.includes('openid-configuration'))).toBe(false);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#out').filter({ hasText: /\S/ }).waitFor({ timeout: 15_000 });
    const text = (await page.locator('#out').textContent()) ?? '';
    expect(text.startsWith('ERROR'), text).toBe(false);
    await context.close();
  });
});
