/**
 * The service writes one JSON line per lease event (the operators' log contract in docs/deploy.md:
 * `lease_activated`, `lease_ended`, `provisioning_failed`, `revocation_failed` …) through the
 * invocation's context to the host's log, or to the console outside an invocation. While the
 * benchmark runs, this tap takes those lines (the host's log hands them over with `offer`; the
 * console ones it takes off the console, as hundreds of leases would bury the results) and hands
 * them to the lifecycle observer with the moment they were written:
 * the observer learns of each transition as it is logged, without polling the tables. Any other
 * console output passes through.
 */
export interface ServiceEvent {
  readonly event: string;
  readonly at: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

type Write = (...args: unknown[]) => void;

export class ServiceLogTap {
  private readonly original = { log: console.log, warn: console.warn, error: console.error };
  private readonly listeners = new Set<(event: ServiceEvent) => void>();
  private restored = false;

  constructor() {
    console.log = this.filter(this.original.log);
    console.warn = this.filter(this.original.warn);
    console.error = this.filter(this.original.error);
  }

  subscribe(listener: (event: ServiceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  restore(): void {
    if (this.restored) return;
    this.restored = true;
    Object.assign(console, this.original);
  }

  /** A line from the host's log: true when it was one of the service's event lines. */
  offer(line: string): boolean {
    if (!line.startsWith('{"level":')) return false;
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return false;
    }
    if (typeof fields.event !== 'string') return false;
    const event: ServiceEvent = { event: fields.event, at: Date.now(), fields };
    for (const listener of this.listeners) listener(event);
    return true;
  }

  private filter(write: Write): Write {
    return (...args: unknown[]): void => {
      const line = args[0];
      if (args.length !== 1 || typeof line !== 'string' || !line.startsWith('{"level":')) {
        write(...args);
        return;
      }
      const at = Date.now();
      let fields: Record<string, unknown>;
      try {
        fields = JSON.parse(line) as Record<string, unknown>;
      } catch {
        write(...args);
        return;
      }
      if (typeof fields.event !== 'string') return;
      const event: ServiceEvent = { event: fields.event, at, fields };
      for (const listener of this.listeners) listener(event);
    };
  }
}
