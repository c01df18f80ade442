import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenValidator } from '../../../src/adapters/auth/tokenValidator';
import { HOME_TENANT_ID, HOME_USERS, SERVICE_APP } from '../../../local/sandbox/seed';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { call, startTestSandbox } from '../../local/sandbox/helpers';

/** The API's validator against the sandbox's real tokens and keys, over HTTPS. */
let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

async function userToken(body: Record<string, unknown>): Promise<string> {
  const res = await call(sandbox, 'POST', '/_sandbox/tokens', { body });
  expect(res.status).toBe(200);
  return (res.body as { access_token: string }).access_token;
}

function validator(clockSkewSeconds = 0): TokenValidator {
  return new TokenValidator({
    authorityHost: sandbox.url,
    homeTenantId: HOME_TENANT_ID,
    apiClientId: SERVICE_APP.clientId,
    clockSkewSeconds,
  });
}

describe('TokenValidator: validated tokens remembered', () => {
  it('answers the same token again from memory, with a caller nobody can change', async () => {
    const v = validator();
    const token = await userToken({ user: 'alice@msp.example' });
    const first = await v.validate(`Bearer ${token}`);
    expect(first.objectId).toBe(HOME_USERS.alice.id);
    expect(await v.validate(`Bearer ${token}`)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.groups) && Object.isFrozen(first.roles)).toBe(true);
  });

  it('refuses a remembered token once it has expired', async () => {
    const v = validator(0);
    const token = await userToken({ user: 'alice@msp.example', expiresInSeconds: 2 });
    const exp = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp: number }).exp;
    await v.validate(`Bearer ${token}`);
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
    await expect(v.validate(`Bearer ${token}`)).rejects.toThrow('the token has expired');
  });

  it('remembers no refusal and lends nothing to another token of the same user', async () => {
    const v = validator();
    await v.validate(`Bearer ${await userToken({ user: 'alice@msp.example' })}`);
    const forged = await userToken({ user: 'alice@msp.example', untrustedKey: true });
    await expect(v.validate(`Bearer ${forged}`)).rejects.toThrow(/signature/);
    await expect(v.validate(`Bearer ${forged}`)).rejects.toThrow(/signature/);
    const otherAudience = await userToken({ user: 'alice@msp.example', audience: 'api://other' });
    await expect(v.validate(`Bearer ${otherAudience}`)).rejects.toThrow(/audience/);
  });
});
