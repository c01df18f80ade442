import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { HOME_TENANT, HOME_USERS, ROLE_TEMPLATES, SERVICE_APP } from '../local/sandbox/seed';
import type { RunningStack } from '../local/stack';
import { getServices } from '../src/composition';
import { callJson, mapLimit } from './http';
import { commit, machine } from './report';
import { summarize, type Summary } from './stats';
import { progress, runBenchCommand, startBenchStack } from './command';

/**
 * `npm run bench:gdap`: onboarding an MSP's GDAP customers in bulk. The whole local stack in this
 * process (fresh temp state, Azurite in memory), the home tenant connected; `--customers` GDAP
 * relationships (active, Global Reader) added to the sandbox's home tenant. Then, timed at the
 * client: GET /api/customers (every page of relationships from Graph), POST /api/customers/connect
 * in calls of `--batch` (at most 50), and the same calls again (every customer already connected:
 * the retry path). The customers are synthetic tenant ids with no sandbox directory behind them,
 * so each connection's verification stops at the sign-in check (one token request refused); the
 * figures are the service's own onboarding work (Key Vault write, row, audit, that sign-in).
 */
const optionsSchema = z
  .object({
    customers: z.coerce.number().int().min(1).max(5_000).default(500),
    batch: z.coerce.number().int().min(1).max(50).default(50),
    out: z.string().min(1).default('bench/results'),
  })
  .strict();
type Options = z.infer<typeof optionsSchema>;

const USAGE = `npm run bench:gdap -- [options]
  --customers N   GDAP customers in the sandbox's home tenant (default 500)
  --batch N       customers per POST /api/customers/connect (default 50, the most it takes)
  --out DIR       where results go (default bench/results)`;

interface Timing {
  readonly latencyMs: Summary;
  readonly seconds: number;
}

async function timedCalls<T>(items: readonly T[], call: (item: T) => Promise<void>): Promise<Timing> {
  const samples: number[] = [];
  const started = Date.now();
  for (const item of items) {
    const t0 = performance.now();
    await call(item);
    samples.push(performance.now() - t0);
  }
  return { latencyMs: summarize(samples), seconds: (Date.now() - started) / 1000 };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

async function bench(options: Options, tlsDir: string): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), 'jit-bench-state-'));
  let stack: RunningStack | undefined;
  try {
    progress('starting the stack');
    stack = await startBenchStack({ stateDir, tlsDir, taskHub: 'benchgdap', seedDemo: false, log: () => undefined });
    const { deps } = getServices();
    const secretName = await deps.vault.putTenantSecret(HOME_TENANT.id, SERVICE_APP.clientSecret);
    const now = new Date().toISOString();
    await deps.config.createTenant({
      tenantId: HOME_TENANT.id,
      displayName: 'MSP (home)',
      jitDomain: 'msp.example',
      connection: { mode: 'clientSecret', clientId: SERVICE_APP.clientId, secretName },
      protectedAccounts: [],
      createdAt: now,
      updatedAt: now,
    });

    progress(`adding ${options.customers} GDAP relationships to the sandbox's home tenant`);
    const customers = await mapLimit(
      Array.from({ length: options.customers }, (_, i) => i),
      8,
      async (i) => {
        const tenantId = randomUUID();
        const res = await callJson(
          `${stack?.sandboxUrl}/_sandbox/tenants/${HOME_TENANT.id}/delegatedAdminRelationships`,
          'POST',
          {
            body: {
              customer: { tenantId, displayName: `GDAP customer ${String(i).padStart(4, '0')}` },
              roleDefinitionIds: [ROLE_TEMPLATES.globalReader],
            },
          },
        );
        if (res.status !== 201) throw new Error(`adding relationship ${i}: ${res.status}`);
        return tenantId;
      },
    );
    const tokenRes = await callJson<{ access_token: string }>(`${stack.sandboxUrl}/_sandbox/tokens`, 'POST', {
      body: { user: HOME_USERS.carol.userPrincipalName },
    });
    const token = tokenRes.body.access_token;
    const api = stack.apiBaseUrl;

    progress('GET /api/customers × 5');
    let listed = 0;
    const list = await timedCalls([1, 2, 3, 4, 5], async () => {
      const res = await callJson<{ items: unknown[] }>(`${api}/customers`, 'GET', { token });
      if (res.status !== 200) throw new Error(`GET /customers answered ${res.status}`);
      listed = res.body.items.length;
    });

    const batches = chunks(customers, options.batch);
    const connectAll = async (expected: 'connected' | 'alreadyConnected'): Promise<Timing> =>
      timedCalls(batches, async (batch) => {
        const res = await callJson<{ summary: Record<string, number> }>(`${api}/customers/connect`, 'POST', {
          token,
          body: {
            customers: batch.map((tenantId, i) => ({
              tenantId,
              jitDomain: `customer-${tenantId.slice(0, 8)}.example`,
              connection: { mode: 'clientSecret', clientId: randomUUID(), clientSecret: `bench-secret-${i}` },
            })),
          },
        });
        if (res.status !== 200 || res.body.summary[expected] !== batch.length)
          throw new Error(`POST /customers/connect answered ${res.status} ${JSON.stringify(res.body)}`);
      });
    progress(`POST /api/customers/connect: ${batches.length} calls of up to ${options.batch}`);
    const connect = await connectAll('connected');
    progress('the same calls again (every customer already connected)');
    const retry = await connectAll('alreadyConnected');
    const connected = (await deps.config.listTenants()).length - 1;

    const report = {
      date: new Date().toISOString(),
      commit: commit(),
      command: ['npm run bench:gdap', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      machine: machine(),
      parameters: options,
      listed,
      connected,
      list,
      connect,
      retry,
    };
    const ms = (v: number | null): string => (v === null ? '–' : v.toFixed(0));
    const row = (name: string, t: Timing, note: string): string =>
      `| ${name} | ${ms(t.latencyMs.p50)} | ${ms(t.latencyMs.max)} | ${t.latencyMs.count} | ${t.seconds.toFixed(1)} | ${note} |`;
    const markdown = [
      `## GDAP customers onboarded in bulk (${report.date}, ${report.commit})`,
      '',
      `\`${report.command}\` on ${report.machine.cores} × ${report.machine.cpu}, Node ${report.machine.node}: ${options.customers} sandbox GDAP customers; ${connected} connected.`,
      '',
      '| Call | p50 ms | max ms | calls | total s | note |',
      '|---|---|---|---|---|---|',
      row('GET /api/customers', list, `${listed} customers per answer`),
      row(`POST /api/customers/connect (${options.batch} each)`, connect, 'each connected and verified'),
      row('the same again', retry, 'every line 200 already connected'),
    ].join('\n');
    console.log(`\n${markdown}`);
    const outDir = resolve(options.out);
    await mkdir(outDir, { recursive: true });
    const stem = join(outDir, `gdap-${report.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}`);
    await writeFile(`${stem}.md`, `${markdown}\n`);
    await writeFile(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Written to ${stem}.md and ${stem}.json`);
  } finally {
    await stack?.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

runBenchCommand({ schema: optionsSchema, usage: USAGE, run: bench });
