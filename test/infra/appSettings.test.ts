import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appSettingNames, localOnlySettingNames } from '../../src/settings';
import { listBicepFiles, readRepoFile, repoRoot } from './infraFiles';

// The app settings a deployment sets are declared once, in delimited blocks of
// infra/modules/functionApp.bicep. They must match the settings the app parses (src/settings.ts):
// none missing, none the app does not read, and none of the local-only ones.

const appSettingsModule = 'infra/modules/functionApp.bicep';

/**
 * Settings read by the Functions host or an extension, not by the app. Anything else in the host
 * blocks fails the test. No FUNCTIONS_* setting: on Flex Consumption the runtime and version are in
 * functionAppConfig.runtime, and FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION are rejected.
 */
const hostLevelSettingNames = [
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'DURABLE_TASK_SCHEDULER_CONNECTION_STRING',
];

/** Settings Flex Consumption refuses, or that would bring back a connection string or key. */
const forbiddenSettingNames = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'AzureWebJobsStorage',
  'APPINSIGHTS_INSTRUMENTATIONKEY',
  // The scale controller reads host.json, not these overrides: the staged host.json selects the backend.
  'AzureFunctionsJobHost__extensions__durableTask__storageProvider__type',
  'AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName',
];

interface SettingsBlock {
  readonly label: string;
  readonly variable: string;
  readonly names: readonly string[];
}

const blockPattern =
  /^\/\/ <app-settings:([a-z-]+)>[^\n]*\n(?:\/\/[^\n]*\n)*var (\w+) = \{\n([\s\S]*?)\n\}\n\/\/ <\/app-settings:\1>$/gm;
const settingLine = /^ {2}([A-Za-z_][A-Za-z0-9_]*): \S/;

/** Reads the `// <app-settings:label>` … `// </app-settings:label>` blocks, one `name: value` per line. */
function readSettingsBlocks(source: string): SettingsBlock[] {
  return [...source.matchAll(blockPattern)].map(([, label = '', variable = '', body = '']) => {
    const names = body.split('\n').map((line) => {
      const match = settingLine.exec(line);
      if (match?.[1] === undefined)
        throw new Error(`${appSettingsModule}, block ${label}: expected one "name: value" per line, got: ${line}`);
      return match[1];
    });
    return { label, variable, names };
  });
}

function difference(left: readonly string[], right: readonly string[]): string[] {
  return left.filter((name) => !right.includes(name)).sort();
}

const source = readRepoFile(appSettingsModule);
const blocks = readSettingsBlocks(source);
const blockNamed = (label: string): SettingsBlock => {
  const block = blocks.find((b) => b.label === label);
  if (block === undefined) throw new Error(`${appSettingsModule} has no <app-settings:${label}> block`);
  return block;
};

describe('app settings in Bicep', () => {
  it('are declared in the jit, host and durable-task-scheduler blocks', () => {
    expect(blocks.map((b) => b.label).sort()).toEqual(['durable-task-scheduler', 'host', 'jit']);
  });

  it('set every setting the app parses, except the local-only ones', () => {
    const expected = difference(appSettingNames, localOnlySettingNames);
    const declared = blockNamed('jit').names;
    expect(difference(expected, declared), 'parsed by src/settings.ts but missing from the jit block').toEqual([]);
    expect(difference(declared, expected), 'in the jit block but not a deployable setting of src/settings.ts').toEqual(
      [],
    );
    expect(new Set(declared).size, 'a setting is declared twice').toBe(declared.length);
  });

  it('never set a local-only setting, anywhere in infra/', () => {
    const offenders = listBicepFiles().flatMap((file) => {
      const text = readRepoFile(file);
      return localOnlySettingNames
        .filter((name) => new RegExp(`\\b${name}\\b`).test(text))
        .map((name) => `${file}: ${name}`);
    });
    expect(offenders).toEqual([]);
  });

  it("add only the listed host-level settings besides the app's own", () => {
    const hostNames = blocks.filter((b) => b.label !== 'jit').flatMap((b) => b.names);
    expect(difference(hostNames, hostLevelSettingNames), 'not in the allowed host-level list').toEqual([]);
    const all = blocks.flatMap((b) => b.names);
    expect(all.filter((name) => forbiddenSettingNames.includes(name))).toEqual([]);
    expect(
      all.filter((name) => appSettingNames.includes(name) && !blockNamed('jit').names.includes(name)),
      'app settings belong in the jit block',
    ).toEqual([]);
  });

  it('come only from those blocks: one appsettings resource whose properties are their union', () => {
    const withAppSettings = listBicepFiles().filter((file) =>
      /name: 'appsettings'|appSettings: \[/.test(readRepoFile(file)),
    );
    expect(withAppSettings).toEqual([appSettingsModule]);
    const union = /^var appSettings = union\(([^\n]+)\)$/m.exec(source)?.[1] ?? '';
    const referenced = union.match(/\b\w+Settings\b/g) ?? [];
    expect(referenced.sort()).toEqual(blocks.map((b) => b.variable).sort());
    expect(source).toMatch(/name: 'appsettings'\n {2}properties: appSettings\n/);
  });
});

const hostJsonSchema = z.object({
  extensionBundle: z.object({ id: z.string(), version: z.string() }),
  extensions: z.object({
    durableTask: z.object({ hubName: z.string(), storageProvider: z.record(z.string(), z.unknown()).optional() }),
    http: z.object({ routePrefix: z.string() }),
  }),
  logging: z.object({
    applicationInsights: z.object({
      samplingSettings: z.object({ isEnabled: z.boolean(), excludedTypes: z.string() }),
    }),
  }),
});

describe('host.json', () => {
  const hostJson = hostJsonSchema.parse(JSON.parse(readRepoFile('host.json')));

  it('keeps the bundle range, route prefix and task hub setting', () => {
    expect(hostJson.extensionBundle).toEqual({
      id: 'Microsoft.Azure.Functions.ExtensionBundle',
      version: '[4.*, 5.0.0)',
    });
    expect(hostJson.extensions.http.routePrefix).toBe('api');
    expect(hostJson.extensions.durableTask.hubName).toBe('%JIT_TASK_HUB%');
  });

  it('leaves the Durable storage provider unset in the repository (Azure Storage, as the local stack runs)', () => {
    expect(hostJson.extensions.durableTask.storageProvider).toBeUndefined();
    expect(blockNamed('durable-task-scheduler').names).toEqual(['DURABLE_TASK_SCHEDULER_CONNECTION_STRING']);
  });

  it('never samples requests, exceptions or the traces and events the alerts read', () => {
    const excluded = hostJson.logging.applicationInsights.samplingSettings.excludedTypes.split(';');
    expect(excluded).toEqual(expect.arrayContaining(['Request', 'Exception', 'Trace', 'Event']));
  });
});

describe('infra/scripts/stage-package.sh', () => {
  const stageHostJson = async (backend: string): Promise<{ exitCode: number; stderr: string; hostJson: unknown }> => {
    const out = await mkdtemp(join(tmpdir(), 'entra-jit-stage-'));
    try {
      const result = await new Promise<{ exitCode: number; stderr: string }>((resolvePromise) => {
        execFile(
          'bash',
          ['infra/scripts/stage-package.sh', '--out', out, '--host-json-only'],
          { cwd: repoRoot, env: { ...process.env, JIT_DURABLE_BACKEND: backend } },
          (error, _stdout, stderr) => resolvePromise({ exitCode: error === null ? 0 : Number(error.code), stderr }),
        );
      });
      const hostJson: unknown =
        result.exitCode === 0 ? JSON.parse(await readFile(join(out, 'host.json'), 'utf8')) : undefined;
      return { ...result, hostJson };
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  };
  const repositoryHostJson: unknown = JSON.parse(readRepoFile('host.json'));

  it('stages host.json naming the Durable Task Scheduler when the deployment selects it', async () => {
    const staged = await stageHostJson('durableTaskScheduler');
    expect(staged.exitCode, staged.stderr).toBe(0);
    expect(hostJsonSchema.parse(staged.hostJson).extensions.durableTask.storageProvider).toEqual({
      type: 'azureManaged',
      connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING',
    });
    // The connection it names is an app setting of that deployment.
    expect(blockNamed('durable-task-scheduler').names).toContain('DURABLE_TASK_SCHEDULER_CONNECTION_STRING');
    // Everything else is the repository's host.json.
    const rest = structuredClone(staged.hostJson) as { extensions: { durableTask: Record<string, unknown> } };
    delete rest.extensions.durableTask.storageProvider;
    expect(rest).toEqual(repositoryHostJson);
  });

  it("stages the repository's host.json unchanged for Azure Storage", async () => {
    const staged = await stageHostJson('azureStorage');
    expect(staged.exitCode, staged.stderr).toBe(0);
    expect(staged.hostJson).toEqual(repositoryHostJson);
  });

  it('refuses a backend it does not know, naming it', async () => {
    const staged = await stageHostJson('cosmos');
    expect(staged.exitCode).toBe(2);
    expect(staged.stderr).toContain('JIT_DURABLE_BACKEND must be azureStorage or durableTaskScheduler, not "cosmos"');
  });
});

describe('local.settings.sample.json', () => {
  const sample = z
    .object({ IsEncrypted: z.literal(false), Values: z.record(z.string(), z.string()) })
    .parse(JSON.parse(readRepoFile('local.settings.sample.json')));

  it('names every setting the app parses', () => {
    expect(difference(appSettingNames, Object.keys(sample.Values))).toEqual([]);
  });
});

describe('infra/main.parameters.json', () => {
  const parameters = z
    .object({ parameters: z.record(z.string(), z.object({ value: z.unknown() })) })
    .parse(JSON.parse(readRepoFile('infra/main.parameters.json'))).parameters;
  const mainBicep = readRepoFile('infra/main.bicep');
  const declared = [...mainBicep.matchAll(/^param (\w+) \S+( = .*)?$/gm)].map(([, name = '', defaultValue]) => ({
    name,
    required: defaultValue === undefined,
  }));

  it('passes only parameters main.bicep declares, and every required one', () => {
    expect(
      difference(
        Object.keys(parameters),
        declared.map((p) => p.name),
      ),
    ).toEqual([]);
    expect(
      difference(
        declared.filter((p) => p.required).map((p) => p.name),
        Object.keys(parameters),
      ),
    ).toEqual([]);
  });

  it('holds no value, only azd environment variables (secrets stay in Key Vault: parameters name them)', () => {
    for (const [name, { value }] of Object.entries(parameters)) {
      expect(value, name).toMatch(/^\$\{[A-Z][A-Z0-9_]*(=[^}]*)?\}$/);
      const fallback = /=([^}]*)\}$/.exec(String(value))?.[1] ?? '';
      expect(fallback, name).not.toMatch(/secret|password|key=/i);
    }
    expect(mainBicep, 'a secret would pass through the deployment').not.toMatch(/@secure\(\)/);
  });
});
