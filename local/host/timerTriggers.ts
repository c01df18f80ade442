import type { Timer } from '@azure/functions';
import { functionsWithTrigger, triggerBinding, type FunctionRegistry, type RegisteredFunction } from './functionsCore';
import { createInvocationContext, type DurableClientBindingData } from './invocation';
import { invokeFunction } from './invoke';
import { errorDetails, type HostLogger } from './logging';
import { parseSchedule, resolveAppSettings, type CronSchedule } from './ncrontab';

/** An invocation this much later than its scheduled time is reported as past due. */
const PAST_DUE_AFTER_MS = 1_000;
/** setTimeout cannot wait longer than ~24.8 days; longer waits are re-armed. */
const MAX_TIMEOUT_MS = 2_000_000_000;

export interface TimerTriggersOptions {
  readonly registry: FunctionRegistry;
  readonly logger: HostLogger;
  readonly durableClient: DurableClientBindingData;
}

interface ScheduledTimerFunction {
  readonly fn: RegisteredFunction;
  readonly schedule: CronSchedule;
  readonly runOnStartup: boolean;
  last?: Date;
  next: Date;
  handle?: NodeJS.Timeout;
  running?: Promise<void>;
}

/**
 * Runs `timerTrigger` functions on their NCRONTAB schedule (UTC). One run per function at a time:
 * when a run outlasts its next occurrence, the next run is computed after it ends (no overlap).
 */
export class TimerTriggers {
  private readonly timers: ScheduledTimerFunction[] = [];
  private readonly manualRuns = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: TimerTriggersOptions) {
    const now = new Date();
    for (const fn of functionsWithTrigger(options.registry, 'timerTrigger')) {
      if (isFunctionDisabled(fn.name)) continue;
      const { binding } = triggerBinding(fn);
      if (typeof binding.schedule !== 'string') throw new Error(`Timer function "${fn.name}" has no schedule`);
      const schedule = parseSchedule(resolveAppSettings(binding.schedule));
      this.timers.push({ fn, schedule, runOnStartup: binding.runOnStartup === true, next: schedule.next(now) });
    }
  }

  start(): void {
    for (const timer of this.timers) {
      if (timer.runOnStartup) this.run(timer, new Date(), false);
      else this.arm(timer);
    }
  }

  /**
   * `POST /admin/functions/{name}`: runs a timer function now, outside its schedule, as the host's
   * admin API does (https://learn.microsoft.com/azure/azure-functions/functions-manually-run-non-http:
   * 202 Accepted, the run goes on after the answer; locally no master key is asked for). False when
   * no enabled timer function has that name (function names are case-insensitive).
   */
  runNow(name: string): boolean {
    const timer = this.timers.find((t) => t.fn.name.toLowerCase() === name.toLowerCase());
    if (timer === undefined || this.stopped) return false;
    const now = new Date();
    const payload: Timer = {
      isPastDue: false,
      schedule: { adjustForDST: false },
      scheduleStatus: {
        last: (timer.last ?? now).toISOString(),
        next: timer.next.toISOString(),
        lastUpdated: now.toISOString(),
      },
    };
    const run = this.invoke(timer.fn, payload);
    this.manualRuns.add(run);
    void run.finally(() => this.manualRuns.delete(run));
    return true;
  }

  /** Stops scheduling and waits for runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer.handle);
    await Promise.allSettled([
      ...this.timers.flatMap((t) => (t.running === undefined ? [] : [t.running])),
      ...this.manualRuns,
    ]);
  }

  private arm(timer: ScheduledTimerFunction): void {
    if (this.stopped) return;
    clearTimeout(timer.handle);
    const wait = Math.max(0, timer.next.getTime() - Date.now());
    timer.handle = setTimeout(
      () => {
        if (timer.next.getTime() > Date.now()) this.arm(timer);
        else this.run(timer, timer.next, true);
      },
      Math.min(wait, MAX_TIMEOUT_MS),
    );
  }

  private run(timer: ScheduledTimerFunction, scheduledFor: Date, scheduled: boolean): void {
    if (this.stopped || timer.running !== undefined) return;
    const startedAt = new Date();
    const next = timer.schedule.next(startedAt);
    const payload: Timer = {
      isPastDue: scheduled && startedAt.getTime() - scheduledFor.getTime() > PAST_DUE_AFTER_MS,
      schedule: { adjustForDST: false },
      scheduleStatus: {
        last: (timer.last ?? scheduledFor).toISOString(),
        next: next.toISOString(),
        lastUpdated: startedAt.toISOString(),
      },
    };
    timer.running = this.invoke(timer.fn, payload).finally(() => {
      timer.running = undefined;
      timer.last = startedAt;
      timer.next = timer.schedule.next(new Date());
      this.arm(timer);
    });
  }

  private async invoke(fn: RegisteredFunction, payload: Timer): Promise<void> {
    const { logger } = this.options;
    const context = createInvocationContext(fn, { logger, durableClient: this.options.durableClient });
    const started = Date.now();
    logger.write('information', `Executing '${fn.name}' (Reason='Timer fired at ${new Date().toISOString()}')`, {
      functionName: fn.name,
      invocationId: context.invocationId,
    });
    try {
      await invokeFunction(fn, context, [payload]);
      logger.write('information', `Executed '${fn.name}' (Succeeded, ${Date.now() - started} ms)`, {
        functionName: fn.name,
        invocationId: context.invocationId,
      });
    } catch (error) {
      logger.write('error', `Executed '${fn.name}' (Failed, ${Date.now() - started} ms): ${errorDetails(error)}`, {
        functionName: fn.name,
        invocationId: context.invocationId,
      });
    }
  }
}

/**
 * The Functions host's switch for one function: app setting `AzureWebJobs.<name>.Disabled` = true
 * (also read as `AzureWebJobs__<name>__Disabled`, the form some shells and Linux settings need).
 * The host then ignores the function's trigger.
 */
export function isFunctionDisabled(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[`AzureWebJobs.${name}.Disabled`] ?? env[`AzureWebJobs__${name}__Disabled`];
  return value !== undefined && /^(true|1)$/i.test(value.trim());
}
