import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../../local/azurite';
import { HOME_TENANT_ID, SERVICE_APP } from '../../../local/sandbox/seed';
import { appSettingNames, parseSettings, settingsSchema } from '../../../src/settings';

/**
 * `npm run start:func` (Core Tools) cannot run here, so its inputs are checked instead: the sample
 * settings against the app's schema and the sandbox's seed, and its Azurite endpoints against the
 * command the README gives.
 */
const root = process.cwd();
const sample = JSON.parse(readFileSync(join(root, 'local.settings.sample.json'), 'utf8')) as {
  IsEncrypted: boolean;
  Values: Record<string, unknown>;
  Host?: { LocalHttpPort?: number };
};
const values = sample.Values;
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** Settings the Functions host or Node.js read, not the app. */
const RUNTIME_SETTINGS = new Set(['FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobsStorage', 'NODE_EXTRA_CA_CERTS']);

function endpoints(connectionString: string): Record<string, string> {
  return Object.fromEntries(
    connectionString
      .split(';')
      .filter((p) => p !== '')
      .map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
  );
}

function readmePort(service: 'blob' | 'queue' | 'table'): number {
  const command = readme.split('\n').find((l) => l.includes('azurite ') && l.includes('--tablePort'));
  expect(command, 'the README gives the azurite command for func').toBeDefined();
  const match = new RegExp(`--${service}Port (\\d+)`).exec(command ?? '');
  expect(match, `the README's azurite command sets --${service}Port`).not.toBeNull();
  return Number(match?.[1]);
}

describe('local.settings.sample.json (npm run start:func)', () => {
  it('is plain text settings the worker runtime reads, every one known to the app or the runtime', () => {
    expect(sample.IsEncrypted).toBe(false);
    expect(values.FUNCTIONS_WORKER_RUNTIME).toBe('node');
    for (const [name, value] of Object.entries(values)) {
      expect(typeof value, name).toBe('string');
      expect(
        RUNTIME_SETTINGS.has(name) || appSettingNames.includes(name),
        `${name} is neither an app setting (src/settings.ts) nor a runtime one`,
      ).toBe(true);
    }
  });

  it("passes src/settings.ts's schema and names every setting it requires", () => {
    const required = appSettingNames.filter(
      (name) =>
        !(settingsSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>)[name]?.safeParse(
          undefined,
        ).success,
    );
    expect(required.length).toBeGreaterThan(0);
    for (const name of required) expect(values[name], name).toEqual(expect.stringMatching(/./));
    const settings = parseSettings(values as NodeJS.ProcessEnv);
    // Signs in as the sandbox's seeded service app, in the sandbox's home tenant.
    expect(settings).toMatchObject({
      JIT_HOME_TENANT_ID: HOME_TENANT_ID,
      JIT_API_CLIENT_ID: SERVICE_APP.clientId,
      JIT_SERVICE_CLIENT_SECRET: SERVICE_APP.clientSecret,
    });
    // host.json's %…% placeholders resolve from it.
    const placeholders = [...readFileSync(join(root, 'host.json'), 'utf8').matchAll(/%([A-Za-z0-9_]+)%/g)].map(
      (m) => m[1] ?? '',
    );
    for (const name of placeholders)
      expect(values[name], `host.json needs %${name}%`).toEqual(expect.stringMatching(/./));
  });

  it("points AzureWebJobsStorage at Azurite's blob, queue and table ports from the README's command, and the app's tables at the same Azurite", () => {
    const storage = endpoints(String(values.AzureWebJobsStorage));
    expect(storage).toMatchObject({ AccountName: AZURITE_ACCOUNT, AccountKey: AZURITE_KEY });
    for (const service of ['blob', 'queue', 'table'] as const) {
      const endpoint = new URL(storage[`${service[0]?.toUpperCase()}${service.slice(1)}Endpoint`] ?? '');
      expect(endpoint.hostname, service).toBe('127.0.0.1');
      expect(Number(endpoint.port), `${service} port`).toBe(readmePort(service));
      expect(endpoint.pathname, service).toBe(`/${AZURITE_ACCOUNT}`);
    }
    // The SDK reads the app's own connection string the same way (it knows no UseDevelopmentStorage=true).
    const tables = TableClient.fromConnectionString(String(values.JIT_TABLES_CONNECTION_STRING), 'Probe', {
      allowInsecureConnection: true,
    });
    expect(new URL(tables.url).port).toBe(String(readmePort('table')));
  });

  it('expects the sandbox where node dist/local/sandbox/main.js serves it, trusting the CA it writes', () => {
    const sandboxPort = /`JIT_SANDBOX_PORT` \((\d+)\)/.exec(readme)?.[1];
    expect(sandboxPort, 'the README names the sandbox default port').toBeDefined();
    for (const name of ['JIT_AUTHORITY_HOST', 'JIT_GRAPH_BASE_URL', 'JIT_KEY_VAULT_URL'])
      expect(values[name], name).toBe(`https://127.0.0.1:${sandboxPort}`);
    expect(readFileSync(join(root, 'local/sandbox/main.ts'), 'utf8')).toContain(
      `process.env.JIT_SANDBOX_PORT ?? '${sandboxPort}'`,
    );
    expect(values.NODE_EXTRA_CA_CERTS).toBe('.local/tls/ca.pem');
    expect(sample.Host?.LocalHttpPort).toBe(7071);
  });
});
