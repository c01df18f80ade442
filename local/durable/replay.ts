import { z } from 'zod';
import type { RegisteredFunction } from '../host/functionsCore';
import { createInvocationContext, type DurableClientBindingData } from '../host/invocation';
import { invokeFunction } from '../host/invoke';
import { errorMessage, type HostLogger } from '../host/logging';
import { fromJsonText, type HistoryEvent } from './historyEvents';

/** Timer limits the extension sends with the Azure Storage provider (schema ≥ V3). */
export const MAXIMUM_SHORT_TIMER_DURATION = '6.00:00:00';
export const LONG_RUNNING_TIMER_INTERVAL = '3.00:00:00';
export const MAXIMUM_SHORT_TIMER_MS = 6 * 24 * 3600 * 1000;
export const LONG_RUNNING_TIMER_INTERVAL_MS = 3 * 24 * 3600 * 1000;

/** The marker `OrchestrationFailureError` puts between the message and the orchestrator state. */
const OUT_OF_PROC_DATA_LABEL = '\n\n$OutOfProcData$:';

const orchestratorStateSchema = z.object({
  isDone: z.boolean(),
  actions: z.array(z.unknown()),
  output: z.unknown().optional(),
  error: z.string().optional(),
  customStatus: z.unknown().optional(),
});

export type ReplayOutcome =
  | {
      readonly kind: 'ok';
      readonly isDone: boolean;
      readonly actions: unknown;
      readonly output: unknown;
      readonly customStatus: unknown;
    }
  | { readonly kind: 'failed'; readonly message: string; readonly customStatus: unknown };

export interface ReplayRequest {
  readonly orchestrator: RegisteredFunction;
  readonly instanceId: string;
  /** The whole history of the current execution, this episode's new events included. */
  readonly history: readonly HistoryEvent[];
  readonly inputText: string | null;
  readonly logger: HostLogger;
  readonly durableClient?: DurableClientBindingData;
}

/**
 * Runs the orchestrator once over the full history through the registered durable-functions
 * handler, with the trigger payload the extension sends (out-of-proc schema V2+ actions).
 */
export async function replayOrchestrator(request: ReplayRequest): Promise<ReplayOutcome> {
  // The SDK rewrites Timestamp strings into Dates in place: hand it a private copy.
  const history = structuredClone(request.history.map(({ Local: _local, ...event }) => event));
  const lastStarted = history.findLastIndex((e) => e.EventType === 12);
  const triggerInput = {
    history,
    instanceId: request.instanceId,
    isReplaying: lastStarted > 0,
    parentInstanceId: undefined,
    upperSchemaVersion: 2,
    upperSchemaVersionNew: 3,
    maximumShortTimerDuration: MAXIMUM_SHORT_TIMER_DURATION,
    longRunningTimerIntervalDuration: LONG_RUNNING_TIMER_INTERVAL,
    defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
    input: fromJsonText(request.inputText),
  };
  const context = createInvocationContext(request.orchestrator, {
    logger: request.logger,
    instanceId: request.instanceId,
    ...(request.durableClient === undefined ? {} : { durableClient: request.durableClient }),
  });
  try {
    const state = orchestratorStateSchema.parse(await invokeFunction(request.orchestrator, context, [triggerInput]));
    return {
      kind: 'ok',
      isDone: state.isDone,
      actions: state.actions,
      output: state.output,
      customStatus: state.customStatus,
    };
  } catch (error) {
    return fromFailure(error);
  }
}

function fromFailure(error: unknown): ReplayOutcome {
  const message = errorMessage(error);
  const at = message.indexOf(OUT_OF_PROC_DATA_LABEL);
  if (at < 0) return { kind: 'failed', message, customStatus: undefined };
  try {
    const state = orchestratorStateSchema
      .partial()
      .parse(JSON.parse(message.slice(at + OUT_OF_PROC_DATA_LABEL.length)));
    return { kind: 'failed', message: state.error ?? message.slice(0, at), customStatus: state.customStatus };
  } catch {
    return { kind: 'failed', message: message.slice(0, at), customStatus: undefined };
  }
}
