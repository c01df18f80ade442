import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { durableHostSettings, MAX_CONCURRENT_ACTIVITIES_SETTING } from '../local/host/hostJson';
import { CONTOSO } from '../local/sandbox/seed';
import type { RunningStack } from '../local/stack';
import { getServices } from '../src/composition';
import { ceilingFrom } from './ceiling';
import { appProcessFigures } from './appProcess';
import { startCpuProfile } from './cpuProfile';
import { callJson, sleep } from './http';
import { lifetimePeakRssMiB, measureIdleCpu, otherProcessCpuMs, ProcessSampler } from './processCost';
import { BENCH_TARGET_ID, prepareLifecycle, runLifecycle } from './lifecycle';
import { benchOptionsSchema, USAGE, type BenchOptions } from './options';
import { progress, runBenchCommand, startBenchStack } from './command';
import { ServiceLogTap } from './serviceLog';
import { commit, machine, stamp, toMarkdown, writeReport, type BenchReport } from './report';
import { tablesPortOf, TableCounter } from './tableCounter';
import { entitlementCheckOrHealth, runThroughput, type ThroughputResult } from './throughput';

/**
 * `npm run bench`: the app's stack in this process (the compiled function app, the local host and
 * Durable runner; fresh temp state, ephemeral ports), the sandbox and Azurite (in memory) each in a
 * process of their own; the lease lifecycle benchmark with this process's CPU and memory, the API
 * throughput benchmark from autocannon in another process, and the ceiling on paper; a markdown
 * table printed and written with its JSON.
 */

async function bench(options: BenchOptions, tlsDir: string): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), 'jit-bench-state-'));
  const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const serviceLog = new ServiceLogTap();
  const hostErrors: string[] = [];
  let stack: RunningStack | undefined;
  let tables: TableCounter | undefined;
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    tables?.close();
    await stack?.close();
    await rm(stateDir, { recursive: true, force: true });
    serviceLog.restore();
  };
  // Ctrl-C reaches this process twice (from the terminal and forwarded by the launcher): stop once.
  const interrupted = (): void => {
    if (stopping) return;
    progress('interrupted: stopping the stack');
    void stop().then(() => process.exit(130));
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  try {
    // The app-setting override of host.json, as in Azure: the host reads it when it starts.
    if (options.maxActivities !== undefined)
      process.env[MAX_CONCURRENT_ACTIVITIES_SETTING] = String(options.maxActivities);
    const maxActivities = durableHostSettings().maxConcurrentActivityFunctions;
    progress(`starting the stack (state in ${stateDir}; ${maxActivities} activities at a time)`);
    stack = await startBenchStack({
      stateDir,
      tlsDir,
      taskHub: 'bench',
      seedDemo: true,
      log: (line) => {
        if (line.level === 'error') hostErrors.push(line.message);
        serviceLog.offer(line.message);
      },
    });
    tables = new TableCounter(tablesPortOf(stack.tablesConnectionString));
    const deps = getServices().deps;

    progress(`adding ${options.leases} technicians and the benchmark target`);
    const technicians = await prepareLifecycle({ sandboxUrl: stack.sandboxUrl, deps, leases: options.leases });
    const faults = await callJson(`${stack.sandboxUrl}/_sandbox/faults`, 'PUT', {
      body: { latencyMs: options.latencyMs },
    });
    if (faults.status !== 200) throw new Error(`PUT /_sandbox/faults answered ${faults.status}`);

    progress(`the app's process doing nothing for ${options.idleSeconds} s (its idle CPU)`);
    await sleep(1_000); // what the preparation left running settles first
    const idle = await measureIdleCpu(options.idleSeconds);
    const sampler = new ProcessSampler();
    const standIns = { sandbox: stack.sandboxPid, azurite: stack.azuritePid };
    const standInsBefore = standInCpuMs(standIns);
    const profiling = options.cpuProfile === undefined ? undefined : await startCpuProfile();

    progress(
      `lease lifecycle: ${options.leases} leases of ${options.duration}, ${options.latencyMs} ms per Graph/Key Vault call`,
    );
    const lifecycle = await runLifecycle(
      {
        apiBaseUrl: stack.apiBaseUrl,
        sandboxUrl: stack.sandboxUrl,
        deps,
        tables,
        serviceLog,
        leases: options.leases,
        duration: options.duration,
        pollMs: options.pollMs,
        timeoutSeconds: options.timeoutSeconds,
      },
      technicians,
    );
    const profile = await profiling?.stop(options.cpuProfile ?? '.', `app-${stamp(new Date())}`);
    const standInsAfter = standInCpuMs(standIns);
    sampler.stop();
    const app = appProcessFigures({
      sampler,
      timeline: lifecycle.timeline,
      accepted: lifecycle.accepted,
      idle,
      lifetimePeakRssMiB: lifetimePeakRssMiB(),
      sandboxCpuMs: difference(standInsBefore.sandbox, standInsAfter.sandbox),
      azuriteCpuMs: difference(standInsBefore.azurite, standInsAfter.azurite),
      profile: profile ?? null,
    });

    const throughput: ThroughputResult[] = [];
    const first = technicians[0];
    if (!options.skipApi && first !== undefined) {
      const check = await entitlementCheckOrHealth(stack.apiBaseUrl, first.token, {
        tenantId: CONTOSO.id,
        targetId: BENCH_TARGET_ID,
        duration: options.duration,
      });
      progress(
        `API throughput: ${check.method} /api${check.path}, ${options.connections} connections, ${options.apiSeconds} s`,
      );
      const apiProfile = (name: string) =>
        options.cpuProfile === undefined
          ? undefined
          : { dir: options.cpuProfile, stem: `api-${name}-${stamp(new Date())}` };
      throughput.push(
        await runThroughput(stack.apiBaseUrl, check, options.connections, options.apiSeconds, apiProfile('check')),
      );
      const page = await deps.requests.list({}, { limit: 1 });
      const some = page.items.find((r) => r.requester.userPrincipalName === first.user) ?? page.items[0];
      if (some !== undefined) {
        const token = technicians.find((t) => t.user === some.requester.userPrincipalName)?.token ?? first.token;
        progress(`API throughput: GET /api/requests/{id}, ${options.connections} connections, ${options.apiSeconds} s`);
        throughput.push(
          await runThroughput(
            stack.apiBaseUrl,
            { name: 'request status', method: 'GET', path: `/requests/${some.id}`, token },
            options.connections,
            options.apiSeconds,
            apiProfile('request'),
          ),
        );
      }
    }

    const per = lifecycle.perLease;
    const report: BenchReport = {
      date: new Date().toISOString(),
      commit: commit(),
      command,
      machine: machine(),
      parameters: { ...options, maxActivities },
      lifecycle,
      app,
      throughput,
      ceiling: per.graphWrites > 0 ? ceilingFrom(per.graphCalls, per.graphWrites) : null,
    };
    const files = await writeReport(report, options.out);
    serviceLog.restore();
    console.log(`\n${toMarkdown(report)}`);
    console.log(`Written to ${files.markdown} and ${files.json}`);
    if (hostErrors.length > 0)
      console.log(`The host logged ${hostErrors.length} error(s); first: ${hostErrors[0] ?? ''}`);
    if (lifecycle.failures.length > 0) process.exitCode = 1;
  } finally {
    await stop();
  }
}

/** CPU time so far of the stand-ins' processes (null where unknown). */
function standInCpuMs(pids: { sandbox?: number; azurite?: number }): {
  sandbox: number | null;
  azurite: number | null;
} {
  return {
    sandbox: pids.sandbox === undefined ? null : otherProcessCpuMs(pids.sandbox),
    azurite: pids.azurite === undefined ? null : otherProcessCpuMs(pids.azurite),
  };
}

const difference = (before: number | null, after: number | null): number | null =>
  before === null || after === null ? null : after - before;

runBenchCommand({ schema: benchOptionsSchema, usage: USAGE, booleanFlags: ['skipApi'], run: bench });
