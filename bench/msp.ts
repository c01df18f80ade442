import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { HOME_GROUPS, HOME_TENANT, HOME_USERS, ROLE_TEMPLATES } from '../local/sandbox/seed';
import type { RunningStack } from '../local/stack';
import { connectHomeTenant } from '../local/homeTenant';
import { getServices } from '../src/composition';
import { progress, runBenchCommand, startBenchStack } from './command';
import { callJson } from './http';
import { commit, machine } from './report';
import { summarize, type Summary } from './stats';

/**
 * `npm run bench:msp`: issue 15's MSP at scale, on one in-process stack (fresh temp state, Azurite
 * in memory), every stage timed in turn:
 *  1. `--customers` (500) real sandbox tenants (Contoso's shape) in active GDAP relationships with
 *     the home tenant, made in one sandbox call (POST /_sandbox/tenants/{home}/gdapCustomers);
 *  2. GET /api/customers (5 calls: every page of relationships and customers from Graph);
 *  3. every customer connected and verified through POST /api/customers/connect in calls of
 *     `--batch` (50, with an Idempotency-Key each, as the portal does), then the same calls with new
 *     keys (every line "already connected": the retry path);
 *  4. a template for all tenants (Helpdesk Administrator, "JIT Helpdesk Operators" by name) applied
 *     batch by batch following continuationToken, then again (every tenant unchanged), and the
 *     drift view;
 *  5. one { allTenants: true } rule for "All technicians", then `--samples` (100)
 *     POST /api/entitlements/check as alice across the tenants, and `--list-samples` (20)
 *     GET /api/entitlements (every template target of every tenant).
 * Each stage records wall time, this process's CPU time (stack, sandbox and client together:
 * unlike wall time, not stretched by other work on the machine) and the Graph calls the sandbox
 * counted. Replaces bench:gdap and bench:templates, which each started a stack for half of this.
 */
const optionsSchema = z
  .object({
    customers: z.coerce.number().int().min(1).max(4_000).default(500),
    batch: z.coerce.number().int().min(1).max(50).default(50),
    samples: z.coerce.number().int().min(1).max(10_000).default(100),
    listSamples: z.coerce.number().int().min(1).max(1_000).default(20),
    out: z.string().min(1).default('bench/results'),
  })
  .strict();
type Options = z.infer<typeof optionsSchema>;

const USAGE = `npm run bench:msp -- [options]
  --customers N      sandbox GDAP customers onboarded (default 500)
  --batch N          customers per POST /api/customers/connect (default 50, the most it takes)
  --samples N        POST /api/entitlements/check calls timed at the end (default 100)
  --list-samples N   GET /api/entitlements calls timed at the end (default 20)
  --out DIR          where results go (default bench/results)`;

const TEMPLATE = 'helpdesk-standard';

interface Made {
  tenantId: string;
  domain: string;
  clientId: string;
  clientSecret: string;
}

interface Stage {
  readonly name: string;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly graphCalls: number;
  readonly calls: Summary;
  readonly note: string;
}

interface ApplyAnswer {
  results: { tenantId: string; outcome: string; detail?: string }[];
  continuationToken: string | null;
}

class Stages {
  readonly done: Stage[] = [];
  constructor(private readonly sandboxUrl: string) {}

  /** Runs one stage; `call` times each of its calls (the latencies summarised). */
  async run(name: string, work: (call: <T>(f: () => Promise<T>) => Promise<T>) => Promise<string>): Promise<void> {
    progress(name);
    const samples: number[] = [];
    const call = async <T>(f: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      try {
        return await f();
      } finally {
        samples.push(performance.now() - t0);
      }
    };
    const graphBefore = await graphCalls(this.sandboxUrl);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const note = await work(call);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    this.done.push({
      name,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      graphCalls: (await graphCalls(this.sandboxUrl)) - graphBefore,
      calls: summarize(samples),
      note,
    });
  }
}

async function graphCalls(sandboxUrl: string): Promise<number> {
  const calls = await callJson<{ total: number }>(`${sandboxUrl}/_sandbox/calls`, 'GET', {});
  return calls.body.total;
}

async function tokenOf(sandboxUrl: string, user: string): Promise<string> {
  const token = await callJson<{ access_token: string }>(`${sandboxUrl}/_sandbox/tokens`, 'POST', { body: { user } });
  if (token.status !== 200) throw new Error(`token for ${user}: ${token.status}`);
  return token.body.access_token;
}

function expectStatus(what: string, res: { status: number; body: unknown }, status: number): void {
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

async function bench(options: Options, tlsDir: string): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), 'jit-bench-state-'));
  let stack: RunningStack | undefined;
  try {
    progress('starting the stack');
    stack = await startBenchStack({ stateDir, tlsDir, taskHub: 'benchmsp', seedDemo: false, log: () => undefined });
    const { sandboxUrl, apiBaseUrl: api } = stack;
    await connectHomeTenant(getServices().deps);
    const admin = await tokenOf(sandboxUrl, HOME_USERS.carol.userPrincipalName);
    const stages = new Stages(sandboxUrl);
    let made: Made[] = [];

    await stages.run(`${options.customers} sandbox tenants in GDAP relationships`, async (call) => {
      const res = await call(() =>
        callJson<{ value: Made[] }>(`${sandboxUrl}/_sandbox/tenants/${HOME_TENANT.id}/gdapCustomers`, 'POST', {
          body: { count: options.customers, roleDefinitionIds: [ROLE_TEMPLATES.helpdeskAdministrator] },
        }),
      );
      expectStatus('POST /_sandbox/tenants/{home}/gdapCustomers', res, 201);
      made = res.body.value;
      return 'sandbox set-up, not the service';
    });

    await stages.run('GET /api/customers × 5', async (call) => {
      let listed = 0;
      for (let i = 0; i < 5; i++) {
        const res = await call(() => callJson<{ items: unknown[] }>(`${api}/customers`, 'GET', { token: admin }));
        expectStatus('GET /api/customers', res, 200);
        listed = res.body.items.length;
      }
      return `${listed} customers per answer`;
    });

    const batches = Array.from({ length: Math.ceil(made.length / options.batch) }, (_, i) =>
      made.slice(i * options.batch, (i + 1) * options.batch),
    );
    const connectAll = (expected: 'connected' | 'alreadyConnected', run: string) => async (call: Call) => {
      for (const [i, batch] of batches.entries()) {
        const res = await call(() =>
          fetchJson<{ summary: Record<string, number> }>(`${api}/customers/connect`, admin, `${run}-${i}`, {
            customers: batch.map((m) => ({
              tenantId: m.tenantId,
              jitDomain: m.domain,
              connection: { mode: 'clientSecret', clientId: m.clientId, clientSecret: m.clientSecret },
            })),
          }),
        );
        if (res.status !== 200 || res.body.summary[expected] !== batch.length)
          throw new Error(`POST /api/customers/connect answered ${res.status} ${JSON.stringify(res.body)}`);
      }
      return `${batches.length} calls of up to ${options.batch}; every line ${expected}`;
    };
    await stages.run(`POST /api/customers/connect (${made.length} customers)`, connectAll('connected', 'first'));
    await stages.run('the same again (the retry path)', connectAll('alreadyConnected', 'again'));

    const created = await callJson(`${api}/templates`, 'POST', {
      token: admin,
      body: {
        templateId: TEMPLATE,
        name: 'Helpdesk (standard)',
        kind: 'adminAccount',
        roles: [ROLE_TEMPLATES.helpdeskAdministrator],
        groups: ['JIT Helpdesk Operators'],
        maxDuration: 'PT4H',
        applyTo: { allTenants: true },
        applyToNewTenants: true,
      },
    });
    expectStatus('POST /api/templates', created, 201);
    const applyAll = async (call: Call): Promise<string> => {
      const outcomes: Record<string, number> = {};
      let continuationToken: string | null = null;
      do {
        const res: { status: number; body: ApplyAnswer } = await call(() =>
          callJson<ApplyAnswer>(`${api}/templates/${TEMPLATE}/apply`, 'POST', {
            token: admin,
            body: continuationToken === null ? {} : { continuationToken },
          }),
        );
        expectStatus(`POST /api/templates/${TEMPLATE}/apply`, res, 200);
        for (const r of res.body.results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
        continuationToken = res.body.continuationToken;
      } while (continuationToken !== null);
      return Object.entries(outcomes)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ');
    };
    await stages.run('template applied to every tenant', applyAll);
    await stages.run('applied again (nothing to change)', applyAll);
    await stages.run('drift view', async (call) => {
      const res = await call(() =>
        callJson<{ summary: Record<string, number> }>(`${api}/templates/${TEMPLATE}/tenants`, 'GET', { token: admin }),
      );
      expectStatus(`GET /api/templates/${TEMPLATE}/tenants`, res, 200);
      return Object.entries(res.body.summary)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ');
    });

    const rule = await callJson(`${api}/rules`, 'POST', {
      token: admin,
      body: {
        ruleId: 'technicians-everywhere',
        principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
        scope: { allTenants: true },
      },
    });
    expectStatus('POST /api/rules', rule, 201);
    const alice = await tokenOf(sandboxUrl, HOME_USERS.alice.userPrincipalName);
    const check = (tenantId: string) => () =>
      callJson<{ allowed: boolean }>(`${api}/entitlements/check`, 'POST', {
        token: alice,
        body: { tenantId, targetId: TEMPLATE },
      });
    const warm = await check(made[0]?.tenantId ?? HOME_TENANT.id)(); // the first call warms up, not counted
    expectStatus('POST /api/entitlements/check', warm, 200);
    await stages.run(`POST /api/entitlements/check × ${options.samples}`, async (call) => {
      for (let i = 0; i < options.samples; i++) {
        const res = await call(check(made[(i * 7919) % made.length]?.tenantId ?? ''));
        if (res.status !== 200 || !res.body.allowed) throw new Error(`a check answered ${res.status}`);
      }
      return 'alice, a tenant picked in turn, all allowed by the one all-tenants rule';
    });
    await stages.run(`GET /api/entitlements × ${options.listSamples}`, async (call) => {
      let listed = 0;
      for (let i = 0; i < options.listSamples; i++) {
        const res = await call(() => callJson<{ items: unknown[] }>(`${api}/entitlements`, 'GET', { token: alice }));
        expectStatus('GET /api/entitlements', res, 200);
        listed = res.body.items.length;
      }
      return `${listed} targets listed`;
    });

    const report = {
      date: new Date().toISOString(),
      commit: commit(),
      command: ['npm run bench:msp', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      machine: machine(),
      parameters: options,
      stages: stages.done,
    };
    const markdown = toMarkdown(report);
    console.log(`\n${markdown}`);
    const outDir = resolve(options.out);
    await mkdir(outDir, { recursive: true });
    const stem = join(outDir, `msp-${report.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}`);
    await writeFile(`${stem}.md`, `${markdown}\n`);
    await writeFile(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Written to ${stem}.md and ${stem}.json`);
  } finally {
    await stack?.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

type Call = <T>(f: () => Promise<T>) => Promise<T>;

/** POST with an Idempotency-Key, as the portal connects customers. */
async function fetchJson<T>(
  url: string,
  token: string,
  key: string,
  body: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

function toMarkdown(r: {
  date: string;
  commit: string;
  command: string;
  machine: ReturnType<typeof machine>;
  parameters: Options;
  stages: readonly Stage[];
}): string {
  const ms = (v: number | null): string => (v === null ? '–' : v < 10 ? v.toFixed(1) : v.toFixed(0));
  return [
    `## An MSP with ${r.parameters.customers} GDAP customers (${r.date}, ${r.commit})`,
    '',
    `\`${r.command}\` on ${r.machine.cores} × ${r.machine.cpu}, Node ${r.machine.node}. CPU s: this process (stack, sandbox and client together).`,
    '',
    '| Stage | wall s | CPU s | Graph calls | calls | p50 ms | p95 ms | p99 ms | max ms | note |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.stages.map(
      (s) =>
        `| ${s.name} | ${s.seconds.toFixed(1)} | ${s.cpuSeconds.toFixed(1)} | ${s.graphCalls} | ${s.calls.count} | ${ms(s.calls.p50)} | ${ms(s.calls.p95)} | ${ms(s.calls.p99)} | ${ms(s.calls.max)} | ${s.note} |`,
    ),
  ].join('\n');
}

runBenchCommand({ schema: optionsSchema, usage: USAGE, run: bench });
