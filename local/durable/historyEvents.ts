import { z } from 'zod';

/**
 * Orchestration history as durable-functions reads it (PascalCase, `EventType` numbers as in
 * DurableTask.Core), plus a `Local` object where this runner keeps its own bookkeeping (which
 * action an event belongs to, retry and long-timer state, the message it came from). The SDK
 * ignores properties it does not know.
 */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventRaised: 15,
  ContinueAsNew: 16,
} as const;

export const EVENT_TYPE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(EventType).map(([name, value]) => [value, name]),
);

export const retryOptionsSchema = z.object({
  firstRetryIntervalInMilliseconds: z.number().positive(),
  maxNumberOfAttempts: z.number().int(),
  backoffCoefficient: z.number().positive().optional(),
  maxRetryIntervalInMilliseconds: z.number().positive().optional(),
  retryTimeoutInMilliseconds: z.number().optional(),
});
export type RetryOptions = z.infer<typeof retryOptionsSchema>;

const localSchema = z
  .object({
    /** Position of the originating action among the orchestrator's id-consuming actions. */
    actionIndex: z.number().int().optional(),
    /** Present on every attempt of a CallActivityWithRetry. */
    retry: z.object({ options: retryOptionsSchema, attempt: z.number().int() }).optional(),
    /** On a back-off timer: the sequence id of the failed attempt it waits after. */
    retryAfterTaskId: z.number().int().optional(),
    /** On each segment of a long timer: when the whole timer is due. */
    finalFireAt: z.string().optional(),
    /** The inbox message this event was appended from (for de-duplication). */
    messageId: z.string().optional(),
  })
  .optional();

const base = { EventId: z.number().int(), IsPlayed: z.boolean(), Timestamp: z.string(), Local: localSchema };
const nullableText = z.string().nullable();

export const historyEventSchema = z.discriminatedUnion('EventType', [
  z.object({
    ...base,
    EventType: z.literal(EventType.ExecutionStarted),
    Name: z.string(),
    Input: nullableText,
    Version: z.string(),
  }),
  z.object({
    ...base,
    EventType: z.literal(EventType.ExecutionCompleted),
    OrchestrationStatus: z.enum(['Completed', 'Failed']),
    Result: nullableText,
  }),
  z.object({ ...base, EventType: z.literal(EventType.ExecutionTerminated), Input: nullableText }),
  z.object({ ...base, EventType: z.literal(EventType.TaskScheduled), Name: z.string(), Input: nullableText }),
  z.object({
    ...base,
    EventType: z.literal(EventType.TaskCompleted),
    TaskScheduledId: z.number().int(),
    Result: z.string(),
  }),
  z.object({
    ...base,
    EventType: z.literal(EventType.TaskFailed),
    TaskScheduledId: z.number().int(),
    Reason: z.string(),
    Details: z.string(),
  }),
  z.object({ ...base, EventType: z.literal(EventType.TimerCreated), FireAt: z.string() }),
  z.object({ ...base, EventType: z.literal(EventType.TimerFired), TimerId: z.number().int(), FireAt: z.string() }),
  z.object({ ...base, EventType: z.literal(EventType.OrchestratorStarted) }),
  z.object({ ...base, EventType: z.literal(EventType.OrchestratorCompleted) }),
  z.object({ ...base, EventType: z.literal(EventType.EventRaised), Name: z.string(), Input: nullableText }),
  z.object({ ...base, EventType: z.literal(EventType.ContinueAsNew), Input: nullableText }),
]);

export type HistoryEvent = z.infer<typeof historyEventSchema>;
export type Local = NonNullable<HistoryEvent['Local']>;
export type EventOf<T extends HistoryEvent['EventType']> = Extract<HistoryEvent, { EventType: T }>;

type WithoutBase<E> = E extends unknown ? Omit<E, 'EventId' | 'IsPlayed' | 'Timestamp'> : never;
export type NewEvent = WithoutBase<HistoryEvent> & { EventId?: number };

/** Stamps an event with its time; events without a sequence id get -1 as in DurableTask.Core. */
export function stamp(event: NewEvent, time: Date): HistoryEvent {
  return { ...event, EventId: event.EventId ?? -1, IsPlayed: false, Timestamp: time.toISOString() };
}

export function isType<T extends HistoryEvent['EventType']>(type: T) {
  return (event: HistoryEvent): event is EventOf<T> => event.EventType === type;
}

/** Values cross the boundary as JSON text, encoded exactly once; `undefined` becomes no value. */
export function toJsonText(value: unknown): string | null {
  if (value === undefined) return null;
  return JSON.stringify(value) ?? null;
}

export function fromJsonText(text: string | null | undefined): unknown {
  if (text === null || text === undefined || text === '') return null;
  return JSON.parse(text) as unknown;
}

/** The next free sequence id: ids are taken by TaskScheduled and TimerCreated events only. */
export function nextSequenceNumber(history: readonly HistoryEvent[]): number {
  let next = 0;
  for (const event of history) {
    if (event.EventType === EventType.TaskScheduled || event.EventType === EventType.TimerCreated)
      next = Math.max(next, event.EventId + 1);
  }
  return next;
}
