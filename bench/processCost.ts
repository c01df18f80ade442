import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sleep } from './http';

/**
 * What the app's process costs while the benchmark runs: CPU time from `process.cpuUsage()`
 * (user + system, every thread of the process) and resident memory, sampled every `periodMs` so
 * that the CPU spent in any window of the run can be read afterwards (linear between samples), and
 * the peak resident set from the kernel (`process.resourceUsage().maxRSS`, the whole life of the
 * process). Sampling costs one system call per period: nothing next to the work measured.
 */
interface Sample {
  readonly at: number;
  readonly cpuMicros: number;
  readonly rssBytes: number;
}

export class ProcessSampler {
  private readonly samples: Sample[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(periodMs = 100) {
    this.sample();
    this.timer = setInterval(() => this.sample(), periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  /** CPU milliseconds the process used between two moments (epoch ms) of the sampled span. */
  cpuMsBetween(from: number, to: number): number {
    return Math.max(0, (this.cpuMicrosAt(to) - this.cpuMicrosAt(from)) / 1000);
  }

  /** Highest resident set sampled between two moments, in MiB. */
  peakRssMiBBetween(from: number, to: number): number {
    let peak = 0;
    for (const s of this.samples) if (s.at >= from && s.at <= to) peak = Math.max(peak, s.rssBytes);
    return mib(peak);
  }

  private sample(): void {
    const cpu = process.cpuUsage();
    this.samples.push({ at: Date.now(), cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() });
  }

  private cpuMicrosAt(at: number): number {
    const first = this.samples[0];
    if (first === undefined || at <= first.at) return first?.cpuMicros ?? 0;
    for (let i = 1; i < this.samples.length; i++) {
      const b = this.samples[i] as Sample;
      if (at > b.at) continue;
      const a = this.samples[i - 1] as Sample;
      return b.at === a.at ? b.cpuMicros : a.cpuMicros + ((b.cpuMicros - a.cpuMicros) * (at - a.at)) / (b.at - a.at);
    }
    return this.samples[this.samples.length - 1]?.cpuMicros ?? 0;
  }
}

/** Peak resident set of this process over its whole life, in MiB (the kernel's high-water mark). */
export function lifetimePeakRssMiB(): number {
  return mib(process.resourceUsage().maxRSS * 1024);
}

/**
 * CPU the process burns with nothing asked of it (the local host's and runner's timers and polling,
 * the sampler itself), in CPU milliseconds per wall second, measured over `seconds`.
 */
export async function measureIdleCpu(seconds: number): Promise<{ seconds: number; cpuMsPerSecond: number }> {
  const before = process.cpuUsage();
  const started = Date.now();
  await sleep(seconds * 1000);
  const used = process.cpuUsage(before);
  const wall = (Date.now() - started) / 1000;
  return { seconds: wall, cpuMsPerSecond: round((used.user + used.system) / 1000 / wall) };
}

/**
 * CPU time of another process (the sandbox child), from Linux's `/proc/<pid>/stat` (utime + stime,
 * in clock ticks); null where there is no /proc or the process is gone.
 */
export function otherProcessCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
    return ((utime + stime) * 1000) / clockTicksPerSecond();
  } catch {
    return null;
  }
}

let ticks: number | undefined;
function clockTicksPerSecond(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

const mib = (bytes: number): number => Math.round((bytes / 1024 ** 2) * 10) / 10;
const round = (n: number): number => Math.round(n * 100) / 100;
