import type { ActivityRecord } from './taskHubStore';

const keyOf = (a: Pick<ActivityRecord, 'instanceId' | 'executionId' | 'taskId'>): string =>
  `${a.instanceId}\u0000${a.executionId}\u0000${a.taskId}`;

/** Runs activities in-process, at most `concurrency` at a time, each scheduled activity once. */
export class ActivityWorker {
  private readonly queue: ActivityRecord[] = [];
  private readonly known = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private accepting = true;

  constructor(
    private readonly concurrency: number,
    private readonly run: (activity: ActivityRecord) => Promise<void>,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new Error('maxActivityConcurrency must be a positive integer');
  }

  enqueue(activity: ActivityRecord): void {
    const key = keyOf(activity);
    if (!this.accepting || this.known.has(key)) return;
    this.known.add(key);
    this.queue.push(activity);
    this.pump();
  }

  /** Stops starting activities and waits up to `graceInMs` for the running ones. */
  async close(graceInMs: number): Promise<void> {
    this.accepting = false;
    this.queue.length = 0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceInMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private pump(): void {
    while (this.accepting && this.running.size < this.concurrency) {
      const next = this.queue.shift();
      if (next === undefined) return;
      const task = this.run(next).finally(() => {
        this.running.delete(task);
        this.known.delete(keyOf(next));
        this.pump();
      });
      this.running.add(task);
    }
  }
}
