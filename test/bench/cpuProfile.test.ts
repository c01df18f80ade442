import type { Profiler } from 'node:inspector';
import { describe, expect, it } from 'vitest';
import { areaOf, summarizeProfile } from '../../bench/cpuProfile';
import { frame, ROOT } from './profileFrames';

/**
 * (root) ─ handler (app) ─ createEntity (@azure/data-tables) ─ JSON.stringify (native)
 *        ├ drain (runner) ─ submitTransaction (@azure/data-tables)
 *        ├ onStreamRead (node:internal, no frame of ours)
 *        ├ (idle), (garbage collector)
 */
function profile(): Profiler.Profile {
  const nodes: Profiler.ProfileNode[] = [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 5, 7, 8, 9] },
    { id: 2, callFrame: frame('submitRequest', `${ROOT}/dist/src/app/requests.js`), children: [3] },
    {
      id: 3,
      callFrame: frame('createEntity', `${ROOT}/node_modules/@azure/data-tables/dist/commonjs/TableClient.js`),
      children: [4],
    },
    { id: 4, callFrame: frame('stringify', '') },
    { id: 5, callFrame: frame('drain', `${ROOT}/dist/local/durable/instanceDispatcher.js`), children: [6] },
    {
      id: 6,
      callFrame: frame('submitTransaction', `${ROOT}/node_modules/@azure/data-tables/dist/commonjs/TableClient.js`),
    },
    { id: 7, callFrame: frame('onStreamRead', 'node:internal/stream_base_commons') },
    { id: 8, callFrame: frame('(idle)', '') },
    { id: 9, callFrame: frame('(garbage collector)', '') },
  ];
  // Each sample's time is the gap to the next one: 1 ms apiece, the last one too.
  const samples = [2, 4, 4, 4, 3, 5, 6, 6, 7, 8, 8, 8, 8, 9];
  return { nodes, startTime: 0, endTime: samples.length * 1000, samples, timeDeltas: samples.map(() => 1000) };
}

describe('CPU profile summary (bench/cpuProfile.ts)', () => {
  const summary = summarizeProfile(profile(), '/tmp/p.cpuprofile');
  const ms = (list: readonly { name: string; ms: number }[], name: string): number | undefined =>
    list.find((s) => s.name === name)?.ms;

  it('charges self time to areas by script, a native function to the script that called it', () => {
    expect(summary.profiledMs).toBe(14);
    expect(ms(summary.areas, 'app code (dist/src, dist/functions)')).toBe(1);
    // createEntity 1 ms + JSON.stringify called from it 3 ms + the runner's submitTransaction 2 ms
    expect(ms(summary.areas, 'Azure SDKs (@azure/*)')).toBe(6);
    expect(ms(summary.areas, 'local Durable runner (dist/local/durable)')).toBe(1);
    expect(ms(summary.areas, 'Node HTTP/TLS/net/streams')).toBe(1);
    expect(ms(summary.areas, 'idle')).toBe(4);
    expect(ms(summary.areas, 'garbage collection')).toBe(1);
  });

  it("charges self time to the deepest frame of ours on the stack: the runner's SDK calls are the runner's", () => {
    expect(ms(summary.owners, 'app code (dist/src, dist/functions)')).toBe(5);
    expect(ms(summary.owners, 'local Durable runner (dist/local/durable)')).toBe(3);
    expect(summary.owners.find((o) => o.name.startsWith('event loop'))?.ms).toBe(1);
    expect(summary.unownedByArea).toEqual([{ name: 'Node HTTP/TLS/net/streams', ms: 1, percentOfBusy: 10 }]);
    // Shares are of the busy time (14 ms sampled, 4 idle).
    expect(summary.owners.find((o) => o.name.startsWith('app code'))?.percentOfBusy).toBe(50);
  });

  it('lists the top functions by self time, idle left out', () => {
    expect(summary.topFunctions[0]).toMatchObject({ function: 'stringify', location: '(native)', ms: 3 });
    expect(summary.topFunctions[1]).toMatchObject({
      function: 'submitTransaction',
      location: '@azure/data-tables/dist/commonjs/TableClient.js:10',
      ms: 2,
    });
    expect(summary.topFunctions.map((f) => f.function)).not.toContain('(idle)');
  });

  it('names the areas the report promises', () => {
    expect(areaOf(`${ROOT}/node_modules/@microsoft/microsoft-graph-client/lib/src/Client.js`)).toBe('Graph client');
    expect(areaOf(`${ROOT}/node_modules/zod/v4/core/parse.js`)).toBe('zod');
    expect(areaOf(`${ROOT}/dist/local/host/httpTrigger.js`)).toBe('local Functions host (dist/local/host)');
    expect(areaOf(`${ROOT}/dist/functions/index.js`)).toBe('app code (dist/src, dist/functions)');
    expect(areaOf('node:internal/crypto/hash')).toBe('Node crypto');
    expect(areaOf('node:internal/tls/wrap')).toBe('Node HTTP/TLS/net/streams');
  });
});
