import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { durableHostSettings, MAX_CONCURRENT_ACTIVITIES_SETTING } from '../../../local/host/hostJson';

async function appRoot(hostJson?: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hostjson-'));
  if (hostJson !== undefined) await writeFile(join(dir, 'host.json'), JSON.stringify(hostJson));
  return dir;
}

describe('host.json settings of the local host', () => {
  it('reads maxConcurrentActivityFunctions from host.json, 10 without one', async () => {
    const root = await appRoot({
      version: '2.0',
      extensions: { durableTask: { hubName: '%X%', maxConcurrentActivityFunctions: 25 } },
    });
    expect(durableHostSettings(root, {})).toEqual({ maxConcurrentActivityFunctions: 25 });
    expect(durableHostSettings(await appRoot(), {})).toEqual({ maxConcurrentActivityFunctions: 10 });
    expect(durableHostSettings(await appRoot({ version: '2.0' }), {})).toEqual({ maxConcurrentActivityFunctions: 10 });
  });

  it('lets the AzureFunctionsJobHost__ app setting override it, as Azure does, and names a bad value', async () => {
    const root = await appRoot({ extensions: { durableTask: { maxConcurrentActivityFunctions: 25 } } });
    expect(MAX_CONCURRENT_ACTIVITIES_SETTING).toBe(
      'AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions',
    );
    expect(durableHostSettings(root, { [MAX_CONCURRENT_ACTIVITIES_SETTING]: '60' })).toEqual({
      maxConcurrentActivityFunctions: 60,
    });
    expect(() => durableHostSettings(root, { [MAX_CONCURRENT_ACTIVITIES_SETTING]: 'many' })).toThrow(
      /AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions must be a positive integer, got 'many'/,
    );
    const zero = await appRoot({ extensions: { durableTask: { maxConcurrentActivityFunctions: 0 } } });
    expect(() => durableHostSettings(zero, {})).toThrow(/host.json/);
  });
});
