/**
 * A cache of configuration reads in one process, kept correct when several instances of the app
 * run (as Azure scales them out): every write of a tenant, target or rule, by any instance, changes
 * a version that all instances can read (the stores keep it in one row whose ETag changes on each
 * write). Each instance reads that version at most once per `versionCheckIntervalMs` while it
 * serves cached reads, and drops everything it holds when the version moved; its own writes drop
 * its cache at once. So a change is seen by this instance's next read, and by every other instance's
 * reads that start `versionCheckIntervalMs` after the write was answered.
 *
 * Why this order is safe: a writer writes the row, then bumps the version; a reader reads the
 * version, then the rows. A reader that saw the old version may have read the new row (harmless) or
 * the old one, and then its next version read, at most an interval later, sees the bump.
 * A write whose bump failed (the writer crashed between the two) is still seen within `maxAgeMs`,
 * after which everything is read again whatever the version says.
 */
export interface ConfigCacheOptions {
  /** How long a version read is trusted: the bound on another instance's change going unseen. */
  readonly versionCheckIntervalMs: number;
  /** Everything is read again after this long, even when the version did not move. */
  readonly maxAgeMs: number;
  /** Milliseconds of a monotonic clock (tests move it). */
  readonly now?: () => number;
}

/** Another instance's change to tenants, targets or rules is seen by entitlement answers within this. */
export const CONFIG_CACHE_VERSION_CHECK_INTERVAL_MS = 1_000;
/** A backstop for a write whose version bump was lost. */
export const CONFIG_CACHE_MAX_AGE_MS = 60_000;

/** The version before anything was ever written: the version row is absent. */
export type ConfigVersion = string | null;

export class ConfigCache {
  private entries = new Map<string, Promise<unknown>>();
  /** The entries whose load has finished, by value. */
  private settled = new Map<string, unknown>();
  /** undefined: never read yet. */
  private version: ConfigVersion | undefined = undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private filledSince = Number.NEGATIVE_INFINITY;
  /** The version read issued last, until it is answered. Reads are issued one at a time, in order. */
  private reading: Promise<void> | undefined;
  /** The read that goes out when `reading` is answered, shared by every revalidate() that began meanwhile. */
  private nextRead: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly readVersion: () => Promise<ConfigVersion>,
    private readonly options: ConfigCacheOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * The value under `key`, loaded once until the configuration changes. Concurrent misses share
   * one load; a failed load is not kept. Values are frozen: every caller shares them.
   */
  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    await this.ensureFresh();
    const entries = this.entries;
    const existing = entries.get(key);
    if (existing !== undefined) return existing as Promise<T>;
    const loading = load().then(deepFreeze);
    entries.set(key, loading);
    loading.then(
      (value) => {
        if (this.entries === entries && entries.get(key) === loading) this.settled.set(key, value);
      },
      () => {
        if (entries.get(key) === loading) entries.delete(key);
      },
    );
    return loading;
  }

  /** The value under `key` when it is loaded already (and still current); never loads it. */
  async loaded<T>(key: string): Promise<T | undefined> {
    await this.ensureFresh();
    return this.settled.get(key) as T | undefined;
  }

  /**
   * Reads the version now, whatever the interval: the reads that follow see every change answered
   * before this call began, as reading the rows themselves would, at the cost of one version read
   * instead of a read per row. For decisions that must not rest on a stale rule (a submission,
   * provisioning's re-check, a credential's reveal).
   *
   * Concurrent calls share reads: a read already under way was sent before this call began, so it
   * may miss a change answered just before; the call waits for the next read instead, which goes
   * out when that one is answered and serves every call that began in between. Under load that is
   * about one version read per round-trip time, whatever the number of callers; alone, one read.
   */
  async revalidate(): Promise<void> {
    // A read still to be sent goes out after this call began: it serves this call too.
    if (this.nextRead !== undefined) return this.nextRead;
    if (this.reading === undefined) return this.issueRead();
    this.nextRead = this.reading.then(noop, noop).then(() => {
      this.nextRead = undefined;
      return this.issueRead();
    });
    return this.nextRead;
  }

  /**
   * This process changed the configuration (or tried to): forget everything, and read the version
   * again before the next read, so a load that was under way before the write is never kept.
   */
  invalidate(): void {
    this.clear();
    this.checkedAt = Number.NEGATIVE_INFINITY;
  }

  private async ensureFresh(): Promise<void> {
    const now = this.now();
    if (now - this.filledSince >= this.options.maxAgeMs) {
      this.clear();
      this.filledSince = now;
    }
    if (now - this.checkedAt < this.options.versionCheckIntervalMs) return;
    // Any read under way was sent within the interval: it is fresh enough for a cached read.
    await (this.reading ?? this.issueRead());
  }

  /** Sends a version read now; `reading` until it is answered. */
  private issueRead(): Promise<void> {
    const read: Promise<void> = this.checkVersion(this.now()).finally(() => {
      if (this.reading === read) this.reading = undefined;
    });
    this.reading = read;
    return read;
  }

  /** `startedAt`, not the answer's time, is when the version was true: the bound counts from there. */
  private async checkVersion(startedAt: number): Promise<void> {
    const version = await this.readVersion();
    if (version !== this.version) {
      this.clear();
      this.version = version;
      this.filledSince = startedAt;
    }
    this.checkedAt = startedAt;
  }

  private clear(): void {
    this.entries = new Map();
    this.settled = new Map();
  }
}

function noop(): void {}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}
