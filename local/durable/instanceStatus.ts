import { EVENT_TYPE_NAMES, EventType, fromJsonText, type HistoryEvent } from './historyEvents';
import type { InstanceRecord } from './taskHubStore';

export interface StatusOptions {
  readonly showInput: boolean;
  readonly showHistory: boolean;
  readonly showHistoryOutput: boolean;
}

function safeParse(text: string | null): unknown {
  try {
    return fromJsonText(text);
  } catch {
    return text;
  }
}

/**
 * History in the shape of the extension's status API: event type names, orchestrator
 * bookkeeping (OrchestratorStarted/Completed) left out, inputs and results only on request.
 */
export function publicHistory(history: readonly HistoryEvent[], showOutput: boolean): Record<string, unknown>[] {
  const scheduled = new Map<number, { name: string; time: string }>();
  const out: Record<string, unknown>[] = [];
  for (const event of history) {
    const base = {
      EventType: EVENT_TYPE_NAMES[event.EventType] ?? String(event.EventType),
      Timestamp: event.Timestamp,
    };
    switch (event.EventType) {
      case EventType.OrchestratorStarted:
      case EventType.OrchestratorCompleted:
        break;
      case EventType.ExecutionStarted:
        out.push({ ...base, FunctionName: event.Name, ...(showOutput ? { Input: safeParse(event.Input) } : {}) });
        break;
      case EventType.TaskScheduled:
        scheduled.set(event.EventId, { name: event.Name, time: event.Timestamp });
        break;
      case EventType.TaskCompleted:
        out.push({
          ...base,
          FunctionName: scheduled.get(event.TaskScheduledId)?.name,
          ScheduledTime: scheduled.get(event.TaskScheduledId)?.time,
          ...(showOutput ? { Result: safeParse(event.Result) } : {}),
        });
        break;
      case EventType.TaskFailed:
        out.push({
          ...base,
          FunctionName: scheduled.get(event.TaskScheduledId)?.name,
          ScheduledTime: scheduled.get(event.TaskScheduledId)?.time,
          Reason: event.Reason,
          Details: event.Details,
        });
        break;
      case EventType.TimerCreated:
        out.push({ ...base, TimerId: event.EventId, FireAt: event.FireAt });
        break;
      case EventType.TimerFired:
        out.push({ ...base, TimerId: event.TimerId, FireAt: event.FireAt });
        break;
      case EventType.EventRaised:
        out.push({ ...base, Name: event.Name, ...(showOutput ? { Input: safeParse(event.Input) } : {}) });
        break;
      case EventType.ExecutionCompleted:
        out.push({
          ...base,
          OrchestrationStatus: event.OrchestrationStatus,
          ...(showOutput ? { Result: safeParse(event.Result) } : {}),
        });
        break;
      case EventType.ExecutionTerminated:
      case EventType.ContinueAsNew:
        out.push({ ...base, ...(showOutput ? { Input: safeParse(event.Input) } : {}) });
        break;
    }
  }
  return out;
}

/** The status object of the extension's `GET instances/{id}` (what DurableOrchestrationStatus reads). */
export function toStatusJson(
  instance: InstanceRecord,
  options: StatusOptions,
  history?: readonly HistoryEvent[],
): Record<string, unknown> {
  return {
    name: instance.name,
    instanceId: instance.instanceId,
    runtimeStatus: instance.runtimeStatus,
    input: options.showInput ? safeParse(instance.inputText) : null,
    customStatus: safeParse(instance.customStatusText),
    output: safeParse(instance.outputText),
    createdTime: instance.createdTime,
    lastUpdatedTime: instance.lastUpdatedTime,
    ...(options.showHistory && history !== undefined
      ? {
          historyEvents: publicHistory(history, options.showHistoryOutput),
          history: publicHistory(history, options.showHistoryOutput),
        }
      : {}),
  };
}
