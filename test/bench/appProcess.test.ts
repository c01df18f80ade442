import { describe, expect, it } from 'vitest';
import { appProcessFigures } from '../../bench/appProcess';
import type { LifecycleTimeline } from '../../bench/lifecycle';

/** A process that burns CPU at a steady 500 ms per wall second. */
const steady = {
  cpuMsBetween: (from: number, to: number): number => (to - from) / 2,
  peakRssMiBBetween: (): number => 123,
};

const timeline = (t: Partial<LifecycleTimeline>): LifecycleTimeline => ({
  startedAt: 0,
  lastAnsweredAt: 1_000,
  lastActiveAt: 3_000,
  firstExpiryAt: 6_000,
  lastDoneAt: 8_000,
  activatedBeforeLastAnswered: 0,
  endedBeforeLastActive: 0,
  ...t,
});

const figures = (t: Partial<LifecycleTimeline>) =>
  appProcessFigures({
    sampler: steady,
    timeline: timeline(t),
    accepted: 10,
    idle: { seconds: 3, cpuMsPerSecond: 100 },
    lifetimePeakRssMiB: 200,
    sandboxCpuMs: 42.4,
    azuriteCpuMs: null,
    profile: null,
  });

describe("the app process's CPU by phase (bench/appProcess.ts)", () => {
  it('splits the run at the last 202, the last active and the first expiry, and subtracts the idle rate', () => {
    const f = figures({});
    expect(f.phases.map((p) => [p.name, p.seconds, p.cpuMs, p.idleCpuMs, p.netCpuMs, p.netCpuMsPerLease])).toEqual([
      ['submission', 1, 500, 100, 400, 40],
      ['activation', 2, 1000, 200, 800, 80],
      ['hold', 3, 1500, 300, 1200, 120],
      ['revocation', 2, 1000, 200, 800, 80],
    ]);
    expect(f.whole).toMatchObject({ seconds: 8, cpuMs: 4000, netCpuMs: 3200, netCpuMsPerLease: 320 });
    expect(f.sandboxCpuMs).toBe(42);
  });

  it('leaves the hold empty when the first lease expired before the last one was active', () => {
    const f = figures({ firstExpiryAt: 2_000, endedBeforeLastActive: 3 });
    expect(f.phases.find((p) => p.name === 'hold')?.seconds).toBe(0);
    expect(f.phases.find((p) => p.name === 'revocation')?.seconds).toBe(5);
    expect(f.overlap.endedBeforeLastActive).toBe(3);
  });
});
