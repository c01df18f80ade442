import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { HOME_GROUPS, HOME_USERS, ROLE_TEMPLATES } from '../local/sandbox/seed';
import type { RunningStack } from '../local/stack';
import { getServices } from '../src/composition';
import { progress, runBenchCommand, startBenchStack } from './command';
import { callJson, mapLimit } from './http';
import { commit, machine } from './report';
import { summarize, type Summary } from './stats';

/**
 * `npm run bench:templates`: a target template applied to `--tenants` (500) customer tenants. The
 * whole local stack in this process (fresh temp state, Azurite in memory). Each tenant is a real
 * sandbox tenant (`POST /_sandbox/tenants`: Contoso's shape, its own "JIT Helpdesk Operators"
 * group and app) written to the config store with its client secret in the sandbox's Key Vault, as
 * a connection leaves it (without the onboarding checks, which are not what is measured). Then,
 * through the API as carol (Jit.Admin): create the template ({ allTenants: true }, one role, one
 * group by name), apply it batch by batch following continuationToken until done (every tenant:
 * created), apply it again (every tenant: unchanged), read the drift view, and, with one
 * { allTenants: true } rule for "All technicians", time `--samples` POST /api/entitlements/check
 * as alice. Graph calls are counted by the sandbox (`GET /_sandbox/calls`).
 */
const optionsSchema = z
  .object({
    tenants: z.coerce.number().int().min(1).max(4_000).default(500),
    samples: z.coerce.number().int().min(1).max(10_000).default(100),
    out: z.string().min(1).default('bench/results'),
  })
  .strict();
type Options = z.infer<typeof optionsSchema>;

const USAGE = `npm run bench:templates -- [options]
  --tenants N   sandbox customer tenants the template is applied to (default 500)
  --samples N   POST /api/entitlements/check calls timed afterwards (default 100)
  --out DIR     where results go (default bench/results)`;

const TEMPLATE = 'helpdesk-standard';
const GROUP = 'JIT Helpdesk Operators';

interface ApplyAnswer {
  results: { tenantId: string; outcome: string; detail?: string }[];
  progress: { done: number; total: number };
  continuationToken: string | null;
}

interface ApplyRun {
  readonly seconds: number;
  readonly batches: number;
  readonly batchMs: Summary;
  readonly outcomes: Record<string, number>;
  readonly graphCalls: number;
  readonly firstFailure: string | null;
}

async function bench(options: Options, tlsDir: string): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), 'jit-bench-state-'));
  let stack: RunningStack | undefined;
  try {
    progress('starting the stack');
    stack = await startBenchStack({
      stateDir,
      tlsDir,
      taskHub: 'benchtemplates',
      seedDemo: false,
      log: () => undefined,
    });
    const { sandboxUrl, apiBaseUrl: api } = stack;
    const loadStarted = Date.now();
    progress(`making ${options.tenants} sandbox tenants and writing them to the config store`);
    await loadTenants(sandboxUrl, options.tenants);
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    const admin = await tokenOf(sandboxUrl, HOME_USERS.carol.userPrincipalName);

    const created = await callJson(`${api}/templates`, 'POST', {
      token: admin,
      body: {
        templateId: TEMPLATE,
        name: 'Helpdesk (standard)',
        kind: 'adminAccount',
        roles: [ROLE_TEMPLATES.helpdeskAdministrator],
        groups: [GROUP],
        maxDuration: 'PT4H',
        applyTo: { allTenants: true },
        applyToNewTenants: true,
      },
    });
    if (created.status !== 201) throw new Error(`POST /templates answered ${created.status}`);

    progress(`applying the template to ${options.tenants} tenants`);
    const first = await applyAll(api, sandboxUrl, admin);
    progress(`applying it again (nothing to change)`);
    const again = await applyAll(api, sandboxUrl, admin);

    const driftStarted = performance.now();
    const drift = await callJson<{ summary: Record<string, number> }>(`${api}/templates/${TEMPLATE}/tenants`, 'GET', {
      token: admin,
    });
    const driftMs = performance.now() - driftStarted;
    if (drift.status !== 200) throw new Error(`GET /templates/${TEMPLATE}/tenants answered ${drift.status}`);

    progress(`POST /api/entitlements/check × ${options.samples} with an all-tenants rule`);
    const rule = await callJson(`${api}/rules`, 'POST', {
      token: admin,
      body: {
        ruleId: 'technicians-everywhere',
        principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
        scope: { allTenants: true },
      },
    });
    if (rule.status !== 201) throw new Error(`POST /rules answered ${rule.status}`);
    const check = await timeChecks(api, await tokenOf(sandboxUrl, HOME_USERS.alice.userPrincipalName), options);

    const report = {
      date: new Date().toISOString(),
      commit: commit(),
      command: ['npm run bench:templates', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
        ' ',
      ),
      machine: machine(),
      parameters: options,
      loadSeconds,
      firstApply: first,
      secondApply: again,
      driftView: { ms: driftMs, summary: drift.body.summary },
      entitlementCheck: check,
    };
    const markdown = toMarkdown(report);
    console.log(`\n${markdown}`);
    const outDir = resolve(options.out);
    await mkdir(outDir, { recursive: true });
    const stem = join(outDir, `templates-${report.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}`);
    await writeFile(`${stem}.md`, `${markdown}\n`);
    await writeFile(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Written to ${stem}.md and ${stem}.json`);
  } finally {
    await stack?.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function tokenOf(sandboxUrl: string, user: string): Promise<string> {
  const token = await callJson<{ access_token: string }>(`${sandboxUrl}/_sandbox/tokens`, 'POST', { body: { user } });
  if (token.status !== 200) throw new Error(`token for ${user}: ${token.status}`);
  return token.body.access_token;
}

async function loadTenants(sandboxUrl: string, count: number): Promise<void> {
  const deps = getServices().deps;
  const now = new Date().toISOString();
  await mapLimit(
    Array.from({ length: count }, (_, i) => i),
    8,
    async (i) => {
      const id = randomUUID();
      const domain = `customer${i}.example`;
      const made = await callJson<{ clientId: string; clientSecret: string }>(
        `${sandboxUrl}/_sandbox/tenants`,
        'POST',
        {
          body: { id, displayName: `Customer ${String(i).padStart(4, '0')}`, domain },
        },
      );
      if (made.status !== 201) throw new Error(`POST /_sandbox/tenants answered ${made.status}`);
      const secretName = await deps.vault.putTenantSecret(id, made.body.clientSecret);
      await deps.config.createTenant({
        tenantId: id,
        displayName: `Customer ${String(i).padStart(4, '0')}`,
        jitDomain: domain,
        connection: { mode: 'clientSecret', clientId: made.body.clientId, secretName },
        protectedAccounts: [],
        tags: [],
        createdAt: now,
        updatedAt: now,
      });
    },
  );
}

async function graphCalls(sandboxUrl: string): Promise<number> {
  const calls = await callJson<{ total: number }>(`${sandboxUrl}/_sandbox/calls`, 'GET', {});
  return calls.body.total;
}

/** Every batch, following continuationToken, one after the other as the portal does. */
async function applyAll(api: string, sandboxUrl: string, token: string): Promise<ApplyRun> {
  const callsBefore = await graphCalls(sandboxUrl);
  const outcomes: Record<string, number> = {};
  const batchMs: number[] = [];
  let firstFailure: string | null = null;
  let continuationToken: string | null = null;
  const started = Date.now();
  do {
    const t0 = performance.now();
    const answer: { status: number; body: ApplyAnswer } = await callJson<ApplyAnswer>(
      `${api}/templates/${TEMPLATE}/apply`,
      'POST',
      { token, body: continuationToken === null ? {} : { continuationToken } },
    );
    batchMs.push(performance.now() - t0);
    if (answer.status !== 200) throw new Error(`POST /templates/${TEMPLATE}/apply answered ${answer.status}`);
    for (const r of answer.body.results) {
      outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      firstFailure ??= r.detail ?? null;
    }
    progress(`  ${answer.body.progress.done}/${answer.body.progress.total}`);
    continuationToken = answer.body.continuationToken;
  } while (continuationToken !== null);
  return {
    seconds: (Date.now() - started) / 1000,
    batches: batchMs.length,
    batchMs: summarize(batchMs),
    outcomes,
    graphCalls: (await graphCalls(sandboxUrl)) - callsBefore,
    firstFailure,
  };
}

async function timeChecks(api: string, token: string, options: Options): Promise<Summary> {
  const tenants = getServices().deps.config.listTenants();
  const ids = (await tenants).map((t) => t.tenantId);
  const samples: number[] = [];
  for (let i = 0; i <= options.samples; i++) {
    const t0 = performance.now();
    const res = await callJson<{ allowed: boolean }>(`${api}/entitlements/check`, 'POST', {
      token,
      body: { tenantId: ids[(i * 7919) % ids.length], targetId: TEMPLATE },
    });
    if (res.status !== 200 || !res.body.allowed) throw new Error(`POST /entitlements/check answered ${res.status}`);
    if (i > 0) samples.push(performance.now() - t0); // the first call warms up, not counted
  }
  return summarize(samples);
}

function toMarkdown(r: {
  date: string;
  commit: string;
  command: string;
  machine: ReturnType<typeof machine>;
  parameters: Options;
  loadSeconds: number;
  firstApply: ApplyRun;
  secondApply: ApplyRun;
  driftView: { ms: number; summary: Record<string, number> };
  entitlementCheck: Summary;
}): string {
  const ms = (v: number | null): string => (v === null ? '–' : v.toFixed(1));
  const outcomes = (o: Record<string, number>): string =>
    Object.entries(o)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
  const row = (name: string, a: ApplyRun): string =>
    `| ${name} | ${a.seconds.toFixed(1)} | ${a.batches} | ${ms(a.batchMs.p50)} | ${ms(a.batchMs.max)} | ${a.graphCalls} | ${outcomes(a.outcomes)} |`;
  return [
    `## A template applied to ${r.parameters.tenants} tenants (${r.date}, ${r.commit})`,
    '',
    `\`${r.command}\` on ${r.machine.cores} × ${r.machine.cpu}, Node ${r.machine.node}. ${r.parameters.tenants} sandbox tenants made and written to the config store in ${r.loadSeconds.toFixed(0)} s.`,
    '',
    '| Apply to every tenant | seconds | batches | batch p50 ms | batch max ms | Graph calls | outcomes |',
    '|---|---|---|---|---|---|---|',
    row('first (creates)', r.firstApply),
    row('again (idempotent)', r.secondApply),
    '',
    `Drift view (\`GET /api/templates/{id}/tenants\`): ${ms(r.driftView.ms)} ms, ${outcomes(r.driftView.summary)}.`,
    `\`POST /api/entitlements/check\` afterwards (one all-tenants rule): p50 ${ms(r.entitlementCheck.p50)} ms, p95 ${ms(r.entitlementCheck.p95)} ms, max ${ms(r.entitlementCheck.max)} ms over ${r.entitlementCheck.count} calls.`,
    ...(r.firstApply.firstFailure !== null ? ['', `First failure: ${r.firstApply.firstFailure}`] : []),
  ].join('\n');
}

runBenchCommand({ schema: optionsSchema, usage: USAGE, run: bench });
