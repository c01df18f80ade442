import type { TimerRecord } from './taskHubStore';

/** setTimeout cannot wait longer than ~24.8 days: longer waits are re-armed on the way. */
const MAX_TIMEOUT_MS = 2_000_000_000;

const keyOf = (t: Pick<TimerRecord, 'instanceId' | 'executionId' | 'timerId'>): string =>
  `${t.instanceId}\u0000${t.executionId}\u0000${t.timerId}`;

/**
 * Delivers durable timers promptly: one setTimeout armed for the earliest pending timer (no
 * polling). Timers already due when added (e.g. after a restart) fire at once.
 */
export class TimerScheduler {
  private readonly pending = new Map<string, TimerRecord>();
  private handle: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly onDue: (timer: TimerRecord) => Promise<void>) {}

  add(timer: TimerRecord): void {
    if (this.closed) return;
    this.pending.set(keyOf(timer), timer);
    this.arm();
  }

  remove(timer: Pick<TimerRecord, 'instanceId' | 'executionId' | 'timerId'>): void {
    this.pending.delete(keyOf(timer));
    this.arm();
  }

  removeInstance(instanceId: string): void {
    for (const [key, timer] of this.pending) if (timer.instanceId === instanceId) this.pending.delete(key);
    this.arm();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.handle);
    this.pending.clear();
  }

  private arm(): void {
    clearTimeout(this.handle);
    this.handle = undefined;
    if (this.closed || this.pending.size === 0) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const timer of this.pending.values()) earliest = Math.min(earliest, timer.fireAt.getTime());
    const wait = Math.min(Math.max(0, earliest - Date.now()), MAX_TIMEOUT_MS);
    this.handle = setTimeout(() => this.fireDue(), wait);
  }

  private fireDue(): void {
    const now = Date.now();
    for (const [key, timer] of this.pending) {
      if (timer.fireAt.getTime() > now) continue;
      this.pending.delete(key);
      this.onDue(timer).catch(() => {
        // Delivery failed (storage hiccup): try again shortly.
        setTimeout(() => this.add(timer), 1_000).unref();
      });
    }
    this.arm();
  }
}
