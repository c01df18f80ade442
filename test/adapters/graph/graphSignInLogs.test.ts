import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { CONTOSO, seedAppOf } from '../../../local/sandbox/seed';
import type { Adapters } from '../../../src/adapters';
import type { Tenant } from '../../../src/domain/config';
import { sandboxCall, startTestSandbox } from '../sandboxSupport';
import { adaptersFor, connectContoso } from './graphFixtures';

/** A user's sign-ins from Graph's auditLogs/signIns, through the real Graph client against the sandbox. */
let sandbox: RunningSandbox;
let adapters: Adapters;
let tenant: Tenant;
const APP = seedAppOf(CONTOSO);
const USER = CONTOSO.users[0];
const OTHER = 'someone-else@contoso.example';

async function permissions(list: readonly string[]): Promise<void> {
  await sandboxCall(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${APP.clientId}`, { appPermissions: list });
  adapters.directories.forget(CONTOSO.id);
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  adapters = adaptersFor(sandbox);
  tenant = await connectContoso(adapters);
  await permissions(APP.appPermissions);
  await sandboxCall(sandbox, 'POST', `/_sandbox/tenants/${CONTOSO.id}/users`, { userPrincipalName: OTHER });
  const base = Date.parse('2026-10-01T00:00:00Z');
  // 150 sign-ins of the user a minute apart (more than one page), and one of someone else.
  await sandboxCall(sandbox, 'POST', `/_sandbox/tenants/${CONTOSO.id}/signIns`, {
    value: [
      ...Array.from({ length: 150 }, (_, i) => ({
        user: USER?.userPrincipalName,
        createdDateTime: new Date(base + i * 60_000).toISOString(),
        ipAddress: '203.0.113.7',
        location: { city: 'Oslo', countryOrRegion: 'NO' },
        ...(i === 3 ? { status: { errorCode: 50126, failureReason: 'Invalid username or password.' } } : {}),
      })),
      { user: OTHER, createdDateTime: new Date(base + 60_000).toISOString() },
    ],
  });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
});

describe('GraphSignInLogs.listSignIns', () => {
  it("reads every page of the user's sign-ins in the window, newest first, and no one else's", async () => {
    const directory = await adapters.directories.forTenant(tenant);
    const read = await directory.listSignIns(USER?.id ?? '', '2026-10-01T00:00:00Z', '2026-10-01T02:29:00Z');
    expect(read.readable).toBe(true);
    if (!read.readable) return;
    expect(read.signIns).toHaveLength(150);
    expect(read.signIns[0]?.createdDateTime).toBe('2026-10-01T02:29:00.000Z');
    expect(read.signIns.every((s) => s.userPrincipalName === USER?.userPrincipalName)).toBe(true);
    expect(read.signIns.find((s) => s.errorCode === 50126)).toMatchObject({
      createdDateTime: '2026-10-01T00:03:00.000Z',
      failureReason: 'Invalid username or password.',
      ipAddress: '203.0.113.7',
      location: 'Oslo, NO',
    });
    const narrow = await directory.listSignIns(USER?.id ?? '', '2026-10-01T00:10:00Z', '2026-10-01T00:19:59Z');
    expect(narrow.readable && narrow.signIns.length).toBe(10);
  });

  it('answers why it cannot read: no Entra ID P1/P2 licence, no AuditLog.Read.All', async () => {
    await sandboxCall(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}`, { entraIdPremium: false });
    const directory = await adapters.directories.forTenant(tenant);
    expect(await directory.listSignIns(USER?.id ?? '', '2026-10-01T00:00:00Z', '2026-10-02T00:00:00Z')).toMatchObject({
      readable: false,
      reason: 'no_premium_licence',
    });
    await sandboxCall(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}`, { entraIdPremium: true });
    await permissions(APP.appPermissions.filter((p) => p !== 'AuditLog.Read.All'));
    const without = await adapters.directories.forTenant(tenant);
    expect(await without.listSignIns(USER?.id ?? '', '2026-10-01T00:00:00Z', '2026-10-02T00:00:00Z')).toMatchObject({
      readable: false,
      reason: 'no_permission',
    });
  });

  it('refuses a filter the sandbox cannot read as Graph would (400), never reading it loosely', async () => {
    await permissions(APP.appPermissions);
    const token = await fetch(`${sandbox.url}/${CONTOSO.id}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        scope: 'https://graph.microsoft.com/.default',
      }),
    }).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
    const response = await fetch(
      `${sandbox.url}/v1.0/auditLogs/signIns?$filter=${encodeURIComponent("userId eq 'x' or 1 eq 1")}`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('BadRequest');
  });
});
