import { GraphClientError, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { WriteLimitReachedError } from '../../domain/errors';

/**
 * Client-side limits that keep Graph writes inside Microsoft's published identity budgets, so one
 * busy customer cannot get the whole app throttled, and revocations go before new provisioning.
 *
 * Graph allows an app 3,000 identity writes per 2.5 minutes in one tenant and 35,000 per 5 minutes
 * across all tenants ("Microsoft Graph service-specific throttling limits", identity and access).
 * We stay below both (90%) and keep a share of each window for revocations: provisioning and other
 * writes wait once the window is used past the reserve; revocations may use all of it, and when
 * both wait, revocations are served first. Tenants are independent: a full window in one tenant
 * does not hold back writes to another (only the app-wide window is shared).
 *
 * Only a short wait happens in place: a normal write that would wait longer than
 * MAX_NORMAL_WAIT_MS is refused at once with a WriteLimitReachedError saying when to try again, so
 * that provisioning activities waiting for the window do not hold the host's activity slots
 * (maxConcurrentActivityFunctions) that revocations need; the orchestration retries them after a
 * durable timer. Revocations always wait: they must complete, and the reserve is theirs.
 */
export type GraphPriority = 'revocation' | 'normal';

export interface WriteWindow {
  readonly writes: number;
  readonly windowMs: number;
}

export interface WriteBudgetLimits {
  readonly perTenant: WriteWindow;
  readonly perApp: WriteWindow;
  /** Share (0..1) of each window that only revocations may use. */
  readonly revocationReserve: number;
}

/**
 * The longest a normal write waits for room inside its activity. Long enough to ride out a brief
 * burst, short enough that a full window never ties up activity slots: a longer wait is handed
 * back to the orchestration as a durable timer.
 */
export const MAX_NORMAL_WAIT_MS = 2_000;

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
  return { perTenant: share(base.perTenant), perApp: share(base.perApp), revocationReserve: base.revocationReserve };
}

/** Timestamps of the writes granted in the last window (oldest first). */
class SlidingWindow {
  private readonly granted: number[] = [];

  constructor(readonly limit: WriteWindow) {}

  used(now: number): number {
    while (this.granted.length > 0 && (this.granted[0] ?? 0) <= now - this.limit.windowMs) this.granted.shift();
    return this.granted.length;
  }

  hasRoom(now: number, cap: number): boolean {
    return this.used(now) < cap;
  }

  /** When the oldest grant leaves the window. */
  nextRoomAt(): number {
    return (this.granted[0] ?? 0) + this.limit.windowMs;
  }

  /** When enough grants have left the window for one more under `cap` (now if there is room). */
  roomAt(now: number, cap: number): number {
    const used = this.used(now);
    if (used < cap) return now;
    return (this.granted[used - cap] ?? now) + this.limit.windowMs;
  }

  record(now: number): void {
    this.granted.push(now);
  }
}

interface Waiter {
  readonly tenantId: string;
  readonly priority: GraphPriority;
  readonly grant: () => void;
  readonly refuse: (error: WriteLimitReachedError) => void;
  /** A normal write waits no later than this; a revocation has no limit (Infinity). */
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

  constructor(
    readonly limits: WriteBudgetLimits = DEFAULT_WRITE_BUDGET,
    private readonly clock: WriteBudgetClock = realClock,
    private readonly maxNormalWaitMs: number = MAX_NORMAL_WAIT_MS,
  ) {
    if (!(limits.revocationReserve >= 0 && limits.revocationReserve < 1))
      throw new RangeError('revocationReserve must be in [0, 1)');
    this.app = new SlidingWindow(limits.perApp);
  }

  /**
   * Resolves when a write to the tenant may go out; the write is counted from then. A normal write
   * that would wait longer than maxNormalWaitMs rejects instead, with a WriteLimitReachedError
   * carrying when room is expected; a revocation waits as long as it takes.
   */
  acquire(tenantId: string, priority: GraphPriority): Promise<void> {
    return new Promise((resolve, reject) => {
      const giveUpAt = priority === 'revocation' ? Infinity : this.clock.now() + this.maxNormalWaitMs;
      this.waiting.push({ tenantId, priority, grant: resolve, refuse: reject, giveUpAt });
      this.pump();
    });
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

  private cap(window: SlidingWindow, priority: GraphPriority): number {
    return priority === 'revocation'
      ? window.limit.writes
      : Math.floor(window.limit.writes * (1 - this.limits.revocationReserve));
  }

  /** Grants every waiter that fits, revocations first, then in arrival order. */
  private pump(): void {
    const now = this.clock.now();
    let earliestRoom = Infinity;
    const order = [
      ...this.waiting.filter((w) => w.priority === 'revocation'),
      ...this.waiting.filter((w) => w.priority !== 'revocation'),
    ];
    const revocationsWaiting = new Map<string, number>();
    for (const w of order)
      if (w.priority === 'revocation')
        revocationsWaiting.set(w.tenantId, (revocationsWaiting.get(w.tenantId) ?? 0) + 1);
    for (const waiter of order) {
      const tenant = this.tenant(waiter.tenantId);
      // A normal write never jumps a revocation still waiting for the same tenant.
      const blockedByRevocation =
        waiter.priority !== 'revocation' && (revocationsWaiting.get(waiter.tenantId) ?? 0) > 0;
      const tenantRoom = tenant.hasRoom(now, this.cap(tenant, waiter.priority));
      const appRoom = this.app.hasRoom(now, this.cap(this.app, waiter.priority));
      if (!blockedByRevocation && tenantRoom && appRoom) {
        tenant.record(now);
        this.app.record(now);
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        if (waiter.priority === 'revocation')
          revocationsWaiting.set(waiter.tenantId, (revocationsWaiting.get(waiter.tenantId) ?? 1) - 1);
        waiter.grant();
        continue;
      }
      if (waiter.priority !== 'revocation') {
        // When this write could go out at the earliest (later still if others are ahead of it).
        const roomAt = Math.max(
          tenant.roomAt(now, this.cap(tenant, waiter.priority)),
          this.app.roomAt(now, this.cap(this.app, waiter.priority)),
        );
        if (roomAt > waiter.giveUpAt || now >= waiter.giveUpAt) {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          const retryAfterMs = Math.max(MIN_RETRY_AFTER_MS, roomAt - now);
          waiter.refuse(
            new WriteLimitReachedError(
              `the app's Graph write limit for tenant ${waiter.tenantId} is used up; provisioning writes may resume in about ${Math.ceil(retryAfterMs / 1000)} s`,
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
 * counts each item; a batch of reads takes none). Placed right before the HTTP handler.
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
      for (let write = writesIn(context); write > 0; write--) await this.budget.acquire(this.tenantId, this.priority);
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
