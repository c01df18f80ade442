import { readFile } from 'node:fs/promises';
import type { Profiler, Runtime } from 'node:inspector';
import type { Share } from './cpuProfile';

/**
 * An API benchmark's profile split by part of the request's path, so that what bounds an endpoint
 * reads at a glance: the Table Storage round trips (Azure SDK pipeline and Node's HTTP client), the
 * parse of the rows read (JSON and zod), the app's own code (authentication, the use case, the
 * answer), the local Functions host with `@azure/functions` (Azure's host and worker in production),
 * Node's HTTP server (parsing requests, writing answers), garbage collection, and the rest: socket
 * I/O and promise continuations the event loop runs with no frame of these on the stack.
 *
 * A sample goes to the row parse or the table read when such a frame is anywhere on its stack (the
 * SDK calls Node's HTTP client, whose writes would otherwise look like the server's); otherwise to
 * the nearest frame, from the sampled function outwards, that belongs to one of the other parts.
 */
const ROW_PARSE = 'rows read: JSON and zod parse (dist/src/adapters/tables/rows)';
const TABLE_READ = "Table Storage round trips: Azure SDK pipeline and Node's HTTP client";
const NEAREST: readonly (readonly [string, RegExp])[] = [
  ['app: authentication, use case, answer (dist/src, dist/functions)', /\/dist\/(src|functions)\//],
  ['local Functions host and @azure/functions', /\/dist\/local\/|@azure\/functions\//],
  ["Node's HTTP server: parsing requests, writing answers", /^node:_http_(server|outgoing|common)$/],
];
const REST = 'event loop: socket I/O, promise continuations';

function isRowParse(frame: Runtime.CallFrame): boolean {
  return /\/dist\/src\/adapters\/tables\/rows\.js$/.test(frame.url) && frame.functionName === 'parseRow';
}

function isTableRoundTrip(frame: Runtime.CallFrame): boolean {
  return (
    /\/node_modules\/(@azure\/(core-[^/]+|data-tables|abort-controller|logger)|@typespec\/ts-http-runtime)\//.test(
      frame.url,
    ) || /^node:_http_(client|agent)$/.test(frame.url)
  );
}

export function requestParts(profile: Profiler.Profile): Share[] {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const parts = new Map<string, number>();
  let busy = 0;
  for (let i = 0; i < samples.length; i++) {
    const leaf = nodes.get(samples[i] as number);
    if (leaf === undefined || leaf.callFrame.functionName === '(idle)') continue;
    const micros = Math.max(0, deltas[i + 1] ?? deltas[i] ?? 0);
    busy += micros;
    const stack: Runtime.CallFrame[] = [];
    for (let at: number | undefined = leaf.id; at !== undefined; at = parent.get(at)) {
      const node = nodes.get(at);
      if (node !== undefined) stack.push(node.callFrame);
    }
    let part: string | undefined;
    if (leaf.callFrame.functionName === '(garbage collector)') part = 'garbage collection';
    else if (stack.some(isRowParse)) part = ROW_PARSE;
    else if (stack.some(isTableRoundTrip)) part = TABLE_READ;
    else
      for (const frame of stack) {
        part = NEAREST.find(([, pattern]) => pattern.test(frame.url))?.[0];
        if (part !== undefined) break;
      }
    part ??= REST;
    parts.set(part, (parts.get(part) ?? 0) + micros);
  }
  return [...parts]
    .sort((a, b) => b[1] - a[1])
    .map(([name, micros]) => ({
      name,
      ms: Math.round(micros / 100) / 10,
      percentOfBusy: busy <= 0 ? 0 : Math.round((micros / busy) * 1000) / 10,
    }));
}

/** The parts of the profile `file` (as written by cpuProfile.ts). */
export async function requestPartsOf(file: string): Promise<Share[]> {
  return requestParts(JSON.parse(await readFile(file, 'utf8')) as Profiler.Profile);
}
