import type { OrchestrationContext, Task } from 'durable-functions';
import type { LeaseOrchestrationInput } from '../app/ports';
import { messageOf } from '../domain/errors';
import { callActivity, notify } from './callActivity';
import type { Revocation } from './leaseEvents';

/** After this many failed revocation rounds the history restarts (continueAsNew) to stay small. */
export const REVOCATION_ROUNDS_PER_HISTORY = 20;

/**
 * Revokes until it succeeds: never a quiet finish. Each failed round (the activity's own retries
 * used up) is recorded (status, audit, alert), then retried after the interval; every
 * REVOCATION_ROUNDS_PER_HISTORY rounds the history restarts with the revocation carried over.
 */
export function* revokeUntilDone(
  context: OrchestrationContext,
  lease: LeaseOrchestrationInput,
  revocation: Revocation,
): Generator<Task, 'revoked' | 'continued', unknown> {
  context.df.setCustomStatus('revoking');
  for (let round = 1; ; round++) {
    try {
      yield* callActivity(context, lease, 'revokeAccess', { requestId: lease.requestId, ...revocation });
      return 'revoked';
    } catch (error) {
      context.df.setCustomStatus('revocation_failed');
      yield* callActivity(context, lease, 'recordRevocationFailure', {
        requestId: lease.requestId,
        failure: messageOf(error),
        attempt: round,
        failedAt: context.df.currentUtcDateTime.toISOString(),
      });
      if (round === 1) yield* notify(context, lease, 'revocation_failed');
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + lease.revocationRetryIntervalMs));
      if (round >= REVOCATION_ROUNDS_PER_HISTORY) {
        context.df.continueAsNew({ ...lease, resumeRevocation: revocation } satisfies LeaseOrchestrationInput);
        return 'continued';
      }
    }
  }
}
