import { z } from 'zod';
import { retryOptionsSchema } from './historyEvents';

/** Action types durable-functions emits (`ActionType`). */
export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

const ACTION_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(ActionType).map(([name, value]) => [value, name]),
);

export function actionTypeName(type: number): string {
  return ACTION_NAMES[type] ?? `action type ${type}`;
}

const fireAtSchema = z
  .union([z.date(), z.string().transform((s) => new Date(s))])
  .refine((d) => !Number.isNaN(d.getTime()), 'fireAt must be a valid date');

export const atomicActionSchema = z.discriminatedUnion('actionType', [
  z.object({ actionType: z.literal(ActionType.CallActivity), functionName: z.string(), input: z.unknown().optional() }),
  z.object({
    actionType: z.literal(ActionType.CallActivityWithRetry),
    functionName: z.string(),
    input: z.unknown().optional(),
    retryOptions: retryOptionsSchema,
  }),
  z.object({ actionType: z.literal(ActionType.ContinueAsNew), input: z.unknown().optional() }),
  z.object({
    actionType: z.literal(ActionType.CreateTimer),
    fireAt: fireAtSchema,
    isCanceled: z.boolean().default(false),
  }),
  z.object({ actionType: z.literal(ActionType.WaitForExternalEvent), externalEventName: z.string() }),
]);
export type AtomicAction = z.infer<typeof atomicActionSchema>;

export class UnsupportedActionError extends Error {
  constructor(type: unknown) {
    super(
      `The local Durable runner does not support ${typeof type === 'number' ? actionTypeName(type) : 'this'} action (only activities, timers, external events, Task.any/all and continueAsNew)`,
    );
    this.name = 'UnsupportedActionError';
  }
}

function actionTypeOf(action: unknown): unknown {
  return typeof action === 'object' && action !== null ? (action as { actionType?: unknown }).actionType : undefined;
}

/**
 * The orchestrator's cumulative actions in the order their ids were handed out: compound actions
 * (Task.any / Task.all) are flattened depth-first, and an action object seen before (a task
 * yielded again inside a new Task.any, or a retry task's inner action) is skipped, because the
 * SDK gives an already-scheduled task no new id. Identity works because the SDK objects are
 * handed over in-process.
 */
export function flattenActions(actions: unknown): AtomicAction[] {
  const lists: unknown[] = Array.isArray(actions) ? actions : [];
  const seen = new Set<object>();
  const out: AtomicAction[] = [];
  const visit = (action: unknown): void => {
    if (typeof action !== 'object' || action === null) return;
    if (seen.has(action)) return;
    seen.add(action);
    const type = actionTypeOf(action);
    if (type === ActionType.WhenAny || type === ActionType.WhenAll) {
      const children = (action as { compoundActions?: unknown }).compoundActions;
      if (Array.isArray(children)) for (const child of children) visit(child);
      return;
    }
    const parsed = atomicActionSchema.safeParse(action);
    if (!parsed.success) throw new UnsupportedActionError(type);
    out.push(parsed.data);
  };
  for (const list of lists) {
    if (Array.isArray(list)) for (const action of list) visit(action);
    else visit(list);
  }
  return out;
}

/**
 * Inputs as the SDK passes them in actions: `Utils.processInput` JSON-encodes strings and leaves
 * other values as they are. Returns the JSON text of the value the orchestrator passed.
 */
export function actionInputToJsonText(input: unknown): string | null {
  if (input === undefined) return null;
  if (typeof input === 'string') return input;
  return JSON.stringify(input) ?? null;
}

export type IdConsumingAction = Extract<AtomicAction, { actionType: 0 | 1 | 5 }>;

export function consumesSequenceId(action: AtomicAction): action is IdConsumingAction {
  return (
    action.actionType === ActionType.CallActivity ||
    action.actionType === ActionType.CallActivityWithRetry ||
    action.actionType === ActionType.CreateTimer
  );
}
