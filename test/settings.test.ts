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
    ['JIT_NOTIFY_WEBHOOK_URL', { JIT_NOTIFY_WEBHOOK_URL: 'http://hooks.example/jit', JIT_NOTIFY_WEBHOOK_SECRET: SECRET }],
    ['JIT_NOTIFY_WEBHOOK_URL', { JIT_NOTIFY_WEBHOOK_URL: 'ftp://hooks.example/jit', JIT_NOTIFY_WEBHOOK_SECRET: SECRET }],
    ['JIT_NOTIFY_WEBHOOK_URL', { JIT_NOTIFY_WEBHOOK_URL: 'http://127.0.0.1.evil.example/jit', JIT_NOTIFY_WEBHOOK_SECRET: SECRET }],
  ])('refuses plain http to a remote host at start-up, naming %s', (setting, env) => {
    expect(() => parseSettings({ ...base, ...env })).toThrow(SettingsError);
    expect(() => parseSettings({ ...base, ...env })).toThrow(new RegExp(`${setting}: .*https`));
  });

  it('takes https anywhere, and http only to a loopback address (the local stack and tests)', () => {
    const https = parseSettings({ ...base, JIT_NOTIFY_TEAMS_WEBHOOK_URL: 'https://contoso.webhook.office.com/webhookb2/x', JIT_NOTIFY_WEBHOOK_URL: 'https://hooks.example/jit', JIT_NOTIFY_WEBHOOK_SECRET: SECRET });
    expect(https.JIT_NOTIFY_TEAMS_WEBHOOK_URL).toBe('https://contoso.webhook.office.com/webhookb2/x');
    for (const loopback of ['http://127.0.0.1:7999/teams', 'http://localhost:7999/teams', 'http://[::1]:7999/teams']) {
      expect(parseSettings({ ...base, JIT_NOTIFY_TEAMS_WEBHOOK_URL: loopback, JIT_NOTIFY_WEBHOOK_URL: loopback, JIT_NOTIFY_WEBHOOK_SECRET: SECRET }).JIT_NOTIFY_WEBHOOK_URL).toBe(loopback);
    }
  });
});

describe('email notification settings', () => {
  it('take a mailbox and a lead time, PT10M unless set', () => {
    const settings = parseSettings({ ...base, JIT_NOTIFY_MAIL_FROM: 'jit@msp.example' });
    expect(settings.JIT_NOTIFY_MAIL_FROM).toBe('jit@msp.example');
    expect(settings.JIT_NOTIFY_ENDING_SOON_BEFORE).toBe('PT10M');
    expect(parseSettings({ ...base, JIT_NOTIFY_ENDING_SOON_BEFORE: 'PT30M' }).JIT_NOTIFY_ENDING_SOON_BEFORE).toBe('PT30M');
  });

  it.each([
    ['JIT_NOTIFY_MAIL_FROM', 'not a mailbox'],
    ['JIT_NOTIFY_ENDING_SOON_BEFORE', '10 minutes'],
    ['JIT_NOTIFY_ENDING_SOON_BEFORE', 'PT0M'],
  ])('refuse %s=%s at start-up, naming it', (setting, value) => {
    expect(() => parseSettings({ ...base, [setting]: value })).toThrow(new RegExp(`${setting}: `));
  });
});
