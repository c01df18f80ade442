import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { HOME_GROUPS, ROLE_TEMPLATES } from '../local/sandbox/seed';
import type { RunningStack } from '../local/stack';
import type { AppDeps } from '../src/app/deps';
import { getServices } from '../src/composition';
import { callJson, mapLimit } from './http';
import { commit, machine } from './report';
import { summarize, type Summary } from './stats';
import { progress, runBenchCommand, startBenchStack } from './command';

/**
 * `npm run bench:entitlements`: entitlement evaluation at MSP scale. The whole local stack in this
 * process (fresh temp state, Azurite in memory); `--tenants` customer tenants with `--targets`
 * targets each and the rules written straight to the config store (synthetic tenant ids: no
 * sandbox tenant behind them, since evaluation reads only the stores), `--technicians` users added
 * to the sandbox's home tenant in "All technicians". The rules: one { allTenants: true } rule for
 * the group, a { tenantTag: 'gold' } rule per technician (every 5th tenant is gold) and two
 * target-named rules per technician. Then, one call at a time by `--concurrency` callers,
 * `--samples` calls each of GET /api/entitlements (every technician sees every target) and
 * POST /api/entitlements/check (a random tenant and target), timed at the client.
 */
const optionsSchema = z
  .object({
    tenants: z.coerce.number().int().min(1).max(5_000).default(500),
    targets: z.coerce.number().int().min(1).max(100).default(20),
    technicians: z.coerce.number().int().min(1).max(1_000).default(50),
    samples: z.coerce.number().int().min(1).max(100_000).default(100),
    concurrency: z.coerce.number().int().min(1).max(200).default(1),
    out: z.string().min(1).default('bench/results'),
  })
  .strict();
type Options = z.infer<typeof optionsSchema>;

const USAGE = `npm run bench:entitlements -- [options]
  --tenants N       customer tenants in the config store (default 500)
  --targets N       targets per tenant (default 20)
  --technicians N   technicians in "All technicians" (default 50)
  --samples N       calls per endpoint (default 100)
  --concurrency N   callers at a time (default 1)
  --out DIR         where results go (default bench/results)`;

const GOLD = 'gold';

interface Technician {
  readonly user: string;
  readonly objectId: string;
  readonly token: string;
}

async function bench(options: Options, tlsDir: string): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), 'jit-bench-state-'));
  let stack: RunningStack | undefined;
  try {
    progress('starting the stack');
    stack = await startBenchStack({
      stateDir,
      tlsDir,
      taskHub: 'benchentitlements',
      seedDemo: false,
      log: () => undefined,
    });
    const deps = getServices().deps;
    const loadStarted = Date.now();
    progress(`writing ${options.tenants} tenants × ${options.targets} targets to the config store`);
    const tenantIds = await loadTenants(deps, options);
    progress(`adding ${options.technicians} technicians and their rules`);
    const technicians = await addTechnicians(stack.sandboxUrl, options.technicians);
    const ruleCount = await writeRules(deps, technicians, tenantIds);
    const loadSeconds = (Date.now() - loadStarted) / 1000;

    const api = stack.apiBaseUrl;
    progress(`GET /api/entitlements × ${options.samples}, ${options.concurrency} at a time`);
    let itemsSeen = 0;
    const list = await timed(options, async (i) => {
      const res = await callJson<{ items: unknown[] }>(`${api}/entitlements`, 'GET', {
        token: pick(technicians, i).token,
      });
      if (res.status !== 200) throw new Error(`GET /entitlements answered ${res.status}`);
      itemsSeen = res.body.items.length;
    });
    progress(`POST /api/entitlements/check × ${options.samples}, ${options.concurrency} at a time`);
    let allowed = 0;
    const check = await timed(options, async (i) => {
      const body = { tenantId: pick(tenantIds, i * 7919), targetId: targetIdOf((i * 31) % options.targets) };
      const res = await callJson<{ allowed: boolean }>(`${api}/entitlements/check`, 'POST', {
        token: pick(technicians, i).token,
        body,
      });
      if (res.status !== 200) throw new Error(`POST /entitlements/check answered ${res.status}`);
      if (res.body.allowed && i > 0) allowed += 1; // the warm-up call is not counted
    });

    const report = {
      date: new Date().toISOString(),
      commit: commit(),
      command: [
        'npm run bench:entitlements',
        ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
      ].join(' '),
      machine: machine(),
      parameters: options,
      loaded: {
        tenants: tenantIds.length,
        targets: tenantIds.length * options.targets,
        rules: ruleCount,
        technicians: technicians.length,
        seconds: loadSeconds,
      },
      list: { ...list, itemsPerAnswer: itemsSeen },
      check: { ...check, allowed },
    };
    const markdown = toMarkdown(report);
    console.log(`\n${markdown}`);
    const outDir = resolve(options.out);
    await mkdir(outDir, { recursive: true });
    const stem = join(outDir, `entitlements-${report.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}`);
    await writeFile(`${stem}.md`, `${markdown}\n`);
    await writeFile(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Written to ${stem}.md and ${stem}.json`);
  } finally {
    await stack?.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

const targetIdOf = (i: number): string => `target-${String(i).padStart(2, '0')}`;
const pick = <T>(items: readonly T[], i: number): T => items[i % items.length] as T;

async function loadTenants(deps: AppDeps, options: Options): Promise<string[]> {
  const now = new Date().toISOString();
  const indexes = Array.from({ length: options.tenants }, (_, i) => i);
  return mapLimit(indexes, 8, async (i) => {
    const tenantId = randomUUID();
    await deps.config.createTenant({
      tenantId,
      displayName: `Customer ${String(i).padStart(4, '0')}`,
      jitDomain: `customer${i}.example`,
      connection: { mode: 'federated' },
      protectedAccounts: [],
      tags: i % 5 === 0 ? [GOLD] : [],
      createdAt: now,
      updatedAt: now,
    });
    for (let n = 0; n < options.targets; n++) {
      await deps.config.createTarget({
        tenantId,
        targetId: targetIdOf(n),
        name: `Target ${n}`,
        kind: 'adminAccount',
        roles: [{ templateId: ROLE_TEMPLATES.helpdeskAdministrator }],
        groups: [],
        defaultDuration: 'PT4H',
        minDuration: 'PT15M',
        maxDuration: 'PT8H',
        approval: n % 4 === 0 ? { mode: 'required', approvers: [], deadline: 'PT1H' } : { mode: 'none' },
        requireJustification: false,
        requireTicket: false,
        credentialType: 'password',
        createdAt: now,
        updatedAt: now,
      });
    }
    return tenantId;
  });
}

async function addTechnicians(sandboxUrl: string, count: number): Promise<Technician[]> {
  const indexes = Array.from({ length: count }, (_, i) => i + 1);
  return mapLimit(indexes, 8, async (i) => {
    const user = `scale-${i}@msp.example`;
    const created = await callJson<{ id: string }>(`${sandboxUrl}/_sandbox/tenants/msp.example/users`, 'POST', {
      body: { userPrincipalName: user, groups: [HOME_GROUPS.allTechnicians.id] },
    });
    if (created.status !== 201)
      throw new Error(`creating ${user} in the sandbox: ${created.status} ${JSON.stringify(created.body)}`);
    const token = await callJson<{ access_token: string }>(`${sandboxUrl}/_sandbox/tokens`, 'POST', { body: { user } });
    if (token.status !== 200) throw new Error(`token for ${user}: ${token.status}`);
    return { user, objectId: created.body.id, token: token.body.access_token };
  });
}

async function writeRules(
  deps: AppDeps,
  technicians: readonly Technician[],
  tenantIds: readonly string[],
): Promise<number> {
  const now = new Date().toISOString();
  const rules = [
    {
      ruleId: 'technicians-everywhere',
      principal: { type: 'group' as const, id: HOME_GROUPS.allTechnicians.id },
      scope: { allTenants: true as const },
    },
    ...technicians.flatMap((t, i) => [
      {
        ruleId: `gold-${i}`,
        principal: { type: 'user' as const, id: t.objectId },
        scope: { tenantTag: GOLD },
        maxDuration: 'PT2H',
      },
      ...[0, 1].map((k) => ({
        ruleId: `named-${i}-${k}`,
        principal: { type: 'user' as const, id: t.objectId },
        scope: { targets: [{ tenantId: pick(tenantIds, i * 2 + k), targetId: targetIdOf(k) }] },
        approvalRequired: false,
      })),
    ]),
  ];
  await mapLimit(rules, 8, (rule) => deps.config.createRule({ ...rule, createdAt: now, updatedAt: now }));
  return rules.length;
}

interface Timing {
  readonly latencyMs: Summary;
  readonly meanMs: number;
  readonly seconds: number;
  /**
   * CPU time of this process (the stack and the calling client) per call, user + system: unlike
   * latency, barely moved by other work on the machine.
   */
  readonly cpuMsPerCall: number;
}

async function timed(options: Options, call: (i: number) => Promise<void>): Promise<Timing> {
  await call(0); // warm-up, not counted
  const samples: number[] = [];
  const started = Date.now();
  const cpuBefore = process.cpuUsage();
  await mapLimit(
    Array.from({ length: options.samples }, (_, i) => i + 1),
    options.concurrency,
    async (i) => {
      const t0 = performance.now();
      await call(i);
      samples.push(performance.now() - t0);
    },
  );
  const cpu = process.cpuUsage(cpuBefore);
  return {
    latencyMs: summarize(samples),
    meanMs: samples.reduce((a, b) => a + b, 0) / samples.length,
    seconds: (Date.now() - started) / 1000,
    cpuMsPerCall: (cpu.user + cpu.system) / 1000 / samples.length,
  };
}

function toMarkdown(r: {
  date: string;
  commit: string;
  command: string;
  machine: ReturnType<typeof machine>;
  loaded: { tenants: number; targets: number; rules: number; technicians: number; seconds: number };
  list: Timing & { itemsPerAnswer: number };
  check: Timing & { allowed: number };
}): string {
  const ms = (v: number | null): string => (v === null ? '–' : v.toFixed(1));
  const row = (name: string, t: Timing, note: string): string =>
    `| ${name} | ${ms(t.latencyMs.p50)} | ${ms(t.latencyMs.p95)} | ${ms(t.latencyMs.p99)} | ${ms(t.latencyMs.max)} | ${ms(t.cpuMsPerCall)} | ${t.latencyMs.count} | ${note} |`;
  return [
    `## Entitlements at scale (${r.date}, ${r.commit})`,
    '',
    `\`${r.command}\` on ${r.machine.cores} × ${r.machine.cpu}, Node ${r.machine.node}. Loaded through the stores: ${r.loaded.tenants} tenants × ${r.loaded.targets / r.loaded.tenants} targets (${r.loaded.targets}), ${r.loaded.rules} rules, ${r.loaded.technicians} technicians (${r.loaded.seconds.toFixed(0)} s).`,
    '',
    '| Call | p50 ms | p95 ms | p99 ms | max ms | CPU ms per call | calls | note |',
    '|---|---|---|---|---|---|---|---|',
    row('GET /api/entitlements', r.list, `${r.list.itemsPerAnswer} targets per answer`),
    row('POST /api/entitlements/check', r.check, `${r.check.allowed} allowed`),
    '',
    'CPU ms per call: user + system time of this process (the whole stack and the calling client) over the calls, divided by their number; latency moves with other work on the machine, CPU time much less.',
  ].join('\n');
}

runBenchCommand({ schema: optionsSchema, usage: USAGE, run: bench });
