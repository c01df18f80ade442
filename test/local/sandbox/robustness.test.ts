import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_TENANT } from '../../../local/sandbox/seed';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { call, credentialFor, graphToken, startTestSandbox } from './helpers';

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('sandbox robustness', () => {
  it('never answers 500 to odd Graph input', async () => {
    const token = await graphToken(sandbox, CONTOSO);
    const probes: [string, string, unknown][] = [
      ['GET', '/v1.0/users?$top=abc', undefined],
      ['GET', '/v1.0/users?$top=1000', undefined],
      ['GET', '/v1.0/users?$skiptoken=%%%', undefined],
      ['GET', '/v1.0/users?$filter=', undefined],
      ['GET', `/v1.0/users?$filter=${encodeURIComponent("startswith(userPrincipalName,'a'")}`, undefined],
      ['GET', `/v1.0/users?$filter=${encodeURIComponent("userPrincipalName eq 'a' and".repeat(200))}`, undefined],
      ['GET', `/v1.0/users?$filter=${encodeURIComponent('('.repeat(500))}`, undefined],
      ['GET', '/v1.0/users/%E0%A4%A', undefined],
      ['POST', '/v1.0/users', []],
      ['POST', '/v1.0/users', 'just a string'],
      ['POST', '/v1.0/users', { accountEnabled: 'yes' }],
      ['PATCH', `/v1.0/users/${CONTOSO.users[1]?.id ?? ''}`, { passwordProfile: 5 }],
      ['POST', '/v1.0/roleManagement/directory/roleAssignments', { principalId: 7 }],
      ['POST', `/v1.0/groups/${CONTOSO.groups[1]?.id ?? ''}/members/$ref`, { '@odata.id': 42 }],
      ['POST', '/v1.0/$batch', { requests: 'nope' }],
      ['GET', '/v1.0/$batch', undefined],
      ['GET', "/v1.0/servicePrincipals(appId='')", undefined],
      ['DELETE', '/v1.0/roleManagement/directory/roleAssignments/x', undefined],
      ['GET', '/v1.0', undefined],
    ];
    for (const [method, path, body] of probes) {
      const res = await call(sandbox, method, path, { token, body });
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      expect(res.body, `${method} ${path}`).toMatchObject({ error: { code: expect.any(String) as string } });
    }
    const oddItems = {
      requests: [
        { id: '1', method: 'GET', url: 'https://evil.example/users' },
        { id: '2', method: 'GET', url: '/%E0%A4%A' },
        { id: '3', method: 'BREW', url: '/users' },
      ],
    };
    const batch = await call(sandbox, 'POST', '/v1.0/$batch', { token, body: oddItems });
    expect(batch.status).toBe(200);
    // Graph answers batch items in any order: match them by id.
    const statuses = Object.fromEntries(
      (batch.body as { responses: { id: string; status: number }[] }).responses.map((r) => [r.id, r.status]),
    );
    expect(statuses).toEqual({ '1': 400, '2': 400, '3': 405 });
  });

  it('never answers 500 to odd login, vault or sandbox API input', async () => {
    const vaultToken = (await credentialFor(sandbox, HOME_TENANT).getToken('https://vault.azure.net/.default')).token;
    const probes: [string, string, unknown, string | undefined][] = [
      ['POST', `/${HOME_TENANT.id}/oauth2/v2.0/token`, 'grant_type=password', undefined],
      ['GET', `/${HOME_TENANT.id}/oauth2/v2.0/token`, undefined, undefined],
      ['GET', '/%zz/v2.0/.well-known/openid-configuration', undefined, undefined],
      ['PUT', '/secrets/x?api-version=7.5', { nope: true }, vaultToken],
      ['PUT', '/secrets/x?api-version=7.5', 'not json', vaultToken],
      ['PUT', `/secrets/${'a'.repeat(200)}?api-version=7.5`, { value: 'v' }, vaultToken],
      ['POST', '/secrets/x?api-version=7.5', { value: 'v' }, vaultToken],
      ['GET', '/deletedsecrets/nothing?api-version=7.5', undefined, vaultToken],
      ['POST', '/_sandbox/tokens', 'not json', undefined],
      ['PUT', '/_sandbox/faults', { errorRate: 'high' }, undefined],
      ['PATCH', '/_sandbox/tenants/nope/users/nobody', { accountEnabled: false }, undefined],
      ['GET', '/nothing-here', undefined, undefined],
    ];
    for (const [method, path, body, token] of probes) {
      const res = await call(sandbox, method, path, { token, body });
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
    }
  });
});
