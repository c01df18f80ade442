import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { SecretClient } from '@azure/keyvault-secrets';
import { createHttpHeaders, type HttpClient } from '@azure/core-rest-pipeline';
import { z } from 'zod';
import { startAzurite, azuriteConnectionString } from '../local/azurite';
import { freePort } from '../local/ports';
import { HOME_TENANT_ID, SERVICE_APP } from '../local/sandbox/seed';
import { startSandboxProcess } from '../local/sandboxProcess';
import { createServiceCredential } from '../src/adapters/identity';
import { KeyVaultSecretVault } from '../src/adapters/keyvault/secretVault';
import { TableSet } from '../src/adapters/tables/tableSet';
import { settingsSchema } from '../src/settings';
import { progress, runBenchCommand } from './command';
import { connectionCounts, countConnections } from './connectionCounter';
import { startCpuProfile, type CpuProfileSummary } from './cpuProfile';
import { mapLimit } from './http';
import { commit, machine, stamp } from './report';

/**
 * `npm run bench:roundtrip`: the app's CPU per outbound round trip, apart from everything else.
 * Azurite (in memory) and the Entra sandbox run in processes of their own; this process only makes
 * calls: `getEntity` (a point read), `createEntity`, `submitTransaction` (two inserts in one
 * partition) through a table client, and Key Vault `getSecret`, `--calls` times one after another
 * and `--calls` times `--concurrency` at a time. Each is measured for two clients in the same run,
 * taking turns in `--rounds` rounds (so the machine's changing load falls on both alike): `sdk` is
 * the client as the SDK builds it by default, `app` the client the app builds (`TableSet`,
 * `KeyVaultSecretVault`): the pair a change to how the app builds its clients is judged by (today
 * they are the same clients, so the pair shows the noise). Then what bounds a round trip: Node's
 * `http.get`/`https.get` with no SDK (keep-alive, and a new TLS connection each) and the SDK's
 * calls answered in-process with no network. Reported: CPU µs per call
 * (`process.cpuUsage()`, user + system, over the timed calls only), wall time per call, and
 * connections opened (plain and TLS, warm-up included).
 */
const optionsSchema = z
  .object({
    calls: z.coerce.number().int().min(10).max(100_000).default(2000),
    concurrency: z.coerce.number().int().min(1).max(500).default(20),
    warmup: z.coerce.number().int().min(0).max(10_000).default(200),
    rounds: z.coerce.number().int().min(1).max(100).default(6),
    cpuProfile: z.string().min(1).optional(),
    out: z.string().min(1).default('bench/results'),
  })
  .strict();
type Options = z.infer<typeof optionsSchema>;

const USAGE = `npm run bench:roundtrip -- [options]
  --calls N          calls per operation and mode (default 2000)
  --concurrency N    calls in flight in the concurrent mode (default 20)
  --warmup N         untimed calls first, per operation and variant (default 200)
  --rounds N         the timed calls split into N rounds, sdk and app taking turns (default 6)
  --cpu-profile DIR  write a V8 CPU profile of each variant's first timed round to DIR
  --out DIR          where results go (default bench/results)`;

type Variant = 'sdk' | 'app';
type Mode = 'sequential' | 'concurrent';

interface Operation {
  readonly name: string;
  /** One call; `i` makes keys unique. */
  readonly call: (i: number) => Promise<unknown>;
}

interface Row {
  readonly operation: string;
  readonly variant: Variant;
  readonly mode: Mode;
  readonly calls: number;
  readonly cpuMicrosPerCall: number;
  readonly wallMicrosPerCall: number;
  readonly plainConnections: number;
  readonly tlsConnections: number;
}

async function bench(options: Options, tlsDir: string): Promise<void> {
  countConnections();
  const startedAt = new Date();
  const loadAverage = loadavg();
  progress('starting Azurite and the sandbox in processes of their own');
  const azurite = await startAzurite({ port: await freePort() });
  const sandbox = await startSandboxProcess({ port: 0, tlsDir });
  const rows: Row[] = [];
  const floor: { name: string; cpuMicrosPerCall: number }[] = [];
  const profiles: Record<string, CpuProfileSummary> = {};
  try {
    const connectionString = azuriteConnectionString(Number(new URL(azurite.tableEndpoint).port));
    const settings = settingsSchema.parse({
      JIT_HOME_TENANT_ID: HOME_TENANT_ID,
      JIT_API_CLIENT_ID: SERVICE_APP.clientId,
      JIT_AUTHORITY_HOST: sandbox.url,
      JIT_GRAPH_BASE_URL: sandbox.url,
      JIT_KEY_VAULT_URL: sandbox.url,
      JIT_SERVICE_CLIENT_SECRET: SERVICE_APP.clientSecret,
      JIT_TABLES_CONNECTION_STRING: connectionString,
    });
    const credential = createServiceCredential(settings);
    const vault = new KeyVaultSecretVault(settings.JIT_KEY_VAULT_URL, credential);
    const secretName = await vault.putTenantSecret(randomUUID(), `s-${randomUUID()}`);

    // The SDK's defaults, as the app built its clients before (tableSet.ts, secretVault.ts).
    const sdkTable = TableClient.fromConnectionString(connectionString, 'rtSdk', { allowInsecureConnection: true });
    const sdkSecrets = new SecretClient(settings.JIT_KEY_VAULT_URL, credential, {
      disableChallengeResourceVerification: true,
    });
    const appTable = await new TableSet({ connectionString }, 'rtApp').table('Requests').client();
    await sdkTable.createTable();

    const tableOperations = async (table: TableClient): Promise<Operation[]> => {
      const partition = `p-${randomUUID()}`;
      await table.upsertEntity({ partitionKey: partition, rowKey: 'existing', n: 0 });
      return [
        { name: 'getEntity', call: () => table.getEntity(partition, 'existing') },
        { name: 'createEntity', call: (i) => table.createEntity({ partitionKey: partition, rowKey: `c-${i}`, n: i }) },
        {
          name: 'submitTransaction',
          call: (i) => {
            const actions: TransactionAction[] = [
              ['create', { partitionKey: partition, rowKey: `t-${i}-a`, n: i }],
              ['create', { partitionKey: partition, rowKey: `t-${i}-b`, n: i }],
            ];
            return table.submitTransaction(actions);
          },
        },
      ];
    };
    const variants: Record<Variant, Operation[]> = {
      sdk: [
        ...(await tableOperations(sdkTable)),
        { name: 'keyVault getSecret', call: () => sdkSecrets.getSecret(secretName) },
      ],
      app: [
        ...(await tableOperations(appTable)),
        { name: 'keyVault getSecret', call: () => vault.getTenantSecret(secretName) },
      ],
    };

    let offset = 0;
    const keys = (count: number): number[] => Array.from({ length: count }, () => offset++);
    const perRound = Math.ceil(options.calls / options.rounds);
    for (const mode of ['sequential', 'concurrent'] as const) {
      const limit = mode === 'sequential' ? 1 : options.concurrency;
      for (let o = 0; o < variants.app.length; o++) {
        const totals = { sdk: { cpu: 0, wall: 0, plain: 0, tls: 0 }, app: { cpu: 0, wall: 0, plain: 0, tls: 0 } };
        const name = variants.app[o]?.name ?? '?';
        progress(
          `${name} × ${perRound * options.rounds}, ${mode}, sdk and app interleaved in ${options.rounds} rounds`,
        );
        for (const variant of ['sdk', 'app'] as const) {
          const op = variants[variant][o];
          const before = connectionCounts();
          if (op !== undefined) await mapLimit(keys(options.warmup), limit, (i) => op.call(i));
          const after = connectionCounts();
          totals[variant].plain += after.plain - before.plain;
          totals[variant].tls += after.tls - before.tls;
        }
        for (let round = 0; round < options.rounds; round++) {
          // Alternate which goes first, so a change in the machine's load falls on both alike.
          const order = round % 2 === 0 ? (['sdk', 'app'] as const) : (['app', 'sdk'] as const);
          for (const variant of order) {
            const op = variants[variant][o];
            if (op === undefined) continue;
            const slice = keys(perRound);
            const before = connectionCounts();
            const profile = options.cpuProfile !== undefined && round === 0 ? await startCpuProfile() : undefined;
            const wallStart = process.hrtime.bigint();
            const cpuStart = process.cpuUsage();
            await mapLimit(slice, limit, (i) => op.call(i));
            const cpu = process.cpuUsage(cpuStart);
            totals[variant].wall += Number(process.hrtime.bigint() - wallStart) / 1000;
            totals[variant].cpu += cpu.user + cpu.system;
            if (profile !== undefined && options.cpuProfile !== undefined) {
              const stem = `roundtrip-${stamp(startedAt)}-${op.name.replace(/\W+/g, '-')}-${mode}-${variant}`;
              profiles[stem] = await profile.stop(options.cpuProfile, stem);
            }
            const after = connectionCounts();
            totals[variant].plain += after.plain - before.plain;
            totals[variant].tls += after.tls - before.tls;
          }
        }
        const calls = perRound * options.rounds;
        for (const variant of ['sdk', 'app'] as const) {
          const t = totals[variant];
          rows.push({
            operation: name,
            variant,
            mode,
            calls,
            cpuMicrosPerCall: round(t.cpu / calls),
            wallMicrosPerCall: round(t.wall / calls),
            plainConnections: t.plain,
            tlsConnections: t.tls,
          });
        }
      }
    }

    // What bounds a round trip: the same request with no SDK at all, and the SDK with no network.
    const agent = new http.Agent({ keepAlive: true });
    const tablesUrl = `${new URL(azurite.tableEndpoint).href.replace(/\/$/, '')}/Tables`;
    const rawGet = (): Promise<void> =>
      new Promise((done, fail) => {
        http
          .get(tablesUrl, { agent, headers: { Accept: 'application/json' } }, (res) => {
            res.resume();
            res.once('end', done);
          })
          .once('error', fail);
      });
    const tlsAgent = new https.Agent({ keepAlive: true });
    const sandboxGet = (keepAlive: boolean) => (): Promise<void> =>
      new Promise((done, fail) => {
        https
          .get(
            `${sandbox.url}/_roundtrip`,
            { agent: keepAlive ? tlsAgent : new https.Agent({ keepAlive: false }) },
            (res) => {
              res.resume();
              res.once('end', done);
            },
          )
          .once('error', fail);
      });
    const stubbed = TableClient.fromConnectionString(connectionString, 'rtStub', {
      allowInsecureConnection: true,
      httpClient: cannedTableResponses(),
    });
    const floorOps: { name: string; limit: number; call: (i: number) => Promise<unknown> }[] = [
      { name: 'Node `http.get` alone, keep-alive (Azurite answers 403: no auth)', limit: 1, call: rawGet },
      { name: `Node \`http.get\` alone, ${options.concurrency} at a time`, limit: options.concurrency, call: rawGet },
      { name: 'Node `https.get` alone to the sandbox, keep-alive (404)', limit: 1, call: sandboxGet(true) },
      { name: 'Node `https.get` alone to the sandbox, a new TLS connection each', limit: 1, call: sandboxGet(false) },
      { name: 'SDK alone: getEntity, canned response (no network)', limit: 1, call: () => stubbed.getEntity('p', 'r') },
      {
        name: 'SDK alone: createEntity, canned response',
        limit: 1,
        call: (i) => stubbed.createEntity({ partitionKey: 'p', rowKey: `r${i}`, n: i }),
      },
      {
        name: 'SDK alone: submitTransaction (2 inserts), canned response',
        limit: 1,
        call: (i) =>
          stubbed.submitTransaction([
            ['create', { partitionKey: 'p', rowKey: `a${i}` }],
            ['create', { partitionKey: 'p', rowKey: `b${i}` }],
          ]),
      },
    ];
    for (const op of floorOps) {
      progress(`${op.name} × ${options.calls}`);
      await mapLimit(keys(options.warmup), op.limit, (i) => op.call(i));
      const cpuStart = process.cpuUsage();
      await mapLimit(keys(options.calls), op.limit, (i) => op.call(i));
      const cpu = process.cpuUsage(cpuStart);
      floor.push({ name: op.name, cpuMicrosPerCall: round((cpu.user + cpu.system) / options.calls) });
    }
    agent.destroy();
    tlsAgent.destroy();
  } finally {
    await sandbox.close();
    await azurite.stop();
  }
  const report = {
    date: startedAt.toISOString(),
    machine: machine(),
    commit: commit(),
    loadAverage,
    command: `node dist/bench/roundTrip.js ${process.argv.slice(2).join(' ')}`.trim(),
    options,
    rows,
    floor,
    connections: connectionCounts(),
    profiles: Object.fromEntries(
      Object.entries(profiles).map(([stem, p]) => [stem, { file: p.file, areas: p.areas, top: p.topFunctions }]),
    ),
  };
  const markdown = toMarkdown(report);
  console.log(markdown);
  const dir = resolve(options.out);
  await mkdir(dir, { recursive: true });
  const stem = `roundtrip-${stamp(startedAt)}`;
  await writeFile(join(dir, `${stem}.md`), markdown);
  await writeFile(join(dir, `${stem}.json`), `${JSON.stringify(report, null, 2)}\n`);
  progress(`wrote ${join(options.out, stem)}.md and .json`);
}

function toMarkdown(r: {
  date: string;
  machine: ReturnType<typeof machine>;
  commit: string;
  command: string;
  loadAverage: number[];
  options: Options;
  rows: Row[];
  floor: { name: string; cpuMicrosPerCall: number }[];
}): string {
  const lines = [
    `# Round-trip cost — ${r.date}`,
    '',
    `Commit ${r.commit}; ${r.machine.cores} × ${r.machine.cpu}, Node ${r.machine.node}; load average at the start ${r.loadAverage.map((x) => x.toFixed(2)).join(' ')}.`,
    `Command: \`${r.command}\`. Azurite and the sandbox in processes of their own; CPU is this process's (user + system) over the timed calls.`,
    '',
    '| operation | mode | CPU µs/call sdk | CPU µs/call app | app / sdk | wall µs/call sdk | wall µs/call app | connections sdk | connections app |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of r.rows.filter((x) => x.variant === 'app')) {
    const sdk = r.rows.find((x) => x.variant === 'sdk' && x.operation === row.operation && x.mode === row.mode);
    if (sdk === undefined) continue;
    const conn = (x: Row) => `${x.plainConnections} plain, ${x.tlsConnections} TLS`;
    lines.push(
      `| ${row.operation} | ${row.mode === 'sequential' ? 'sequential' : `${r.options.concurrency} at a time`} | ${sdk.cpuMicrosPerCall} | ${row.cpuMicrosPerCall} | ${round(row.cpuMicrosPerCall / sdk.cpuMicrosPerCall, 2)} | ${sdk.wallMicrosPerCall} | ${row.wallMicrosPerCall} | ${conn(sdk)} | ${conn(row)} |`,
    );
  }
  lines.push(
    '',
    'What bounds it: the same kind of round trip without the SDK, and the SDK without the network.',
    '',
    '| what | CPU µs/call |',
    '| --- | ---: |',
    ...r.floor.map((f) => `| ${f.name} | ${f.cpuMicrosPerCall} |`),
  );
  return `${lines.join('\n')}\n`;
}

/**
 * An HttpClient that answers every table request at once with a canned success (an entity for a
 * GET, 201 for an insert, a one-changeset 202 for a batch): the SDK's own CPU per call, no network.
 */
function cannedTableResponses(): HttpClient {
  const entity = JSON.stringify({ PartitionKey: 'p', RowKey: 'r', Timestamp: '2026-01-01T00:00:00Z', n: 1 });
  const batch = [
    '--batchresponse_1',
    'Content-Type: multipart/mixed; boundary=changesetresponse_2',
    '',
    '--changesetresponse_2',
    'Content-Type: application/http',
    '',
    'HTTP/1.1 204 No Content',
    'ETag: W/"x"',
    '',
    '--changesetresponse_2--',
    '--batchresponse_1--',
  ].join('\r\n');
  return {
    sendRequest: async (request) => {
      const isBatch = request.url.endsWith('$batch');
      const status = isBatch ? 202 : request.method === 'POST' ? 201 : 200;
      const contentType = isBatch ? 'multipart/mixed; boundary=batchresponse_1' : 'application/json';
      return {
        status,
        request,
        headers: createHttpHeaders({ 'content-type': contentType, etag: 'W/"x"' }),
        bodyAsText: isBatch ? batch : entity,
      };
    },
  };
}

function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

runBenchCommand({ schema: optionsSchema, usage: USAGE, run: bench });
