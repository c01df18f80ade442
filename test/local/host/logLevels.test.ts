import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostLogLevels, LogLevelFilter } from '../../../local/host/logLevels';
import { loadFixtureApp, startTestHost, type TestHost } from '../durable/harness';

async function appRoot(hostJson: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hostjson-logging-'));
  await writeFile(join(dir, 'host.json'), JSON.stringify(hostJson));
  return dir;
}

describe("host.json logging.logLevel, applied as the Functions host's logger filter applies it", () => {
  it("this app's host.json keeps the app's own Information lines and drops console output below Warning", () => {
    const levels = hostLogLevels(process.cwd(), {});
    // context.log / context.info inside an invocation: Function.<name>.User.
    expect(levels.isEnabled('Function.provisionAccess.User', 'information')).toBe(true);
    expect(levels.isEnabled('Function.runReconciler.User', 'information')).toBe(true);
    expect(levels.isEnabled('Function.provisionAccess.User', 'debug')).toBe(false);
    // A Node.js worker's stdout (console.log) is Host.Function.Console: no rule but default Warning.
    expect(levels.isEnabled('Host.Function.Console', 'information')).toBe(false);
    expect(levels.isEnabled('Host.Function.Console', 'warning')).toBe(true);
    expect(levels.isEnabled('Host.Results', 'information')).toBe(true);
    expect(levels.isEnabled('Host.Triggers.DurableTask', 'information')).toBe(true);
    expect(levels.isEnabled('Host.Startup', 'information')).toBe(false);
  });

  it('answers a category the same the second time and past the categories it remembers', () => {
    const levels = new LogLevelFilter({ default: 'Warning', Function: 'Information', 'Function.quiet': 'None' });
    for (let round = 0; round < 2; round++) {
      expect(levels.isEnabled('Function.quiet', 'critical')).toBe(false);
      expect(levels.isEnabled('Function.loud', 'information')).toBe(true);
      expect(levels.isEnabled('Host.General', 'information')).toBe(false);
    }
    for (let i = 0; i < 2_500; i++) expect(levels.isEnabled(`Function.f${i}.User`, 'information')).toBe(true);
    expect(levels.isEnabled('Function.quiet.User', 'critical')).toBe(false);
    expect(levels.minimumLevel('Host.General')).toBe('warning');
  });

  it('matches keys as text prefixes ignoring case, the longest wins, one * wildcard, default last, None silences', () => {
    const levels = new LogLevelFilter({
      DEFAULT: 'error',
      function: 'Information',
      'Function.noisy': 'None',
      'Host.*.Console': 'Debug',
      Host: 'Warning',
    });
    expect(levels.minimumLevel('Function.lease.User')).toBe('information');
    expect(levels.minimumLevel('Functions.Anything')).toBe('information'); // plain text prefix, not a segment
    expect(levels.isEnabled('Function.noisy.User', 'critical')).toBe(false);
    expect(levels.minimumLevel('Host.Function.Console')).toBe('debug');
    expect(levels.minimumLevel('Host.Results')).toBe('warning');
    expect(levels.minimumLevel('Microsoft.Azure.WebJobs.Hosting')).toBe('error');
    expect(new LogLevelFilter({}).minimumLevel('Host.Results')).toBe('information');
  });

  it('stops on a level it does not know, with the message the host gives', async () => {
    expect(() => new LogLevelFilter({ Function: 'Loud' })).toThrow("Configuration value 'Loud' is not supported.");
    await expect(async () =>
      hostLogLevels(await appRoot({ logging: { logLevel: { default: 'Verbose' } } }), {}),
    ).rejects.toThrow("Configuration value 'Verbose' is not supported.");
  });

  it('lets AzureFunctionsJobHost__logging__logLevel__<category> app settings override host.json', async () => {
    const root = await appRoot({ logging: { logLevel: { default: 'Warning', Function: 'Information' } } });
    expect(hostLogLevels(root, {}).isEnabled('Host.Function.Console', 'information')).toBe(false);
    const levels = hostLogLevels(root, {
      'AzureFunctionsJobHost__logging__logLevel__Host.Function.Console': 'Information',
      AzureFunctionsJobHost__logging__logLevel__function: 'Error',
    });
    expect(levels.isEnabled('Host.Function.Console', 'information')).toBe(true);
    expect(levels.isEnabled('Function.x.User', 'warning')).toBe(false);
  });
});

describe('the local host keeps only the lines Application Insights would get', () => {
  let host: TestHost;
  beforeAll(async () => {
    const { registry } = await loadFixtureApp();
    host = await startTestHost(registry);
  });
  afterAll(async () => {
    await host.close();
  });

  it("keeps a function's Information line, drops its Debug line and a line logged after it returned", async () => {
    expect((await fetch(`${host.url}/api/items/77`)).status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const echoLines = host.logs.filter((l) => l.functionName === 'echo' && l.message.endsWith(' 77'));
    expect(echoLines.map((l) => [l.category, l.level, l.message])).toEqual([
      ['Function.echo.User', 'information', 'echo called 77'],
    ]);
    // The host's own lines for the invocation (category Function.echo) pass the "Function" rule too.
    expect(
      host.logs.some((l) => l.category === 'Function.echo' && l.message.startsWith("Executed 'echo' (Succeeded")),
    ).toBe(true);
    expect(host.logs.filter((l) => l.level === 'debug' || l.level === 'trace')).toEqual([]);
  });

  it('shows the debug line when the app setting lowers the level for that function', async () => {
    const { registry } = await loadFixtureApp();
    const verbose = await startTestHost(registry, undefined, {
      logLevels: new LogLevelFilter({ default: 'Warning', Function: 'Information', 'Function.echo.User': 'Debug' }),
    });
    try {
      expect((await fetch(`${verbose.url}/api/items/78`)).status).toBe(201);
      expect(verbose.logs.some((l) => l.level === 'debug' && l.message === 'echo debug detail 78')).toBe(true);
    } finally {
      await verbose.close();
    }
  });
});
