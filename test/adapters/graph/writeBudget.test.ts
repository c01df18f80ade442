import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WRITE_BUDGET,
  GRAPH_IDENTITY_WRITE_LIMITS,
  GraphWriteBudget,
  type WriteBudgetClock,
} from '../../../src/adapters/graph/writeBudget';

/** A clock the test moves by hand; scheduled callbacks run when time passes them. */
class ManualClock implements WriteBudgetClock {
  time = 0;
  private readonly timers: { at: number; callback: () => void }[] = [];
  now(): number {
    return this.time;
  }
  schedule(ms: number, callback: () => void): void {
    this.timers.push({ at: this.time + ms, callback });
  }
  async advance(ms: number): Promise<void> {
    this.time += ms;
    for (const timer of this.timers.filter((t) => t.at <= this.time)) {
      this.timers.splice(this.timers.indexOf(timer), 1);
      timer.callback();
    }
    await flush();
  }
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

function track(promise: Promise<void>, log: string[], name: string): void {
  void promise.then(() => log.push(name));
}

const limits = {
  perTenant: { writes: 10, windowMs: 1000 },
  perApp: { writes: 15, windowMs: 1000 },
  revocationReserve: 0.2,
};

describe('GraphWriteBudget', () => {
  it('stays under Graph’s published identity budgets by default', () => {
    expect(DEFAULT_WRITE_BUDGET.perTenant.writes).toBeLessThan(GRAPH_IDENTITY_WRITE_LIMITS.perTenant.writes);
    expect(DEFAULT_WRITE_BUDGET.perApp.writes).toBeLessThan(GRAPH_IDENTITY_WRITE_LIMITS.perApp.writes);
    expect(DEFAULT_WRITE_BUDGET.perTenant.windowMs).toBe(150_000);
    expect(DEFAULT_WRITE_BUDGET.perApp.windowMs).toBe(300_000);
  });

  it('lets normal writes use the window up to the reserve, and revocations all of it', async () => {
    const clock = new ManualClock();
    const budget = new GraphWriteBudget(limits, clock);
    const log: string[] = [];
    for (let i = 0; i < 10; i++) track(budget.acquire('a', 'normal'), log, `n${i}`);
    await flush();
    expect(log).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7']); // 80% of 10
    for (let i = 0; i < 3; i++) track(budget.acquire('a', 'revocation'), log, `r${i}`);
    await flush();
    expect(log.slice(8)).toEqual(['r0', 'r1']); // the reserve goes to revocations
    expect(budget.queued).toBe(3);
    await clock.advance(1000);
    // The window slid: the waiting revocation goes first, then the normal writes.
    expect(log.slice(10, 13)).toEqual(['r2', 'n8', 'n9']);
    expect(budget.queued).toBe(0);
  });

  it('never grants more than the window allows in any window', async () => {
    const clock = new ManualClock();
    const budget = new GraphWriteBudget(limits, clock);
    const grants: number[] = [];
    for (let i = 0; i < 40; i++)
      void budget.acquire('a', i % 3 === 0 ? 'revocation' : 'normal').then(() => grants.push(clock.now()));
    await flush();
    for (let step = 0; step < 60; step++) await clock.advance(100);
    expect(grants).toHaveLength(40);
    for (const at of grants) expect(grants.filter((g) => g > at - 1000 && g <= at).length).toBeLessThanOrEqual(10);
  });

  it('keeps tenants apart: a full tenant does not hold back another, until the app-wide window is full', async () => {
    const clock = new ManualClock();
    const budget = new GraphWriteBudget(limits, clock);
    const log: string[] = [];
    for (let i = 0; i < 10; i++) track(budget.acquire('busy', 'normal'), log, 'busy');
    await flush();
    expect(log.filter((l) => l === 'busy')).toHaveLength(8);
    for (let i = 0; i < 6; i++) track(budget.acquire('quiet', 'normal'), log, 'quiet');
    await flush();
    // The app-wide window (15, of which 12 for normal writes) is what stops the quiet tenant.
    expect(log.filter((l) => l === 'quiet')).toHaveLength(4);
    track(budget.acquire('quiet', 'revocation'), log, 'quiet-revocation');
    await flush();
    expect(log).toContain('quiet-revocation');
  });

  it('refuses a reserve outside [0, 1)', () => {
    expect(() => new GraphWriteBudget({ ...limits, revocationReserve: 1 })).toThrow(RangeError);
  });
});
