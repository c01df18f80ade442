import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { AppProcessFigures, CpuPhase } from './appProcess';
import type { Ceiling } from './ceiling';
import type { Share, TopFunction } from './cpuProfile';
import type { LifecycleResult } from './lifecycle';
import type { BenchOptions } from './options';
import type { Summary } from './stats';
import type { ThroughputResult } from './throughput';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

export interface BenchReport {
  readonly date: string;
  readonly commit: string;
  readonly command: string;
  readonly machine: Machine;
  readonly parameters: BenchOptions;
  readonly lifecycle: LifecycleResult;
  readonly app: AppProcessFigures;
  readonly throughput: readonly ThroughputResult[];
  readonly ceiling: Ceiling | null;
}

export function machine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** Short commit, with `+dirty` when the working tree differs from it; `unknown` outside git. */
export function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() !== '';
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return 'unknown';
  }
}

const ms = (v: number | null): string => (v === null ? '–' : `${Math.round(v)}`);
const row = (name: string, s: Summary): string =>
  `| ${name} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} | ${s.count} |`;

export function toMarkdown(r: BenchReport): string {
  const l = r.lifecycle;
  const p = r.parameters;
  const per = l.perLease;
  const lines = [
    `# Benchmark ${r.date}`,
    '',
    `- command: \`${r.command}\``,
    `- commit: ${r.commit}`,
    `- machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, Node ${r.machine.node} (${r.machine.platform})`,
    `- parameters: ${p.leases} concurrent leases of ${p.duration}, ${p.latencyMs} ms added to every Graph and Key Vault call, ${p.maxActivities ?? '?'} activities at a time, API load ${p.connections} connections × ${p.apiSeconds} s`,
    '',
    '## Lease lifecycle',
    '',
    `${l.succeeded} of ${l.leases} leases went through in ${l.wallSeconds.toFixed(1)} s; ${l.failures.length} failed (${l.leases - l.accepted} of them refused at submission).`,
    '',
    '| ms | p50 | p95 | p99 | max | n |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('request → answered 202', l.requestToAccepted),
    row('request → `active`', l.requestToActive),
    row('request → credential readable', l.requestToCredential),
    row('lease time already gone when logged active', l.leaseTimeLostAtActivation),
    row('expiry → account disabled in the directory', l.expiryToDisabled),
    row('expiry → `ended` (logged)', l.expiryToEnded),
    row('expiry → `ended` (endedAt as recorded)', l.expiryToEndedRecorded),
    '',
    '| per lease | calls |',
    '| --- | ---: |',
    `| Graph calls (of which writes) | ${per.graphCalls} (${per.graphWrites}) |`,
    `| Graph round trips (JSON $batch carries several calls) | ${per.graphRoundTrips} |`,
    `| … and to the home tenant (entitlement re-check) | ${per.homeGraphRoundTrips} |`,
    `| Key Vault calls (of which writes) | ${per.keyVaultCalls} (${per.keyVaultWrites}) |`,
    `| Table Storage round trips, all | ${per.tableRoundTrips} |`,
    `| … of which the Durable task hub | ${per.taskHubRoundTrips} (${Object.entries(per.taskHubByTable)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')}) |`,
    `| … of which the app's own (all but the task hub) | ${per.appTableRoundTrips} |`,
    `| app process CPU ms, net of idle (submission / activation / hold / revocation) | ${r.app.whole.netCpuMsPerLease} (${r.app.phases.map((x) => x.netCpuMsPerLease).join(' / ')}) |`,
    `| orchestration episodes / activity runs | ${per.episodes} / ${per.activities} |`,
    '',
    `Transitions are timed when the service logs them (\`lease_activated\`, \`lease_ended\`); "account disabled" by polling the sandbox's directory every ${p.pollMs} ms (measured ${l.meanPollPeriodMs} ms).`,
    `Per accepted lease: its submission, one credential reveal and the lease's own work; the benchmark's read-back (${l.observerTableRoundTrips} table reads) is left out.`,
  ];
  if (l.failedPolls.count > 0)
    lines.push(
      `${l.failedPolls.count} polls of the sandbox's directory failed and were retried the next period (first: ${l.failedPolls.first ?? '?'}).`,
    );
  if (l.failures.length > 0)
    lines.push(
      '',
      'Failures by reason:',
      '',
      ...l.failureReasons.slice(0, 10).map((f) => `- ${f.count} × ${f.reason}`),
      '',
      'First failures:',
      '',
      ...l.failures.slice(0, 10).map((f) => `- ${f}`),
    );
  lines.push(...appSection(r.app));
  lines.push('', '## API throughput', '');
  if (r.throughput.length === 0) lines.push('Skipped (`--skip-api`).');
  else {
    lines.push(
      '| endpoint | connections | requests/s | p50 ms | p99 ms | non-2xx | errors | app CPU ms per request |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const t of r.throughput)
      lines.push(
        `| \`${t.method} /api${t.path}\` | ${t.connections} | ${t.requestsPerSecond} | ${t.latencyP50Ms} | ${t.latencyP99Ms} | ${t.non2xx} | ${t.errors} | ${t.appCpuMsPerRequest} |`,
      );
    for (const t of r.throughput) if (t.note !== null) lines.push('', `Note: ${t.note}.`);
    for (const t of r.throughput) if (t.profile !== null) lines.push(...apiProfileSection(t, t.profile));
  }
  lines.push('', '## Ceiling on paper (Microsoft Graph identity and access limits)', '');
  if (r.ceiling === null) lines.push('Not computed: no Graph writes were measured.');
  else {
    const c = r.ceiling;
    lines.push(
      `From ${c.callsPerLease} Graph calls and ${c.writesPerLease} writes per lease:`,
      '',
      '| scope | leases per 5 min | bound by |',
      '| --- | ---: | --- |',
      `| one customer tenant | ${c.perTenantPer5Min} | ${c.perTenantBound} |`,
      `| one app, all tenants | ${c.perAppPer5Min} | ${c.perAppBound} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `--cpu-profile`: where the app's CPU went under one endpoint's load (the profiler's cost is in its CPU figure). */
function apiProfileSection(t: ThroughputResult, p: NonNullable<ThroughputResult['profile']>): string[] {
  const perRequest = (x: Share): string =>
    x.name === 'idle' ? '' : `${Math.round(x.percentOfBusy * t.appCpuMsPerRequest * 10) / 1000}`;
  const share = (x: Share): string =>
    `| ${x.name} | ${x.ms} | ${x.name === 'idle' ? '' : `${x.percentOfBusy} %`} | ${perRequest(x)} |`;
  return [
    '',
    `### Where the CPU goes under \`${t.method} /api${t.path}\` (profile: ${p.file})`,
    '',
    'By part of the request (bench/apiProfile.ts says how a sample is placed):',
    '',
    '| part | sampled ms | of busy | ≈ CPU ms per request |',
    '| --- | ---: | ---: | ---: |',
    ...p.requestParts.map(share),
    '',
    'By area:',
    '',
    '| area | sampled ms | of busy | ≈ CPU ms per request |',
    '| --- | ---: | ---: | ---: |',
    ...p.areas.map(share),
    '',
    ...topFunctionsTable(p.topFunctions),
  ];
}

const cpuOf = (ms: number | null): string => (ms === null ? '(not readable)' : `${ms} CPU ms`);

function appSection(a: AppProcessFigures): string[] {
  const phaseRow = (p: CpuPhase): string =>
    `| ${p.name} | ${p.seconds.toFixed(1)} | ${p.cpuMs} | ${p.idleCpuMs} | ${p.netCpuMs} | ${p.netCpuMsPerLease} |`;
  const lines = [
    '',
    "## The app's process alone",
    '',
    "The sandbox and Azurite run in processes of their own: this process holds the app, the local Functions host and the local Durable runner (both Azure's in production), and the benchmark's client. CPU is `process.cpuUsage()` (user + system) in consecutive phases of the run; net is after subtracting the idle rate over the phase's length (bench/README.md says how the phases overlap).",
    '',
    '| phase | s | CPU ms | idle ms | net CPU ms | net CPU ms per lease |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...a.phases.map(phaseRow),
    phaseRow(a.whole),
    '',
    `- idle: ${a.idle.cpuMsPerSecond} CPU ms per second (measured over ${a.idle.seconds.toFixed(1)} s before the run, nothing to do)`,
    `- overlap: ${a.overlap.activatedBeforeLastAnswered} leases were active before the last submission was answered; ${a.overlap.endedBeforeLastActive} had ended before the last one was active`,
    `- peak resident set: ${a.peakRssMiB} MiB during the lifecycle (${a.lifetimePeakRssMiB} MiB over the process's life)`,
    `- the stand-ins' own processes over the lifecycle: the sandbox ${cpuOf(a.sandboxCpuMs)}, Azurite ${cpuOf(a.azuriteCpuMs)} (the whole lifecycle's wall time: ${a.whole.seconds.toFixed(1)} s)`,
  ];
  if (a.profile === null) return lines;
  const p = a.profile;
  // Sampled time runs on while the machine is busy elsewhere: the shares are what to read, scaled to the measured CPU.
  const perLease = (x: Share): string =>
    x.name === 'idle' ? '' : `${Math.round(x.percentOfBusy * a.whole.netCpuMsPerLease) / 100}`;
  const share = (x: Share): string =>
    `| ${x.name} | ${x.ms} | ${x.name === 'idle' ? '' : `${x.percentOfBusy} %`} | ${perLease(x)} |`;
  lines.push(
    '',
    `### Where the CPU goes (profile: ${p.file}, ${Math.round(p.profiledMs)} ms sampled)`,
    '',
    "Self time by area (a native function is charged to the script that called it). Sampled ms are time the thread was not idle, which a loaded machine stretches: read the shares; the last column applies them to the lifecycle's net CPU per lease.",
    '',
    '| area | sampled ms | of busy | ≈ net CPU ms per lease |',
    '| --- | ---: | ---: | ---: |',
    ...p.areas.map(share),
    '',
    "Self time by owner (the deepest frame of our code on the stack: an Azure SDK call made by the runner is the runner's):",
    '',
    '| owner | sampled ms | of busy | ≈ net CPU ms per lease |',
    '| --- | ---: | ---: | ---: |',
    ...p.owners.map(share),
    '',
    `Without an owner, by area: ${p.unownedByArea.map((x) => `${x.name} ${x.percentOfBusy} %`).join(', ')} (of busy).`,
    '',
    ...topFunctionsTable(p.topFunctions),
  );
  return lines;
}

/** A moment as a file name: `2026-12-03T14-31-10Z`. */
export function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d{3}Z$/, 'Z');
}

export async function writeReport(r: BenchReport, outDir: string): Promise<{ markdown: string; json: string }> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const stem = stamp(new Date(r.date));
  const markdown = join(dir, `${stem}.md`);
  const json = join(dir, `${stem}.json`);
  await writeFile(markdown, toMarkdown(r));
  await writeFile(json, `${JSON.stringify(r, null, 2)}\n`);
  return { markdown, json };
}

function topFunctionsTable(functions: readonly TopFunction[]): string[] {
  return [
    'Top functions by self time:',
    '',
    '| function | where | area | ms | of busy |',
    '| --- | --- | --- | ---: | ---: |',
    ...functions.map((f) => `| \`${f.function}\` | ${f.location} | ${f.area} | ${f.ms} | ${f.percentOfBusy} % |`),
  ];
}
