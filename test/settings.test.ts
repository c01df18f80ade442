import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSettings, SettingsError } from '../src/settings';

const base = {
  JIT_HOME_TENANT_ID: randomUUID(),
  JIT_API_CLIENT_ID: randomUUID(),
  JIT_KEY_VAULT_URL: 'https://jit-test.vault.azure.net',
  JIT_TABLES_ENDPOINT: 'https://jittest.table.core.windows.net',
  JIT_MANAGED_IDENTITY_CLIENT_ID: randomUUID(),
};
const SECRET = 'a-signing-secret-of-some-length';

describe('notification URLs', () => {
  it.each([
    ['JIT_NOTIFY_TEAMS_WEBHOOK_URL', { JIT_NOTIFY_TEAMS_WEBHOOK_URL: 'http://contoso.webhook.office.com/webhookb2/x' }],
    [
      'JIT_NOTIFY_WEBHOOK_URL',
      { JIT_NOTIFY_WEBHOOK_URL: 'http://hooks.example/jit', JIT_NOTIFY_WEBHOOK_SECRET: SECRET },
    ],
    [
      'JIT_NOTIFY_WEBHOOK_URL',
      { JIT_NOTIFY_WEBHOOK_URL: 'ftp://hooks.example/jit', JIT_NOTIFY_WEBHOOK_SECRET: SECRET },
    ],
    [
      'JIT_NOTIFY_WEBHOOK_URL',
      { JIT_NOTIFY_WEBHOOK_URL: 'http://127.0.0.1.evil.example/jit', JIT_NOTIFY_WEBHOOK_SECRET: SECRET },
    ],
  ])('refuses plain http to a remote host at start-up, naming %s', (setting, env) => {
    expect(() => parseSettings({ ...base, ...env })).toThrow(SettingsError);
    expect(() => parseSettings({ ...base, ...env })).toThrow(new RegExp(`${setting}: .*https`));
  });

  it('takes https anywhere, and http only to a loopback address (the local stack and tests)', () => {
    const https = parseSettings({
      ...base,
      JIT_NOTIFY_TEAMS_WEBHOOK_URL: 'https://contoso.webhook.office.com/webhookb2/x',
      JIT_NOTIFY_WEBHOOK_URL: 'https://hooks.example/jit',
      JIT_NOTIFY_WEBHOOK_SECRET: SECRET,
    });
    expect(https.JIT_NOTIFY_TEAMS_WEBHOOK_URL).toBe('https://contoso.webhook.office.com/webhookb2/x');
    for (const loopback of ['http://127.0.0.1:7999/teams', 'http://localhost:7999/teams', 'http://[::1]:7999/teams']) {
      expect(
        parseSettings({
          ...base,
          JIT_NOTIFY_TEAMS_WEBHOOK_URL: loopback,
          JIT_NOTIFY_WEBHOOK_URL: loopback,
          JIT_NOTIFY_WEBHOOK_SECRET: SECRET,
        }).JIT_NOTIFY_WEBHOOK_URL,
      ).toBe(loopback);
    }
  });
});

// Settings as Azure hands them to the app (infra/modules/functionApp.bicep makes them).

const azure = {
  JIT_HOME_TENANT_ID: '4a1d2b3c-0d5e-4f60-8a71-b2c3d4e5f601',
  JIT_API_CLIENT_ID: '0f1e2d3c-4b5a-4697-8877-66554433a001',
  JIT_KEY_VAULT_URL: 'https://kv-jit-abc.vault.azure.net/',
  JIT_TABLES_ENDPOINT: 'https://stjitabc.table.core.windows.net/',
  JIT_MANAGED_IDENTITY_CLIENT_ID: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
};
const reference = '@Microsoft.KeyVault(SecretUri=https://kv-jit-abc.vault.azure.net/secrets/notify-webhook-secret/)';

describe('settings in Azure', () => {
  it('accept the notification settings once the platform has resolved their Key Vault references', () => {
    const settings = parseSettings({
      ...azure,
      JIT_NOTIFY_WEBHOOK_URL: 'https://hooks.example/jit',
      JIT_NOTIFY_WEBHOOK_SECRET: 'a-signing-secret-of-32-characters',
      JIT_GRAPH_WRITE_BUDGET_INSTANCES: '40',
    });
    expect(settings.JIT_NOTIFY_WEBHOOK_SECRET).toBe('a-signing-secret-of-32-characters');
    expect(settings.JIT_GRAPH_WRITE_BUDGET_INSTANCES).toBe(40);
  });

  it('refuse a Key Vault reference the platform could not resolve, naming the setting and not using it as the secret', () => {
    const parse = (): unknown =>
      parseSettings({
        ...azure,
        JIT_NOTIFY_WEBHOOK_URL: 'https://hooks.example/jit',
        JIT_NOTIFY_WEBHOOK_SECRET: reference,
      });
    expect(parse).toThrow(SettingsError);
    expect(parse).toThrow(/JIT_NOTIFY_WEBHOOK_SECRET: a Key Vault reference the platform could not resolve/);
  });

  it('name every unresolved reference and every other wrong setting in one message', () => {
    expect(() =>
      parseSettings({ ...azure, JIT_NOTIFY_TEAMS_WEBHOOK_URL: reference, JIT_TOKEN_CLOCK_SKEW_SECONDS: '900' }),
    ).toThrow(/JIT_NOTIFY_TEAMS_WEBHOOK_URL: a Key Vault reference.*JIT_TOKEN_CLOCK_SKEW_SECONDS/);
  });
});

describe('email notification settings', () => {
  it('take a mailbox and a lead time, PT10M unless set', () => {
    const settings = parseSettings({ ...base, JIT_NOTIFY_MAIL_FROM: 'jit@msp.example' });
    expect(settings.JIT_NOTIFY_MAIL_FROM).toBe('jit@msp.example');
    expect(settings.JIT_NOTIFY_ENDING_SOON_BEFORE).toBe('PT10M');
    expect(parseSettings({ ...base, JIT_NOTIFY_ENDING_SOON_BEFORE: 'PT30M' }).JIT_NOTIFY_ENDING_SOON_BEFORE).toBe(
      'PT30M',
    );
  });

  it.each([
    ['JIT_NOTIFY_MAIL_FROM', 'not a mailbox'],
    ['JIT_NOTIFY_ENDING_SOON_BEFORE', '10 minutes'],
    ['JIT_NOTIFY_ENDING_SOON_BEFORE', 'PT0M'],
  ])('refuse %s=%s at start-up, naming it', (setting, value) => {
    expect(() => parseSettings({ ...base, [setting]: value })).toThrow(new RegExp(`${setting}: `));
  });
});
