import { z } from 'zod';

/** `npm run bench -- [--leases 200] [--latency-ms 80] …`: every knob, with the defaults the README quotes. */
export const benchOptionsSchema = z
  .object({
    leases: z.coerce.number().int().min(1).max(5_000).default(200),
    latencyMs: z.coerce.number().int().min(0).max(10_000).default(80),
    /** Each lease's duration (ISO 8601, seconds-long). */
    duration: z
      .string()
      .regex(/^PT\d+S$/, 'must be whole seconds, e.g. PT5S')
      .default('PT5S'),
    /** Connections autocannon keeps open per API benchmark. */
    connections: z.coerce.number().int().min(1).max(1_000).default(20),
    apiSeconds: z.coerce.number().int().min(1).max(600).default(10),
    /** How often the observer reads request and account state (its resolution). */
    pollMs: z.coerce.number().int().min(5).max(1_000).default(25),
    /** Give up on leases not ended after this long. */
    timeoutSeconds: z.coerce.number().int().min(10).max(3_600).default(120),
    out: z.string().min(1).default('bench/results'),
    /** Activities the host runs at a time; default: host.json's maxConcurrentActivityFunctions. */
    maxActivities: z.coerce.number().int().min(1).max(1_000).optional(),
    /** Skip the API throughput part. */
    skipApi: z.coerce.boolean().default(false),
    /** How long the app's process is watched doing nothing, for its idle CPU (subtracted from the lease figures). */
    idleSeconds: z.coerce.number().int().min(1).max(60).default(3),
    /** Record a CPU profile of the app's process during the lifecycle into this folder, and summarise it. */
    cpuProfile: z.string().min(1).optional(),
  })
  .strict();

export type BenchOptions = z.infer<typeof benchOptionsSchema>;

const USAGE = `npm run bench -- [options]
  --leases N          concurrent leases (default 200)
  --latency-ms N      latency the sandbox adds to every Graph and Key Vault call (default 80)
  --duration PTnS     each lease's duration (default PT5S)
  --connections N     autocannon connections for the API benchmarks (default 20)
  --api-seconds N     length of each API benchmark (default 10)
  --poll-ms N         observer period: the resolution of the lifecycle figures (default 25)
  --timeout-seconds N give up on leases not ended by then (default 120)
  --max-activities N  activities run at a time (default: host.json maxConcurrentActivityFunctions)
  --out DIR           where results go (default bench/results)
  --skip-api          lifecycle only
  --idle-seconds N    how long the app's idle CPU is measured before the lifecycle (default 3)
  --cpu-profile DIR   CPU profiles of the app's process during the lifecycle and each API benchmark: DIR/*.cpuprofile, summarised in the report`;

export { USAGE };
