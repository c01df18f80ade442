import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_USERS, seedAppOf } from '../../local/sandbox/seed';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * A federated jitDomain is refused when the tenant is connected or changed (400 naming the domain
 * and why), not only reported later by verify: JIT accounts there would sign in at another identity
 * provider, beyond the password the service sets and the disable it relies on.
 */
let t: TestStack;
let admin: string;
const app = seedAppOf(CONTOSO);
const connectContoso = (jitDomain: string) => ({
  tenantId: CONTOSO.id,
  displayName: 'Contoso',
  jitDomain,
  connection: { mode: 'clientSecret', clientId: app.clientId, clientSecret: app.clientSecret },
});

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
  // The demo connects Contoso; start from a Contoso that is not connected.
  const removed = await t.client.api('DELETE', `/tenants/${CONTOSO.id}`, { token: admin });
  expect(removed.status, removed.text).toBe(200);
}, 60_000);

afterAll(async () => {
  await t?.stack.close();
});

describe('a federated jitDomain', () => {
  it('is refused at POST /tenants with a 400 naming it, and nothing is stored, not even the secret', async () => {
    const refused = await t.client.api<{ errors: { field: string; message: string }[] }>('POST', '/tenants', {
      token: admin,
      body: connectContoso('fed.contoso.example'),
    });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.errors).toHaveLength(1);
    expect(refused.body.errors[0]?.field).toBe('jitDomain');
    expect(refused.body.errors[0]?.message).toMatch(
      /^fed\.contoso\.example is a federated domain of tenant .*another identity provider/,
    );
    expect(refused.text).not.toContain(app.clientSecret);
    expect((await t.client.api('GET', `/tenants/${CONTOSO.id}`, { token: admin })).status).toBe(404);
    const secret = (await t.client.state()).keyVault.secrets.find((s) => s.name === `tenant-${CONTOSO.id}`);
    expect(secret === undefined || secret.deleted).toBe(true);
  });

  it('a managed domain connects as before; changing it to the federated one is refused and changes nothing', async () => {
    const created = await t.client.api('POST', '/tenants', { token: admin, body: connectContoso('contoso.example') });
    expect(created.status, created.text).toBe(201);
    const refused = await t.client.api<{ errors: { field: string }[] }>('PATCH', `/tenants/${CONTOSO.id}`, {
      token: admin,
      body: { jitDomain: 'FED.contoso.example' },
    });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.errors.map((e) => e.field)).toEqual(['jitDomain']);
    const read = await t.client.api('GET', `/tenants/${CONTOSO.id}`, { token: admin });
    expect(read.body).toMatchObject({ jitDomain: 'contoso.example' });
    expect(read.headers.get('etag')).toBe(created.headers.get('etag'));
  });
});
