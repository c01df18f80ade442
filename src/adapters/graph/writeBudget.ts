import { GraphClientError, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { WriteLimitReachedError } from '../../domain/errors';

/**
 * Client-side limits that keep Graph writes inside Microsoft's published identity budgets, so one
 * busy customer cannot get the whole app throttled, and an expired lease's account is disabled
 * before anything else is written.
 *
 * Graph allows an app 3,000 identity writes per 2.5 minutes in one tenant and 35,000 per 5 minutes
 * across all tenants ("Microsoft Graph service-specific throttling limits", identity and access).
 * We stay below both (90%) and serve three priorities, each with its own share of every window:
 * - containment: what stops access at once (an account's disable, an elevation's role removals);
 *   it may use the whole window and always goes first;
 * - revocation: a revocation's cleanup once the account is disabled (sessions, password, roles,
 *   groups, passes); it may use the window up to the containment reserve;
 * - normal: provisioning and everything else, up to the revocation reserve.
 * A write never goes before a higher-priority one still waiting for the same tenant. Tenants are
 * independent: a full window in one tenant does not hold back writes to another (only the app-wide
 * window is shared).
 *
 * Only a short wait happens in place: a normal or cleanup write that would wait longer than
 * MAX_NORMAL_WAIT_MS is refused at once with a WriteLimitReachedError saying when to try again, so
 * that activities waiting for the window do not hold the host's activity slots
 * (maxConcurrentActivityFunctions) that other leases' containment needs; the orchestration calls
 * them again after a durable timer. Containment always waits: it must complete, and the window's
 * last share is kept for it.
 */
export type GraphPriority = 'containment' | 'revocation' | 'normal';

/** Lower goes first. */
const RANK: Readonly<Record<GraphPriority, number>> = { containment: 0, revocation: 1, normal: 2 };

export interface WriteWindow {
  readonly writes: number;
  readonly windowMs: number;
}

export interface WriteBudgetLimits {
  readonly perTenant: WriteWindow;
  readonly perApp: WriteWindow;
  /** Share (0..1) of each window that only revocations (containment and cleanup) may use. */
  readonly revocationReserve: number;
  /** Share (0..revocationReserve) of each window that only containment may use. */
  readonly containmentReserve: number;
}

/**
 * The longest a normal or cleanup write waits for room inside its activity. Long enough to ride
 * out a brief burst, short enough that a full window never ties up activity slots: a longer wait
 * is handed back to the orchestration as a durable timer.
 */
export const MAX_NORMAL_WAIT_MS = 2_000;

/**
 * How long after a lease's expiry the room kept for its disable is held when no containment write
 * was seen here (another instance revoked it, or it was revoked early): then it is let go.
 */
const CONTAINMENT_EXPECTED_GRACE_MS = 60_000;

/** The shortest wait a refused write is told to take (a retry sooner would just be refused again). */
const MIN_RETRY_AFTER_MS = 1_000;

/** Microsoft's published identity write limits per app. */
export const GRAPH_IDENTITY_WRITE_LIMITS = {
  perTenant: { writes: 3000, windowMs: 150_000 },
  perApp: { writes: 35_000, windowMs: 300_000 },
} as const;

export const DEFAULT_WRITE_BUDGET: WriteBudgetLimits = {
  perTenant: {
    writes: Math.floor(GRAPH_IDENTITY_WRITE_LIMITS.perTenant.writes * 0.9),
    windowMs: GRAPH_IDENTITY_WRITE_LIMITS.perTenant.windowMs,
  },
  perApp: {
    writes: Math.floor(GRAPH_IDENTITY_WRITE_LIMITS.perApp.writes * 0.9),
    windowMs: GRAPH_IDENTITY_WRITE_LIMITS.perApp.windowMs,
  },
  revocationReserve: 0.2,
  // 270 disables per 2.5 minutes in a tenant (one instance) whatever cleanup and provisioning use.
  containmentReserve: 0.1,
};

/**
 * The share of Graph's limits that one process may use when up to `instances` processes run at
 * once (Flex Consumption scales out to the plan's maximumInstanceCount, and Graph counts the app's
 * writes across all of them): each window's writes divided by `instances`, rounded down, so that
 * `instances` such budgets together never exceed `base`. Refuses a split that would leave normal
 * writes no room at all next to the revocation reserve.
 */
export function writeBudgetForInstances(
  instances: number,
  base: WriteBudgetLimits = DEFAULT_WRITE_BUDGET,
): WriteBudgetLimits {
  if (!Number.isInteger(instances) || instances < 1)
    throw new RangeError(`instances must be a whole number of at least 1, got ${instances}`);
  const share = (window: WriteWindow): WriteWindow => {
    const writes = Math.floor(window.writes / instances);
    if (Math.floor(writes * (1 - base.revocationReserve)) < 1) {
      throw new RangeError(
        `${window.writes} writes per ${window.windowMs} ms split over ${instances} instances leave no room for normal writes`,
      );
    }
    return { writes, windowMs: window.windowMs };
  };
  return { ...base, perTenant: share(base.perTenant), perApp: share(base.perApp) };
}

/** Timestamps of the writes granted in the last window (oldest first). */
class SlidingWindow {
  private readonly granted: number[] = [];
  private promised: { at: number; writes: number }[] = [];

  constructor(readonly limit: WriteWindow) {}

  used(now: number): number {
    while (this.granted.length > 0 && (this.granted[0] ?? 0) <= now - this.limit.windowMs) this.granted.shift();
    return this.granted.length;
  }

  /** Whether `writes` more fit under `cap` now (a request larger than `cap` needs the window empty). */
  hasRoom(now: number, cap: number, writes: number): boolean {
    return this.used(now) + Math.min(writes, cap) <= cap;
  }

  /** When the oldest grant leaves the window. */
  nextRoomAt(): number {
    return (this.granted[0] ?? 0) + this.limit.windowMs;
  }

  /**
   * When enough grants have left the window for `writes` more under `cap` (now if there is room),
   * after `ahead` writes promised to others first. Past the grants in this window, each further
   * `cap` writes take one more window.
   */
  roomAt(now: number, cap: number, writes: number, ahead = 0): number {
    const used = this.used(now);
    const over = used + ahead + Math.min(writes, cap) - cap;
    if (over <= 0) return now;
    if (over <= this.granted.length) return (this.granted[over - 1] ?? now) + this.limit.windowMs;
    const last = this.granted[this.granted.length - 1] ?? now;
    return Math.max(now, last) + this.limit.windowMs * Math.ceil((over - this.granted.length) / cap);
  }

  /**
   * Writes refused and told to come back at `at`: refusals after them are told a later time, so
   * the callers come back one window slot after another instead of all at once (and all refused
   * again but one).
   */
  promise(at: number, writes: number): void {
    this.promised.push({ at, writes });
  }

  /** Writes promised to refused callers who are not due back yet. */
  promisedAfter(now: number): number {
    this.promised = this.promised.filter((p) => p.at > now);
    return this.promised.reduce((sum, p) => sum + p.writes, 0);
  }

  record(now: number, writes: number): void {
    for (let i = 0; i < writes; i++) this.granted.push(now);
  }
}

interface Waiter {
  readonly tenantId: string;
  readonly priority: GraphPriority;
  /** Granted together or not at all (the writes of one $batch). */
  readonly writes: number;
  readonly grant: () => void;
  readonly refuse: (error: WriteLimitReachedError) => void;
  /** A normal or cleanup write waits no later than this; containment has no limit (Infinity). */
  readonly giveUpAt: number;
}

export interface WriteBudgetClock {
  now(): number;
  /** Calls back after `ms`; must not keep the process alive (unref). */
  schedule(ms: number, callback: () => void): void;
}

const realClock: WriteBudgetClock = {
  now: () => Date.now(),
  schedule: (ms, callback) => {
    setTimeout(callback, ms).unref();
  },
};

export class GraphWriteBudget {
  private readonly app: SlidingWindow;
  private readonly tenants = new Map<string, SlidingWindow>();
  private readonly waiting: Waiter[] = [];
  private wakeAt: number | null = null;
  /** When leases provisioned here expire, by tenant (sorted): each will need a containment write then. */
  private readonly expiries = new Map<string, number[]>();
  /** The same, all tenants together (sorted), for the app-wide window. */
  private readonly allExpiries: number[] = [];

  constructor(
    readonly limits: WriteBudgetLimits = DEFAULT_WRITE_BUDGET,
    private readonly clock: WriteBudgetClock = realClock,
    private readonly maxNormalWaitMs: number = MAX_NORMAL_WAIT_MS,
  ) {
    if (!(limits.revocationReserve >= 0 && limits.revocationReserve < 1))
      throw new RangeError('revocationReserve must be in [0, 1)');
    if (!(limits.containmentReserve >= 0 && limits.containmentReserve <= limits.revocationReserve))
      throw new RangeError('containmentReserve must be in [0, revocationReserve]');
    this.app = new SlidingWindow(limits.perApp);
  }

  /**
   * Resolves when `writes` writes to the tenant may go out together; they are counted from then. A
   * normal or cleanup write that would wait longer than maxNormalWaitMs rejects instead, with a
   * WriteLimitReachedError carrying when room is expected; containment waits as long as it takes.
   */
  acquire(tenantId: string, priority: GraphPriority, writes = 1): Promise<void> {
    return new Promise((resolve, reject) => {
      const giveUpAt = priority === 'containment' ? Infinity : this.clock.now() + this.maxNormalWaitMs;
      this.waiting.push({ tenantId, priority, writes, grant: resolve, refuse: reject, giveUpAt });
      this.pump();
    });
  }

  /**
   * A lease provisioned here will need a containment write at `at` (its expiry). From one window
   * before then until that write (or CONTAINMENT_EXPECTED_GRACE_MS after `at`, when another instance
   * may have done it), cleanup and other writes leave room for it: leases expiring together are
   * disabled at once even when more of them expire than the fixed containment reserve holds, and
   * cleanup of the first ones cannot use up the room the last ones' disables need.
   */
  expectContainment(tenantId: string, at: number): void {
    let list = this.expiries.get(tenantId);
    if (list === undefined) {
      list = [];
      this.expiries.set(tenantId, list);
    }
    insertSorted(list, at);
    insertSorted(this.allExpiries, at);
  }

  /** Writes waiting for room (for tests and metrics). */
  get queued(): number {
    return this.waiting.length;
  }

  private tenant(tenantId: string): SlidingWindow {
    let window = this.tenants.get(tenantId);
    if (window === undefined) {
      window = new SlidingWindow(this.limits.perTenant);
      this.tenants.set(tenantId, window);
    }
    return window;
  }

  private cap(window: SlidingWindow, priority: GraphPriority, expectedContainment: number): number {
    if (priority === 'containment') return window.limit.writes;
    const reserve = priority === 'revocation' ? this.limits.containmentReserve : this.limits.revocationReserve;
    const share = Math.floor(window.limit.writes * (1 - reserve));
    // Room kept for the disables of leases expiring within the window (at least one write is left).
    return Math.max(1, Math.min(share, window.limit.writes - expectedContainment));
  }

  /** Expiries due within one window from now and not yet contained (past ones dropped after the grace). */
  private expectedSoon(list: number[] | undefined, now: number, windowMs: number): number {
    if (list === undefined) return 0;
    while (list.length > 0 && (list[0] ?? 0) + CONTAINMENT_EXPECTED_GRACE_MS <= now) list.shift();
    return countBelow(list, now + windowMs);
  }

  /** A containment write went out: the earliest expected one is done. */
  private settleContainment(tenantId: string): void {
    const list = this.expiries.get(tenantId);
    const at = list?.shift();
    if (at === undefined) return;
    const i = this.allExpiries.indexOf(at);
    if (i >= 0) this.allExpiries.splice(i, 1);
    if (list?.length === 0) this.expiries.delete(tenantId);
  }

  /** Grants every waiter that fits, containment first, then cleanup, then the rest, each in arrival order. */
  private pump(): void {
    const now = this.clock.now();
    let earliestRoom = Infinity;
    const order = [...this.waiting].sort((a, b) => RANK[a.priority] - RANK[b.priority]);
    // Per tenant, how many waiters of each rank are still waiting.
    const waitingByRank = new Map<string, number[]>();
    for (const w of order) {
      const counts = waitingByRank.get(w.tenantId) ?? [0, 0, 0];
      counts[RANK[w.priority]] = (counts[RANK[w.priority]] ?? 0) + 1;
      waitingByRank.set(w.tenantId, counts);
    }
    for (const waiter of order) {
      const rank = RANK[waiter.priority];
      const counts = waitingByRank.get(waiter.tenantId) ?? [0, 0, 0];
      // A write never jumps a higher-priority one still waiting for the same tenant.
      const blocked = counts.slice(0, rank).some((n) => n > 0);
      const tenant = this.tenant(waiter.tenantId);
      const tenantCap = this.cap(
        tenant,
        waiter.priority,
        this.expectedSoon(this.expiries.get(waiter.tenantId), now, tenant.limit.windowMs),
      );
      const appCap = this.cap(
        this.app,
        waiter.priority,
        this.expectedSoon(this.allExpiries, now, this.app.limit.windowMs),
      );
      const tenantRoom = tenant.hasRoom(now, tenantCap, waiter.writes);
      const appRoom = this.app.hasRoom(now, appCap, waiter.writes);
      if (!blocked && tenantRoom && appRoom) {
        tenant.record(now, waiter.writes);
        this.app.record(now, waiter.writes);
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        counts[rank] = (counts[rank] ?? 1) - 1;
        if (waiter.priority === 'containment') this.settleContainment(waiter.tenantId);
        waiter.grant();
        continue;
      }
      if (waiter.giveUpAt !== Infinity) {
        // When this write could go out at the earliest, after the writes of callers already told
        // to come back (later still if others are ahead of it).
        const roomAt = Math.max(
          tenant.roomAt(now, tenantCap, waiter.writes, tenant.promisedAfter(now)),
          this.app.roomAt(now, appCap, waiter.writes, this.app.promisedAfter(now)),
        );
        if (roomAt > waiter.giveUpAt || now >= waiter.giveUpAt) {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          counts[rank] = (counts[rank] ?? 1) - 1;
          const retryAfterMs = Math.max(MIN_RETRY_AFTER_MS, roomAt - now);
          tenant.promise(now + retryAfterMs, waiter.writes);
          this.app.promise(now + retryAfterMs, waiter.writes);
          const what = waiter.priority === 'revocation' ? 'revocation cleanup' : 'provisioning';
          waiter.refuse(
            new WriteLimitReachedError(
              `the app's Graph write limit for tenant ${waiter.tenantId} is used up; ${what} writes may resume in about ${Math.ceil(retryAfterMs / 1000)} s`,
              retryAfterMs,
            ),
          );
          continue;
        }
        earliestRoom = Math.min(earliestRoom, waiter.giveUpAt);
      }
      if (!tenantRoom) earliestRoom = Math.min(earliestRoom, tenant.nextRoomAt());
      if (!appRoom) earliestRoom = Math.min(earliestRoom, this.app.nextRoomAt());
    }
    if (this.waiting.length === 0 || earliestRoom === Infinity) return;
    if (this.wakeAt !== null && this.wakeAt <= earliestRoom) return;
    this.wakeAt = earliestRoom;
    this.clock.schedule(Math.max(0, earliestRoom - now), () => {
      this.wakeAt = null;
      this.pump();
    });
  }
}

/**
 * Graph client middleware that takes a write from the budget before any non-GET request leaves,
 * retries included (Graph counts every attempt), and one per write inside a JSON $batch (Graph
 * counts each item; a batch of reads takes none), all of a batch's at once: a batch refused for
 * want of room has used none. Placed right before the HTTP handler.
 */
export class WriteBudgetMiddleware implements Middleware {
  private next: Middleware | undefined;

  constructor(
    private readonly budget: GraphWriteBudget,
    private readonly tenantId: string,
    private readonly priority: GraphPriority,
  ) {}

  async execute(context: Context): Promise<void> {
    try {
      const writes = writesIn(context);
      if (writes > 0) await this.budget.acquire(this.tenantId, this.priority, writes);
    } catch (error) {
      // The Graph client turns anything but a GraphClientError thrown in its chain into a GraphError
      // without the original; wrapped, ours comes out unchanged for GraphApi to unwrap.
      if (error instanceof WriteLimitReachedError) throw new WriteLimitPassThrough(error);
      throw error;
    }
    if (this.next === undefined) throw new Error('WriteBudgetMiddleware must not be last in the chain');
    await this.next.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** Carries a WriteLimitReachedError through the Graph client's request handling (see writeLimitReachedIn). */
class WriteLimitPassThrough extends GraphClientError {
  constructor(readonly refusal: WriteLimitReachedError) {
    super(refusal.message);
  }
}

/** The budget's refusal that `error` (thrown by a Graph client call) carries, if it is one. */
export function writeLimitReachedIn(error: unknown): WriteLimitReachedError | undefined {
  if (error instanceof WriteLimitReachedError) return error;
  if (error instanceof GraphClientError && 'refusal' in error && error.refusal instanceof WriteLimitReachedError)
    return error.refusal;
  return undefined;
}

/** How many Graph writes a request makes: none for a read, one per non-GET item of a $batch. */
export function writesIn(context: Pick<Context, 'request' | 'options'>): number {
  const method = (context.options?.method ?? 'GET').toUpperCase();
  if (method === 'GET' || method === 'HEAD') return 0;
  const request: unknown = context.request;
  const url = typeof request === 'string' ? request : request instanceof Request ? request.url : '';
  if (!/\/\$batch(?:\?|$)/.test(url)) return 1;
  const body = context.options?.body;
  try {
    const parsed = JSON.parse(typeof body === 'string' ? body : '') as { requests?: { method?: string }[] };
    return (parsed.requests ?? []).filter((item) => (item.method ?? 'GET').toUpperCase() !== 'GET').length;
  } catch {
    // A batch whose body we cannot read: count it as one write rather than none.
    return 1;
  }
}

function insertSorted(list: number[], value: number): void {
  list.splice(countBelow(list, value + 1), 0, value);
}

/** How many values of the sorted list are below `limit` (binary search). */
function countBelow(list: readonly number[], limit: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] ?? 0) < limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
