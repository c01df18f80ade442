import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, FABRIKAM, HOME_TENANT, HOME_USERS, SERVICE_APP } from '../../local/sandbox/seed';
import { DEMO_TARGET_ID } from '../../local/seedDemo';
import { getServices } from '../../src/composition';
import { tenantState } from '../support/client';
import { startTestStack, type TestStack } from '../support/stack';

/** Bad input and bad callers get a clear problem+json 4xx and change nothing. */
let t: TestStack;
let alice: string;
let writesBefore: number;

beforeAll(async () => {
  t = await startTestStack();
  alice = await t.client.token(HOME_USERS.alice.userPrincipalName);
  writesBefore = tenantState(await t.client.state(), CONTOSO.id).calls.writes;
}, 60_000);

afterAll(async () => {
  // Nothing was provisioned by any of these calls.
  if (t !== undefined) {
    expect(tenantState(await t.client.state(), CONTOSO.id).calls.writes).toBe(writesBefore);
    const stored = await getServices().deps.requests.list({}, { limit: 100 });
    expect(stored.items).toEqual([]);
    await t.stack.close();
  }
});

const valid = { tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID, duration: 'PT1H' };

async function expectProblem(
  response: { status: number; headers: Headers; body: unknown; text: string },
  status: number,
  detail: RegExp,
): Promise<void> {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status });
  expect(response.text).toMatch(detail);
}

describe('callers who are not who they say', () => {
  it('no token → 401 with WWW-Authenticate', async () => {
    const response = await t.client.api('POST', '/requests', { body: valid });
    await expectProblem(response, 401, /Authorization header/);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it.each([
    ['an expired token', { expiresInSeconds: -600 }, /expired/],
    ['a token not valid yet', { notBeforeInSeconds: 600 }, /not valid yet/],
    ['a token signed by an unknown key', { untrustedKey: true }, /signature/],
    ['a token for another audience', { audience: 'api://someone-else' }, /audience/],
  ])('%s → 401', async (_name, options, detail) => {
    const token = await t.client.token(HOME_USERS.alice.userPrincipalName, options);
    await expectProblem(await t.client.api('POST', '/requests', { token, body: valid }), 401, detail);
  });

  it("an ID token for the API's own app id is not an access token → 401, even one carrying Jit.Admin", async () => {
    // Same issuer, audience (the app id), signature and app roles as an access token: only scp differs.
    const idToken = await t.client.token(HOME_USERS.carol.userPrincipalName, { tokenType: 'id' });
    await expectProblem(await t.client.api('GET', '/rules', { token: idToken }), 401, /access_as_user scope \(scp\)/);
    await expectProblem(
      await t.client.api('POST', '/requests', {
        token: await t.client.token(HOME_USERS.alice.userPrincipalName, { tokenType: 'id' }),
        body: valid,
      }),
      401,
      /ID token/,
    );
    expect(
      (await t.client.api('GET', '/rules', { token: await t.client.token(HOME_USERS.carol.userPrincipalName) })).status,
    ).toBe(200);
  });

  it('an app-only token (client credentials) for the API acts for no user → 401', async () => {
    const response = await fetch(`${t.client.sandboxUrl}/${HOME_TENANT.id}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: SERVICE_APP.clientId,
        client_secret: SERVICE_APP.clientSecret,
        grant_type: 'client_credentials',
        scope: `api://${SERVICE_APP.clientId}/.default`,
      }),
    });
    expect(response.status).toBe(200);
    const appToken = ((await response.json()) as { access_token: string }).access_token;
    await expectProblem(await t.client.api('GET', '/entitlements', { token: appToken }), 401, /app-only token/);
    await expectProblem(
      await t.client.api('POST', '/requests', { token: appToken, body: valid }),
      401,
      /app-only token/,
    );
  });

  it('a user of a customer tenant is not a technician → 401', async () => {
    const token = await t.client.token(`staff@${FABRIKAM.domains[0]?.id ?? ''}`);
    await expectProblem(await t.client.api('GET', `/requests/${randomUUID()}`, { token }), 401, /home tenant/);
  });

  it('garbage in the Authorization header → 401', async () => {
    await expectProblem(
      await t.client.api('GET', `/requests/${randomUUID()}`, { headers: { Authorization: 'Bearer not.a-jwt' } }),
      401,
      /not a valid JWT|Bearer/,
    );
    await expectProblem(
      await t.client.api('GET', `/requests/${randomUUID()}`, { headers: { Authorization: 'Basic YWxpY2U6cHc=' } }),
      401,
      /Bearer/,
    );
  });
});

describe('bodies that are not valid', () => {
  it('malformed JSON → 400', async () => {
    await expectProblem(
      await t.client.api('POST', '/requests', {
        token: alice,
        rawBody: '{"tenantId": ',
        headers: { 'Content-Type': 'application/json' },
      }),
      400,
      /not valid JSON/,
    );
  });

  it('not JSON at all → 415', async () => {
    await expectProblem(
      await t.client.api('POST', '/requests', {
        token: alice,
        rawBody: 'tenantId=x',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
      415,
      /JSON/,
    );
  });

  it('an unknown field → 400 naming it', async () => {
    await expectProblem(
      await t.client.api('POST', '/requests', { token: alice, body: { ...valid, role: 'Global Administrator' } }),
      400,
      /unknown field\(s\): role/,
    );
  });

  it('every wrong field is named at once', async () => {
    const response = await t.client.api<{ errors: { field: string }[] }>('POST', '/requests', {
      token: alice,
      body: { tenantId: 'contoso', targetId: 'Helpdesk Admin!', duration: 5 },
    });
    await expectProblem(response, 400, /tenantId/);
    expect(response.body.errors.map((e) => e.field).sort()).toEqual(['duration', 'targetId', 'tenantId']);
  });

  it.each(['P1Y', 'PT0S', '-PT1H', '4 hours'])('duration %j → 400', async (duration) => {
    await expectProblem(
      await t.client.api('POST', '/requests', { token: alice, body: { ...valid, duration } }),
      400,
      /duration/,
    );
  });

  it('a body over 64 KiB → 413', async () => {
    await expectProblem(
      await t.client.api('POST', '/requests', { token: alice, body: { ...valid, justification: 'x'.repeat(70_000) } }),
      413,
      /64|bytes/,
    );
  });

  it('JSON nested too deep → 400', async () => {
    const deep = '['.repeat(200) + ']'.repeat(200);
    await expectProblem(
      await t.client.api('POST', '/requests', {
        token: alice,
        rawBody: deep,
        headers: { 'Content-Type': 'application/json' },
      }),
      400,
      /nested|body/,
    );
  });
});

describe('requests the policy refuses', () => {
  it('a duration above the cap → 400 naming the cap', async () => {
    await expectProblem(
      await t.client.api('POST', '/requests', { token: alice, body: { ...valid, duration: 'PT9H' } }),
      400,
      /at most PT8H/,
    );
  });

  it('a duration below the minimum → 400 naming it', async () => {
    await expectProblem(
      await t.client.api('POST', '/requests', { token: alice, body: { ...valid, duration: 'PT10S' } }),
      400,
      /at least PT30S/,
    );
  });

  it('an unknown target or tenant → 404', async () => {
    await expectProblem(
      await t.client.api('POST', '/requests', { token: alice, body: { ...valid, targetId: 'global-admin' } }),
      404,
      /global-admin/,
    );
    await expectProblem(
      await t.client.api('POST', '/requests', { token: alice, body: { ...valid, tenantId: FABRIKAM.id } }),
      404,
      /not connected/,
    );
  });

  it('a technician with no rule → 403', async () => {
    const erin = await t.client.token(HOME_USERS.erin.userPrincipalName);
    await expectProblem(
      await t.client.api('POST', '/requests', { token: erin, body: valid }),
      403,
      /no entitlement rule/,
    );
  });

  it('unknown or malformed request ids → 404', async () => {
    await expectProblem(
      await t.client.api('GET', `/requests/${randomUUID()}`, { token: alice }),
      404,
      /does not exist/,
    );
    await expectProblem(await t.client.api('GET', "/requests/' or 1 eq 1", { token: alice }), 404, /GUID/);
    await expectProblem(
      await t.client.api('POST', `/requests/${randomUUID()}/credential`, { token: alice }),
      404,
      /does not exist/,
    );
    await expectProblem(
      await t.client.api('POST', `/requests/${randomUUID()}/revoke`, { token: alice, body: {} }),
      404,
      /does not exist/,
    );
  });
});
