import type { CpuProfileSummary } from './cpuProfile';
import type { LifecycleTimeline } from './lifecycle';
import type { ProcessSampler } from './processCost';

/**
 * The app's process alone during the lease lifecycle: the sandbox runs in a child process and
 * Azurite in another, so this process holds the app (the compiled function app), the local
 * Functions host, the local Durable runner and the benchmark's own client (its POSTs, credential
 * reveals, the directory poll and the log tap). Its CPU is read in four consecutive phases of the
 * run, bounded by what the benchmark saw happen:
 *
 * - submission: the first POST /requests → the last one answered;
 * - activation: → the last lease logged `active`;
 * - hold: → the earliest expiry (nothing for a lease to do but reveal its credential); empty when the
 *   first lease expired before the last one was active;
 * - revocation: → the last lease ended and its account seen disabled.
 *
 * Leases run concurrently, so phases overlap in work: early leases are provisioned while late ones
 * are still being submitted, and early ones are revoked while late ones are still provisioned (the
 * `overlap` counts say how many). Each phase's idle CPU (the idle rate measured before the run, times
 * the phase's length) is subtracted to give its net CPU; per lease divides by accepted leases.
 */
export interface CpuPhase {
  readonly name: 'submission' | 'activation' | 'hold' | 'revocation' | 'whole lifecycle';
  readonly seconds: number;
  readonly cpuMs: number;
  /** The idle rate times this phase's length. */
  readonly idleCpuMs: number;
  readonly netCpuMs: number;
  readonly netCpuMsPerLease: number;
}

export interface AppProcessFigures {
  readonly idle: { readonly seconds: number; readonly cpuMsPerSecond: number };
  readonly phases: readonly CpuPhase[];
  readonly whole: CpuPhase;
  readonly overlap: { readonly activatedBeforeLastAnswered: number; readonly endedBeforeLastActive: number };
  /** Highest resident set sampled during the lifecycle, and the process's high-water mark over its whole life. */
  readonly peakRssMiB: number;
  readonly lifetimePeakRssMiB: number;
  /** CPU the sandbox's process used over the lifecycle (null where it cannot be read, or in-process). */
  readonly sandboxCpuMs: number | null;
  /** CPU Azurite's process used over the lifecycle (null where it cannot be read). */
  readonly azuriteCpuMs: number | null;
  /** Present with `--cpu-profile`; the profiler's own overhead is then in the CPU figures above. */
  readonly profile: CpuProfileSummary | null;
}

export function appProcessFigures(input: {
  readonly sampler: Pick<ProcessSampler, 'cpuMsBetween' | 'peakRssMiBBetween'>;
  readonly timeline: LifecycleTimeline;
  readonly accepted: number;
  readonly idle: { seconds: number; cpuMsPerSecond: number };
  readonly lifetimePeakRssMiB: number;
  readonly sandboxCpuMs: number | null;
  readonly azuriteCpuMs: number | null;
  readonly profile: CpuProfileSummary | null;
}): AppProcessFigures {
  const t = input.timeline;
  const holdEnd = Math.max(t.lastActiveAt, Math.min(t.firstExpiryAt, t.lastDoneAt));
  const phase = (name: CpuPhase['name'], from: number, to: number): CpuPhase => {
    const seconds = Math.max(0, to - from) / 1000;
    const cpuMs = input.sampler.cpuMsBetween(from, to);
    const idleCpuMs = input.idle.cpuMsPerSecond * seconds;
    const netCpuMs = Math.max(0, cpuMs - idleCpuMs);
    return {
      name,
      seconds: round(seconds),
      cpuMs: Math.round(cpuMs),
      idleCpuMs: Math.round(idleCpuMs),
      netCpuMs: Math.round(netCpuMs),
      netCpuMsPerLease: round(netCpuMs / Math.max(1, input.accepted)),
    };
  };
  return {
    idle: input.idle,
    phases: [
      phase('submission', t.startedAt, t.lastAnsweredAt),
      phase('activation', t.lastAnsweredAt, t.lastActiveAt),
      phase('hold', t.lastActiveAt, holdEnd),
      phase('revocation', holdEnd, t.lastDoneAt),
    ],
    whole: phase('whole lifecycle', t.startedAt, t.lastDoneAt),
    overlap: {
      activatedBeforeLastAnswered: t.activatedBeforeLastAnswered,
      endedBeforeLastActive: t.endedBeforeLastActive,
    },
    peakRssMiB: input.sampler.peakRssMiBBetween(t.startedAt, t.lastDoneAt),
    lifetimePeakRssMiB: input.lifetimePeakRssMiB,
    sandboxCpuMs: input.sandboxCpuMs === null ? null : Math.round(input.sandboxCpuMs),
    azuriteCpuMs: input.azuriteCpuMs === null ? null : Math.round(input.azuriteCpuMs),
    profile: input.profile,
  };
}

const round = (n: number): number => Math.round(n * 100) / 100;
