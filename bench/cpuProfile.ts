import { Session } from 'node:inspector/promises';
import type { Profiler } from 'node:inspector';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * `--cpu-profile <dir>`: a V8 CPU profile of the app's process while the lease lifecycle runs
 * (node:inspector's Profiler, in-process: no restart with `--cpu-prof`), written as
 * `<dir>/<stem>.cpuprofile` (open it in Chrome DevTools or VS Code) and summarised two ways:
 *
 * - self time by area: where the CPU was (app code, Azure SDKs, Graph client, the local Durable
 *   runner, the local host, zod, Node internals …); a native function (JSON.parse, a hash) has no
 *   script of its own and is charged to the script that called it;
 * - self time by owner: whose work it was, the deepest frame of ours on the stack (`dist/src` and
 *   `dist/functions` the app; `dist/local/durable` the runner; `dist/local/host` the host; `dist/bench`
 *   the benchmark), so an Azure SDK call made by the runner counts as the runner's. Work started by
 *   the event loop with no frame of ours on the stack (socket reads, TLS, timers firing) has no owner.
 */
export interface CpuProfileSummary {
  readonly file: string;
  /** Sampled wall time of the profile (it includes idle time). */
  readonly profiledMs: number;
  readonly areas: readonly Share[];
  readonly owners: readonly Share[];
  /** The samples with no owner, by area: what the event loop's own work was (shared by app and stand-ins). */
  readonly unownedByArea: readonly Share[];
  readonly topFunctions: readonly TopFunction[];
}

export interface Share {
  readonly name: string;
  readonly ms: number;
  /** Percent of the busy time (everything but idle). */
  readonly percentOfBusy: number;
}

export interface TopFunction {
  readonly function: string;
  readonly location: string;
  readonly area: string;
  readonly ms: number;
  readonly percentOfBusy: number;
}

export interface RunningProfile {
  stop(outDir: string, stem: string): Promise<CpuProfileSummary>;
}

/** Starts sampling this process (every `intervalMicros`). */
export async function startCpuProfile(intervalMicros = 1000): Promise<RunningProfile> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalMicros });
  await session.post('Profiler.start');
  return {
    stop: async (outDir, stem) => {
      const { profile } = await session.post('Profiler.stop');
      await session.post('Profiler.disable');
      session.disconnect();
      const dir = resolve(outDir);
      await mkdir(dir, { recursive: true });
      const file = join(dir, `${stem}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      return summarizeProfile(profile, file);
    },
  };
}

export const IDLE = 'idle';
const GC = 'garbage collection';
const NO_OWNER = 'event loop, no frame of ours (socket reads, TLS, timers firing)';

/** The area of a script URL; '' for a native function (no script). */
export function areaOf(url: string): string {
  if (url === '') return '';
  const path = url.replace(/^file:\/\//, '');
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
  if (pkg !== undefined) {
    if (pkg.startsWith('@azure/')) return 'Azure SDKs (@azure/*)';
    if (pkg === '@microsoft/microsoft-graph-client') return 'Graph client';
    if (pkg === 'durable-functions') return 'durable-functions library';
    if (pkg === 'zod') return 'zod';
    return 'other libraries';
  }
  const ours = ownerOf(url);
  if (ours !== undefined) return ours;
  if (path.startsWith('node:')) {
    if (/undici|_http|\/http|https|\/tls|_tls|\/net|stream|dns|socket/.test(path)) return 'Node HTTP/TLS/net/streams';
    if (/crypto/.test(path)) return 'Node crypto';
    return 'Node other internals';
  }
  return 'other scripts';
}

/** Our code's part a script URL belongs to, if it is ours. */
function ownerOf(url: string): string | undefined {
  const path = url.replace(/^file:\/\//, '');
  if (/\/dist\/(src|functions)\//.test(path)) return 'app code (dist/src, dist/functions)';
  if (/\/dist\/local\/durable\//.test(path)) return 'local Durable runner (dist/local/durable)';
  if (/\/dist\/local\/(host\/|functionsHost\.js)/.test(path)) return 'local Functions host (dist/local/host)';
  if (/\/dist\/bench\//.test(path)) return 'benchmark driver (dist/bench)';
  if (/\/dist\/local\//.test(path)) return 'other local stack code (dist/local)';
  return undefined;
}

export function summarizeProfile(profile: Profiler.Profile, file: string): CpuProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const selfMicros = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // A sample's time is the gap to the next one (the last sample gets the one before it).
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    const micros = deltas[i + 1] ?? deltas[i] ?? 0;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + Math.max(0, micros));
  }
  const ancestors = function* (id: number): Generator<Profiler.ProfileNode> {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = nodes.get(at);
      if (node !== undefined) yield node;
    }
  };
  const areaOfNode = (node: Profiler.ProfileNode): string => {
    const name = node.callFrame.functionName;
    if (name === '(idle)') return IDLE;
    if (name === '(garbage collector)') return GC;
    if (name === '(program)') return 'V8 outside JavaScript (program)';
    for (const n of ancestors(node.id)) {
      const area = areaOf(n.callFrame.url);
      if (area !== '') return area;
    }
    return 'native, no script on the stack';
  };
  const ownerOfNode = (node: Profiler.ProfileNode): string => {
    const area = areaOfNode(node);
    if (area === IDLE || area === GC || area.startsWith('V8 outside')) return area;
    for (const n of ancestors(node.id)) {
      const owner = ownerOf(n.callFrame.url);
      if (owner !== undefined) return owner;
    }
    return NO_OWNER;
  };

  const areas = new Map<string, number>();
  const owners = new Map<string, number>();
  const unowned = new Map<string, number>();
  const functions = new Map<string, { fn: string; location: string; area: string; micros: number }>();
  let total = 0;
  for (const [id, micros] of selfMicros) {
    const node = nodes.get(id);
    if (node === undefined) continue;
    total += micros;
    const area = areaOfNode(node);
    areas.set(area, (areas.get(area) ?? 0) + micros);
    const owner = ownerOfNode(node);
    owners.set(owner, (owners.get(owner) ?? 0) + micros);
    if (owner === NO_OWNER) unowned.set(area, (unowned.get(area) ?? 0) + micros);
    if (area === IDLE) continue;
    const frame = node.callFrame;
    const location = frame.url === '' ? '(native)' : `${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName}\u0000${location}`;
    const entry = functions.get(key) ?? { fn: frame.functionName || '(anonymous)', location, area, micros: 0 };
    entry.micros += micros;
    functions.set(key, entry);
  }
  const busy = total - (areas.get(IDLE) ?? 0);
  const percent = (micros: number): number => (busy <= 0 ? 0 : Math.round((micros / busy) * 1000) / 10);
  const ms = (micros: number): number => Math.round(micros / 100) / 10;
  const shares = (m: Map<string, number>): Share[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .map(([name, micros]) => ({ name, ms: ms(micros), percentOfBusy: name === IDLE ? 0 : percent(micros) }));
  return {
    file,
    profiledMs: ms(total),
    areas: shares(areas),
    owners: shares(owners),
    unownedByArea: shares(unowned),
    topFunctions: [...functions.values()]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, 15)
      .map((f) => ({
        function: f.fn,
        location: f.location,
        area: f.area,
        ms: ms(f.micros),
        percentOfBusy: percent(f.micros),
      })),
  };
}

/** `dist/src/app/requests.js`, `@azure/core-rest-pipeline/dist/…`, `node:internal/tls/wrap`. */
function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules >= 0) return path.slice(inModules + '/node_modules/'.length);
  const inDist = path.lastIndexOf('/dist/');
  if (inDist >= 0) return path.slice(inDist + 1);
  return path;
}
