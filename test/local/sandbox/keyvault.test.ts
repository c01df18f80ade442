import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_TENANT } from '../../../local/sandbox/seed';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { call, credentialFor, sandboxState, startTestSandbox } from './helpers';

let sandbox: RunningSandbox;
let client: SecretClient;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  client = new SecretClient(sandbox.url, credentialFor(sandbox, HOME_TENANT), {
    disableChallengeResourceVerification: true,
  });
});
afterAll(async () => {
  await sandbox.close();
});

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

describe('sandbox Key Vault through the real SecretClient', () => {
  it('sets, gets, lists, deletes, reads the deleted secret and purges it', async () => {
    const expiresOn = new Date(Date.now() + 3600_000);
    const set = await client.setSecret('lease-r1', 'pa55-word', {
      tags: { requestId: 'r1' },
      contentType: 'password',
      expiresOn,
    });
    expect(set.properties.version).toMatch(/^[0-9a-f]{32}$/);
    const got = await client.getSecret('lease-r1');
    expect(got.value).toBe('pa55-word');
    expect(got.properties.tags).toEqual({ requestId: 'r1' });
    expect(got.properties.expiresOn?.getTime()).toBe(Math.floor(expiresOn.getTime() / 1000) * 1000);
    await client.setSecret('lease-r1', 'second');
    expect((await client.getSecret('lease-r1')).value).toBe('second');
    expect((await client.getSecret('lease-r1', { version: set.properties.version })).value).toBe('pa55-word');

    for (let i = 0; i < 30; i += 1) await client.setSecret(`bulk-${i}`, 'x');
    const names: string[] = [];
    for await (const props of client.listPropertiesOfSecrets()) names.push(props.name);
    expect(names).toHaveLength(31);

    const poller = await client.beginDeleteSecret('lease-r1');
    const deleted = await poller.pollUntilDone();
    expect(deleted.name).toBe('lease-r1');
    expect(deleted.properties.recoveryId).toBe(`${sandbox.url}/deletedsecrets/lease-r1`);
    await expect(client.getSecret('lease-r1')).rejects.toSatisfy((e: unknown) => statusOf(e) === 404);
    expect((await client.getDeletedSecret('lease-r1')).name).toBe('lease-r1');
    const conflict = await client.setSecret('lease-r1', 'again').catch((e: unknown) => e);
    expect(statusOf(conflict)).toBe(409);
    expect((conflict as { code?: string }).code).toBe('Conflict');
    await client.purgeDeletedSecret('lease-r1');
    await expect(client.getDeletedSecret('lease-r1')).rejects.toSatisfy((e: unknown) => statusOf(e) === 404);
    await client.setSecret('lease-r1', 'reborn');

    const state = await sandboxState(sandbox);
    expect(JSON.stringify(state)).not.toContain('pa55-word');
    expect(JSON.stringify(state)).not.toContain('reborn');
    expect(state.keyVault.secrets.find((s) => s.name === 'lease-r1')).toMatchObject({ deleted: false });
  });

  it('while a deletion completes (secretDeletionMs), answers as Key Vault: not readable, purge and re-creation 409', async () => {
    await client.setSecret('lease-slow', 'pa55-slow');
    const faults = await call(sandbox, 'PUT', '/_sandbox/faults', { body: { secretDeletionMs: 300 } });
    expect(faults.status).toBe(200);
    try {
      await client.beginDeleteSecret('lease-slow'); // the DELETE, and one poll that finds nothing yet
      await expect(client.getDeletedSecret('lease-slow')).rejects.toSatisfy((e: unknown) => statusOf(e) === 404);
      for (const attempt of [client.purgeDeletedSecret('lease-slow'), client.setSecret('lease-slow', 'again')]) {
        const conflict = await attempt.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(statusOf(conflict)).toBe(409);
        expect(String((conflict as Error).message)).toContain('is currently being deleted');
      }
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect((await client.getDeletedSecret('lease-slow')).name).toBe('lease-slow');
      await client.purgeDeletedSecret('lease-slow');
    } finally {
      await call(sandbox, 'DELETE', '/_sandbox/faults');
    }
  });

  it('answers an unknown secret with SecretNotFound and a bad name with 400', async () => {
    const missing = await client.getSecret('never-set').catch((e: unknown) => e);
    expect(statusOf(missing)).toBe(404);
    expect((missing as { code?: string }).code).toBe('SecretNotFound');
    const token = (await credentialFor(sandbox, HOME_TENANT).getToken('https://vault.azure.net/.default')).token;
    const bad = await call(sandbox, 'GET', '/secrets/bad_name/?api-version=7.5', { token });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'BadParameter' } });
  });

  it('challenges an anonymous call and refuses another tenant app or a Graph token', async () => {
    const anonymous = await call(sandbox, 'GET', '/secrets?api-version=7.5');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(
      `Bearer authorization="${sandbox.url}/${HOME_TENANT.id}", resource="https://vault.azure.net"`,
    );
    expect(anonymous.body).toMatchObject({ error: { code: 'Unauthorized' } });

    const contosoVaultToken = (await credentialFor(sandbox, CONTOSO).getToken('https://vault.azure.net/.default'))
      .token;
    const foreign = await call(sandbox, 'GET', '/secrets?api-version=7.5', { token: contosoVaultToken });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ error: { code: 'Forbidden', innererror: { code: 'ForbiddenByRbac' } } });

    const graphToken = (await credentialFor(sandbox, HOME_TENANT).getToken('https://graph.microsoft.com/.default'))
      .token;
    expect((await call(sandbox, 'GET', '/secrets?api-version=7.5', { token: graphToken })).status).toBe(401);
  });
});
