/**
 * Serializes work per orchestration instance: at most one episode of an instance runs at a time,
 * and a kick while it runs makes it look at the inbox again afterwards.
 */
export class InstanceDispatcher {
  private readonly draining = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private closed = false;

  constructor(
    /** Processes one inbox message; resolves false when the inbox was empty. */
    private readonly processNext: (instanceId: string) => Promise<boolean>,
    private readonly onError: (instanceId: string, error: unknown) => void,
    private readonly retryDelayInMs = 1_000,
  ) {}

  kick(instanceId: string): void {
    if (this.closed) return;
    if (this.draining.has(instanceId)) {
      this.again.add(instanceId);
      return;
    }
    const run = this.drain(instanceId).finally(() => {
      this.draining.delete(instanceId);
      // A kick that came after drain's last look at `again`, while its promise was settling, found
      // it still draining: without this it was lost, and its message (a terminate, an event) sat in
      // the inbox until some later kick (seen in CI: a terminate never processed).
      if (this.again.delete(instanceId)) this.kick(instanceId);
    });
    this.draining.set(instanceId, run);
  }

  /** Stops taking kicks and waits for the episodes in progress. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.draining.values()]);
  }

  private async drain(instanceId: string): Promise<void> {
    do {
      this.again.delete(instanceId);
      try {
        while (!this.closed && (await this.processNext(instanceId))) {
          // keep going until the inbox is empty
        }
      } catch (error) {
        this.onError(instanceId, error);
        setTimeout(() => this.kick(instanceId), this.retryDelayInMs).unref();
        return;
      }
    } while (!this.closed && this.again.has(instanceId));
  }
}
