import {
  actionInputToJsonText,
  actionTypeName,
  ActionType,
  consumesSequenceId,
  flattenActions,
  type IdConsumingAction,
  UnsupportedActionError,
} from './actions';
import {
  EventType,
  isType,
  nextSequenceNumber,
  stamp,
  toJsonText,
  type EventOf,
  type HistoryEvent,
  type NewEvent,
  type RetryOptions,
} from './historyEvents';
import { LONG_RUNNING_TIMER_INTERVAL_MS, MAXIMUM_SHORT_TIMER_MS, type ReplayOutcome } from './replay';

/**
 * What the Durable extension and DurableTask.Core decide after one orchestrator replay: which
 * history events to append (with the sequence ids the SDK expects), which activities and timers
 * to start, which timers to drop, and whether the execution ended. Pure: no I/O, no clock.
 */

export interface ScheduledActivity {
  readonly taskId: number;
  readonly name: string;
  readonly inputText: string | null;
}

export interface ScheduledTimer {
  readonly timerId: number;
  readonly fireAt: Date;
}

export type EpisodeResult =
  | { readonly kind: 'running' }
  | { readonly kind: 'completed'; readonly outputText: string | null }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'continuedAsNew'; readonly inputText: string | null };

export interface EpisodeDecision {
  /** Events to append after this episode's OrchestratorStarted and inbound event. */
  readonly decisions: HistoryEvent[];
  readonly activities: ScheduledActivity[];
  readonly timers: ScheduledTimer[];
  readonly cancelledTimerIds: number[];
  readonly result: EpisodeResult;
  readonly customStatusText: string | null;
}

export interface EpisodeInput {
  readonly orchestrationName: string;
  /** History before this episode plus this episode's OrchestratorStarted and inbound event. */
  readonly history: readonly HistoryEvent[];
  /** The OrchestratorStarted time of this episode (the orchestrator's currentUtcDateTime). */
  readonly now: Date;
  readonly outcome: ReplayOutcome;
}

export class NonDeterminismError extends Error {
  constructor(detail: string) {
    super(
      `Non-Deterministic workflow detected: ${detail} Was a change made to the orchestrator code after this instance had already started running?`,
    );
    this.name = 'NonDeterminismError';
  }
}

function describeAction(action: IdConsumingAction): string {
  if (action.actionType === ActionType.CreateTimer)
    return `a timer (CreateTimer, fireAt ${action.fireAt.toISOString()})`;
  return `${actionTypeName(action.actionType)} '${action.functionName}'`;
}

function describeEvent(event: HistoryEvent): string {
  if (event.EventType === EventType.TaskScheduled) return `an activity task named '${event.Name}'`;
  return 'a timer';
}

/** DurableTask.Core's RetryInterceptor delay: first × coefficient^(attempt-1), capped. */
export function retryDelayMs(options: RetryOptions, failedAttempt: number): number {
  const delay = options.firstRetryIntervalInMilliseconds * (options.backoffCoefficient ?? 1) ** (failedAttempt - 1);
  return Math.min(delay, options.maxRetryIntervalInMilliseconds ?? Number.POSITIVE_INFINITY);
}

/** The next segment of a long timer, as durable-functions' LongTimerTask computes it. */
function nextTimerFireAt(now: Date, finalFireAt: Date): Date {
  return finalFireAt.getTime() - now.getTime() > MAXIMUM_SHORT_TIMER_MS
    ? new Date(now.getTime() + LONG_RUNNING_TIMER_INTERVAL_MS)
    : finalFireAt;
}

export function decideEpisode(input: EpisodeInput): EpisodeDecision {
  const { history, now, outcome } = input;
  const decisions: NewEvent[] = [];
  const activities: ScheduledActivity[] = [];
  const timers: ScheduledTimer[] = [];
  const cancelledTimerIds: number[] = [];
  let sequence = nextSequenceNumber(history);
  const customStatusText = toJsonText(outcome.customStatus ?? undefined);

  const finish = (result: EpisodeResult): EpisodeDecision => {
    const events: NewEvent[] = [...decisions, { EventType: EventType.OrchestratorCompleted }];
    if (result.kind === 'completed')
      events.push({
        EventType: EventType.ExecutionCompleted,
        OrchestrationStatus: 'Completed',
        Result: result.outputText,
      });
    if (result.kind === 'failed')
      events.push({ EventType: EventType.ExecutionCompleted, OrchestrationStatus: 'Failed', Result: result.message });
    if (result.kind === 'continuedAsNew') events.push({ EventType: EventType.ContinueAsNew, Input: result.inputText });
    const running = result.kind === 'running';
    return {
      decisions: events.map((e) => stamp(e, now)),
      activities: running ? activities : [],
      timers: running ? timers : [],
      cancelledTimerIds,
      result,
      customStatusText,
    };
  };

  if (outcome.kind === 'failed')
    return finish({
      kind: 'failed',
      message: `Orchestrator function '${input.orchestrationName}' failed: ${outcome.message}`,
    });

  const scheduledById = new Map<number, EventOf<4> | EventOf<10>>();
  const byActionIndex = new Map<number, EventOf<4> | EventOf<10>>();
  const firedTimers = new Set<number>();
  for (const event of history) {
    if (event.EventType === EventType.TaskScheduled || event.EventType === EventType.TimerCreated) {
      scheduledById.set(event.EventId, event);
      if (event.Local?.actionIndex !== undefined) byActionIndex.set(event.Local.actionIndex, event);
    }
    if (event.EventType === EventType.TimerFired) firedTimers.add(event.TimerId);
  }

  const scheduleActivity = (
    name: string,
    inputText: string | null,
    local: NonNullable<HistoryEvent['Local']>,
  ): void => {
    const taskId = sequence++;
    decisions.push({ EventType: EventType.TaskScheduled, EventId: taskId, Name: name, Input: inputText, Local: local });
    activities.push({ taskId, name, inputText });
  };
  const createTimer = (fireAt: Date, local: NonNullable<HistoryEvent['Local']>, deliver: boolean): void => {
    const timerId = sequence++;
    decisions.push({ EventType: EventType.TimerCreated, EventId: timerId, FireAt: fireAt.toISOString(), Local: local });
    if (deliver) timers.push({ timerId, fireAt });
  };

  // Follow-ups the extension creates on its own while processing the inbound event. The SDK hands
  // out their ids while it processes that event, before any user code it resumes can ask for more.
  const inbound = history[history.length - 1];
  if (inbound !== undefined && isType(EventType.TaskFailed)(inbound)) {
    const failed = scheduledById.get(inbound.TaskScheduledId);
    const retry = failed?.Local?.retry;
    if (retry !== undefined) {
      createTimer(
        new Date(now.getTime() + retryDelayMs(retry.options, retry.attempt)),
        { retryAfterTaskId: inbound.TaskScheduledId },
        true,
      );
    }
  }
  if (inbound !== undefined && isType(EventType.TimerFired)(inbound)) {
    const timer = scheduledById.get(inbound.TimerId);
    const failedTaskId = timer?.Local?.retryAfterTaskId;
    const failed = failedTaskId === undefined ? undefined : scheduledById.get(failedTaskId);
    if (failed !== undefined && failed.EventType === EventType.TaskScheduled && failed.Local?.retry !== undefined) {
      const { options, attempt } = failed.Local.retry;
      if (attempt < options.maxNumberOfAttempts)
        scheduleActivity(failed.Name, failed.Input, { retry: { options, attempt: attempt + 1 } });
    }
    const finalFireAt = timer?.Local?.finalFireAt;
    if (finalFireAt !== undefined && new Date(finalFireAt).getTime() > now.getTime()) {
      createTimer(nextTimerFireAt(now, new Date(finalFireAt)), { finalFireAt }, true);
    }
  }

  let actions;
  try {
    actions = flattenActions(outcome.actions).filter(consumesSequenceId);
  } catch (error) {
    if (error instanceof UnsupportedActionError) return finish({ kind: 'failed', message: error.message });
    throw error;
  }

  for (const [index, action] of actions.entries()) {
    const recorded = byActionIndex.get(index);
    if (recorded !== undefined) {
      const expected = recorded.EventType === EventType.TaskScheduled ? 'activity' : 'timer';
      const actual = action.actionType === ActionType.CreateTimer ? 'timer' : 'activity';
      if (
        expected !== actual ||
        (recorded.EventType === EventType.TaskScheduled &&
          action.actionType !== ActionType.CreateTimer &&
          recorded.Name !== action.functionName)
      ) {
        return finish({
          kind: 'failed',
          message: new NonDeterminismError(
            `A previous execution of this orchestration scheduled ${describeEvent(recorded)} with sequence ID ${recorded.EventId}, but the current replay execution instead produced ${describeAction(action)} at that point.`,
          ).message,
        });
      }
      if (action.actionType === ActionType.CreateTimer && action.isCanceled && !firedTimers.has(recorded.EventId))
        cancelledTimerIds.push(recorded.EventId);
      continue;
    }
    if (action.actionType === ActionType.CreateTimer) {
      const fireAt = nextTimerFireAt(now, action.fireAt);
      const long = fireAt.getTime() !== action.fireAt.getTime();
      createTimer(
        fireAt,
        long ? { actionIndex: index, finalFireAt: action.fireAt.toISOString() } : { actionIndex: index },
        !action.isCanceled,
      );
    } else {
      const retry =
        action.actionType === ActionType.CallActivityWithRetry
          ? { options: action.retryOptions, attempt: 1 }
          : undefined;
      scheduleActivity(
        action.functionName,
        actionInputToJsonText(action.input),
        retry === undefined ? { actionIndex: index } : { actionIndex: index, retry },
      );
    }
  }

  for (const [index, recorded] of byActionIndex) {
    if (index >= actions.length) {
      return finish({
        kind: 'failed',
        message: new NonDeterminismError(
          `A previous execution of this orchestration scheduled ${describeEvent(recorded)} with sequence ID ${recorded.EventId}, but the current replay execution hasn't (yet?) scheduled this task.`,
        ).message,
      });
    }
  }

  if (outcome.isDone) {
    const continueAsNew = flattenActions(outcome.actions).find((a) => a.actionType === ActionType.ContinueAsNew);
    if (continueAsNew !== undefined && continueAsNew.actionType === ActionType.ContinueAsNew) {
      return finish({ kind: 'continuedAsNew', inputText: actionInputToJsonText(continueAsNew.input) });
    }
    return finish({ kind: 'completed', outputText: toJsonText(outcome.output) });
  }
  return finish({ kind: 'running' });
}
