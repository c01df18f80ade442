import type { OrchestrationContext, Task } from 'durable-functions';
import type { LeaseEventName, LeaseOrchestrationInput } from '../app/ports';

/** How a lease's revocation began: carried into a continued history by continueAsNew. */
export type Revocation = NonNullable<LeaseOrchestrationInput['resumeRevocation']>;

export interface RevokeEvent {
  readonly by?: string | null;
  /** Set by the reconciler when the requester left or lost the entitlement; otherwise 'revoked'. */
  readonly cause?: string | null;
}

/** A waiter for one of the lease's events (the names LeaseOrchestrations.raise sends). */
export function waitForEvent(context: OrchestrationContext, event: LeaseEventName): Task {
  return context.df.waitForExternalEvent(event);
}

/** What a `revoke` event asks for: only the reconciler's own causes, else a plain revocation. */
export function revocationOf(event: RevokeEvent | undefined): Revocation {
  const cause =
    event?.cause === 'requester_offboarded' || event?.cause === 'entitlement_lost' ? event.cause : 'revoked';
  return { cause, by: typeof event?.by === 'string' ? event.by : null };
}

/**
 * An event waiter that already has its event (it arrived while the orchestration was busy in an
 * activity). Checked before every race: durable-functions' Task.any never resolves on a child that
 * completed before the Task.any was made, so such an event would otherwise be lost.
 */
export function arrived(waiters: readonly Task[]): Task | undefined {
  return waiters.find((w) => w.isCompleted || w.isFaulted);
}
