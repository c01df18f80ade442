import type { Profiler } from 'node:inspector';
import { describe, expect, it } from 'vitest';
import { requestParts } from '../../bench/apiProfile';
import { frame, ROOT } from './profileFrames';

/**
 * (root) ─ serve (host) ─ end (node:_http_outgoing) ─ writev (native)
 *        ├ get (documentTable) ─ getEntity (@azure/data-tables) ─ end (node:_http_outgoing)
 *        │                     └ parseRow (rows) ─ safeParse (zod)
 *        ├ validate (app) ─ digest (native)
 *        ├ parserOnIncoming (node:_http_server)
 *        ├ runMicrotasks (native), (idle), (garbage collector)
 */
function profile(): Profiler.Profile {
  const nodes: Profiler.ProfileNode[] = [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 5, 10, 12, 13, 14, 15] },
    { id: 2, callFrame: frame('serve', `${ROOT}/dist/local/host/httpFunctions.js`), children: [3] },
    { id: 3, callFrame: frame('end', 'node:_http_outgoing'), children: [4] },
    { id: 4, callFrame: frame('writev', '') },
    { id: 5, callFrame: frame('get', `${ROOT}/dist/src/adapters/tables/documentTable.js`), children: [6, 8] },
    {
      id: 6,
      callFrame: frame('getEntity', `${ROOT}/node_modules/@azure/data-tables/dist/commonjs/TableClient.js`),
      children: [7],
    },
    { id: 7, callFrame: frame('end', 'node:_http_outgoing') },
    { id: 8, callFrame: frame('parseRow', `${ROOT}/dist/src/adapters/tables/rows.js`), children: [9] },
    { id: 9, callFrame: frame('safeParse', `${ROOT}/node_modules/zod/v4/classic/schemas.cjs`) },
    { id: 10, callFrame: frame('validate', `${ROOT}/dist/src/adapters/auth/tokenValidator.js`), children: [11] },
    { id: 11, callFrame: frame('digest', '') },
    { id: 12, callFrame: frame('parserOnIncoming', 'node:_http_server') },
    { id: 13, callFrame: frame('runMicrotasks', '') },
    { id: 14, callFrame: frame('(idle)', '') },
    { id: 15, callFrame: frame('(garbage collector)', '') },
  ];
  // 1 ms per sample.
  const samples = [2, 4, 4, 7, 7, 7, 9, 9, 11, 12, 13, 14, 14, 15];
  return { nodes, startTime: 0, endTime: samples.length * 1000, samples, timeDeltas: samples.map(() => 1000) };
}

describe("an API benchmark's profile by part of the request (bench/apiProfile.ts)", () => {
  const parts = requestParts(profile());
  const ms = (prefix: string): number | undefined => parts.find((p) => p.name.startsWith(prefix))?.ms;

  it("places the SDK's own HTTP writes with the table round trip, and the answer's with Node's HTTP server", () => {
    expect(ms('Table Storage round trips')).toBe(3);
    expect(ms("Node's HTTP server")).toBe(3);
    expect(ms('local Functions host')).toBe(1);
    expect(ms('rows read')).toBe(2);
    expect(ms('app:')).toBe(1);
    expect(ms('event loop')).toBe(1);
    expect(ms('garbage collection')).toBe(1);
  });

  it('leaves idle out and gives shares of the busy time, largest first', () => {
    expect(parts.some((p) => p.name === 'idle')).toBe(false);
    expect(parts.reduce((sum, p) => sum + p.ms, 0)).toBe(12);
    expect(parts[0]?.percentOfBusy).toBe(25);
    expect(parts.map((p) => p.ms)).toEqual([...parts.map((p) => p.ms)].sort((a, b) => b - a));
  });
});
