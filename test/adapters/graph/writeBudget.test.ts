import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WRITE_BUDGET,
  GRAPH_IDENTITY_WRITE_LIMITS,
  GraphWriteBudget,
  MAX_NORMAL_WAIT_MS,
  type WriteBudgetClock,
} from '../../../src/adapters/graph/writeBudget';
import { WriteLimitReachedError } from '../../../src/domain/errors';

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
  containmentReserve: 0.1,
};

describe('GraphWriteBudget', () => {
  it('stays under Graph’s published identity budgets by default', () => {
    expect(DEFAULT_WRITE_BUDGET.perTenant.writes).toBeLessThan(GRAPH_IDENTITY_WRITE_LIMITS.perTenant.writes);
    expect(DEFAULT_WRITE_BUDGET.perApp.writes).toBeLessThan(GRAPH_IDENTITY_WRITE_LIMITS.perApp.writes);
    expect(DEFAULT_WRITE_BUDGET.perTenant.windowMs).toBe(150_000);
    expect(DEFAULT_WRITE_BUDGET.perApp.windowMs).toBe(300_000);
  });

  it('lets normal writes use the window up to the revocation reserve, cleanup up to the containment reserve, and containment all of it', async () => {
    const clock = new ManualClock();
    const budget = new GraphWriteBudget(limits, clock);
    const log: string[] = [];
    for (let i = 0; i < 10; i++) track(budget.acquire('a', 'normal'), log, `n${i}`);
    await flush();
    expect(log).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7']); // 80% of 10
    for (let i = 0; i < 3; i++) track(budget.acquire('a', 'revocation'), log, `r${i}`);
    await flush();
    expect(log.slice(8)).toEqual(['r0']); // cleanup up to 90%
    for (let i = 0; i < 2; i++) track(budget.acquire('a', 'containment'), log, `c${i}`);
    await flush();
    expect(log.slice(9)).toEqual(['c0']); // the last write of the window is containment's
    expect(budget.queued).toBe(5);
    await clock.advance(1000);
    // The window slid: containment goes first, then cleanup, then the normal writes.
    expect(log.slice(10)).toEqual(['c1', 'r1', 'r2', 'n8', 'n9']);
    expect(budget.queued).toBe(0);
  });

  it('never queues containment behind cleanup: cleanup that would wait long is refused, containment waits its turn', async () => {
    const clock = new ManualClock();
    const slow = { ...limits, perTenant: { writes: 10, windowMs: 60_000 } };
    const budget = new GraphWriteBudget(slow, clock);
    for (let i = 0; i < 9; i++) await budget.acquire('a', 'revocation'); // cleanup's share, at time 0
    await clock.advance(1_000);
    const refused = await budget.acquire('a', 'revocation').then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(WriteLimitReachedError);
    expect((refused as WriteLimitReachedError).message).toContain('revocation cleanup');
    expect((refused as WriteLimitReachedError).retryAfterMs).toBe(59_000);
    expect(budget.queued).toBe(0);
    await budget.acquire('a', 'containment'); // the containment reserve is there at once
    const log: string[] = [];
    track(budget.acquire('a', 'containment'), log, 'c');
    // Cleanup asked for meanwhile never holds its caller for the window: refused at once.
    await expect(budget.acquire('a', 'revocation')).rejects.toBeInstanceOf(WriteLimitReachedError);
    await clock.advance(58_000); // the first grants leave the window at 60 s
    expect(log).toEqual([]);
    expect(budget.queued).toBe(1);
    await clock.advance(1_000);
    expect(log).toEqual(['c']);
  });

  it('grants the writes of one batch together or not at all', async () => {
    const clock = new ManualClock();
    const slow = { ...limits, perTenant: { writes: 10, windowMs: 60_000 } };
    const budget = new GraphWriteBudget(slow, clock);
    for (let i = 0; i < 6; i++) await budget.acquire('a', 'normal');
    const refused = await budget.acquire('a', 'normal', 3).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(WriteLimitReachedError);
    // None of the three was taken: two single writes still fit in the normal share.
    await budget.acquire('a', 'normal');
    await budget.acquire('a', 'normal');
    await budget.acquire('a', 'containment', 2);
    expect(budget.queued).toBe(0);
  });

  it('never grants more than the window allows in any window', async () => {
    const clock = new ManualClock();
    // Normal writes here wait as long as it takes (the refusal of long waits is tested below).
    const budget = new GraphWriteBudget(limits, clock, Infinity);
    const grants: number[] = [];
    for (let i = 0; i < 40; i++)
      void budget
        .acquire('a', (['containment', 'revocation', 'normal'] as const)[i % 3] ?? 'normal')
        .then(() => grants.push(clock.now()));
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

  it('refuses a normal write that would wait past the bound, saying when to try again; containment still waits', async () => {
    const clock = new ManualClock();
    const slow = { ...limits, perTenant: { writes: 10, windowMs: 60_000 } };
    const budget = new GraphWriteBudget(slow, clock);
    for (let i = 0; i < 8; i++) await budget.acquire('a', 'normal'); // the normal share, at time 0
    await clock.advance(5_000);
    // Room for a normal write comes back when the first grant leaves the window: 55 s from now.
    const refused = await budget.acquire('a', 'normal').then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(WriteLimitReachedError);
    expect((refused as WriteLimitReachedError).retryAfterMs).toBe(55_000);
    expect(budget.queued).toBe(0); // refused at once: nothing holds the caller
    // Another tenant is not affected, and revocations in the full tenant use the reserve.
    await budget.acquire('b', 'normal');
    await budget.acquire('a', 'revocation');
    await budget.acquire('a', 'containment');
    // The window is full even for containment: the next one waits for room instead of failing.
    const log: string[] = [];
    track(budget.acquire('a', 'containment'), log, 'c');
    await clock.advance(50_000);
    expect(log).toEqual([]);
    expect(budget.queued).toBe(1);
    await clock.advance(5_000);
    expect(log).toEqual(['c']);
  });

  it('keeps room for the disables of leases expiring within the window, beyond the fixed containment reserve', async () => {
    const clock = new ManualClock();
    const budget = new GraphWriteBudget({ ...limits, perTenant: { writes: 10, windowMs: 60_000 } }, clock);
    const refusal = (priority: 'revocation' | 'normal') =>
      budget.acquire('a', priority).then(
        () => null,
        (error: unknown) => error,
      );
    // Five leases provisioned here expire at 10 s: each will need a disable then.
    for (let i = 0; i < 5; i++) budget.expectContainment('a', 10_000);
    // Other leases' cleanup goes out up to the room those five need (5 of 10), not to the fixed
    // reserve's 9; provisioning neither.
    for (let i = 0; i < 5; i++) await budget.acquire('a', 'revocation');
    expect(await refusal('revocation')).toBeInstanceOf(WriteLimitReachedError);
    expect(await refusal('normal')).toBeInstanceOf(WriteLimitReachedError);
    // At 10 s the five expire together: all five disabled at once, none waits for the window.
    await clock.advance(10_000);
    const log: string[] = [];
    for (let i = 0; i < 5; i++) track(budget.acquire('a', 'containment'), log, `disable ${i}`);
    await flush();
    expect(log).toHaveLength(5);
    expect(budget.queued).toBe(0);
  });

  it('lets go of room kept for a disable not seen here a minute after its expiry (another instance did it)', async () => {
    const clock = new ManualClock();
    const budget = new GraphWriteBudget({ ...limits, perTenant: { writes: 10, windowMs: 600_000 } }, clock);
    for (let i = 0; i < 5; i++) budget.expectContainment('a', 10_000);
    for (let i = 0; i < 5; i++) await budget.acquire('a', 'revocation');
    await clock.advance(69_000);
    await expect(budget.acquire('a', 'revocation')).rejects.toBeInstanceOf(WriteLimitReachedError);
    await clock.advance(1_000);
    await budget.acquire('a', 'revocation'); // the fixed reserve again: up to 9
  });

  it('tells refused writes to come back one after another as the window frees, not all at the same moment', async () => {
    const clock = new ManualClock();
    const slow = { ...limits, perTenant: { writes: 10, windowMs: 60_000 } };
    const budget = new GraphWriteBudget(slow, clock);
    // The normal share (8) used at 0, 1, … 7 s: room comes back one write per second from 60 s.
    for (let i = 0; i < 8; i++) {
      await budget.acquire('a', 'normal');
      await clock.advance(1_000);
    }
    const retryAfter = async (): Promise<number> => {
      const refused = await budget.acquire('a', 'normal').then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(WriteLimitReachedError);
      return (refused as WriteLimitReachedError).retryAfterMs;
    };
    const told: number[] = [];
    for (let i = 0; i < 4; i++) told.push(await retryAfter());
    // Now is 8 s: the first refused is told 52 s (when the write of 0 s leaves), the next ones the
    // following slots; two told the same moment would both come back and one be refused again.
    expect(told).toEqual([52_000, 53_000, 54_000, 55_000]);
    // The first comes back at 60 s and takes its slot; the next refused goes after the three still
    // promised (61, 62, 63 s): 64 s.
    await clock.advance(52_000);
    await budget.acquire('a', 'normal');
    expect(await retryAfter()).toBe(4_000);
  });

  it('lets a normal write wait in place for room due within the bound, and refuses it once the bound has passed', async () => {
    const clock = new ManualClock();
    const budget = new GraphWriteBudget(limits, clock); // 1 s windows: room is always due within the bound
    for (let i = 0; i < 8; i++) await budget.acquire('a', 'normal');
    const log: string[] = [];
    track(budget.acquire('a', 'normal'), log, 'n');
    await flush();
    expect(log).toEqual([]);
    await clock.advance(1000);
    expect(log).toEqual(['n']); // waited 1 s in place
    await clock.advance(1000);

    // Containment keeps taking each new window before it: refused when its bound has passed.
    for (let i = 0; i < 10; i++) void budget.acquire('a', 'containment');
    let outcome = 'waiting';
    void budget.acquire('a', 'normal').then(
      () => (outcome = 'granted'),
      (error: unknown) =>
        (outcome = error instanceof WriteLimitReachedError ? `refused ${error.retryAfterMs}` : 'other'),
    );
    for (let i = 0; i < 20; i++) void budget.acquire('a', 'containment');
    await flush();
    await clock.advance(1000);
    expect(outcome).toBe('waiting');
    await clock.advance(MAX_NORMAL_WAIT_MS - 1000);
    expect(outcome).toBe('refused 1000');
  });

  it('refuses a reserve outside [0, 1), and a containment reserve larger than the revocation reserve', () => {
    expect(() => new GraphWriteBudget({ ...limits, revocationReserve: 1 })).toThrow(RangeError);
    expect(() => new GraphWriteBudget({ ...limits, containmentReserve: 0.3 })).toThrow(RangeError);
  });
});
