import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TARGET_ID } from '../../local/seedDemo';
import { HOME_USERS } from '../../local/sandbox/seed';
import { spaTokens } from '../local/sandbox/spaSignIn';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The portal's sign-in end to end: a user signs in at the sandbox the way MSAL.js does (code + PKCE
 * from the portal's origin) and the API accepts the access token; the API answers CORS for the
 * portal's origin only, as the Function App's siteConfig.cors does in Azure.
 */
const PORTAL = 'http://127.0.0.1:5173';
let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({ portalOrigins: [PORTAL] });
});
afterAll(async () => {
  await t.stack.close();
});

describe('SPA sign-in through the local stack', () => {
  it('a token from the code + PKCE flow is accepted by the API (GET /api/entitlements 200, CORS for the portal)', async () => {
    const tokens = await spaTokens({
      sandboxUrl: t.stack.sandboxUrl,
      redirectUri: `${PORTAL}/`,
      userName: HOME_USERS.alice.userPrincipalName,
    });
    const res = await fetch(`${t.stack.apiBaseUrl}/entitlements`, {
      headers: { Authorization: `Bearer ${tokens.access_token}`, Origin: PORTAL },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(PORTAL);
    const body: unknown = await res.json();
    expect(JSON.stringify(body)).toContain(DEMO_TARGET_ID);
    // The ID token of the same sign-in is not an access token for the API.
    const withIdToken = await fetch(`${t.stack.apiBaseUrl}/entitlements`, {
      headers: { Authorization: `Bearer ${tokens.id_token}` },
    });
    expect(withIdToken.status).toBe(401);
  });

  it("answers the portal's preflight before the app, and refuses another origin's", async () => {
    const preflight = (origin: string) =>
      fetch(`${t.stack.apiBaseUrl}/requests`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization, content-type',
        },
      });
    const ok = await preflight(PORTAL);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(ok.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    const other = await preflight('http://127.0.0.1:6666');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
