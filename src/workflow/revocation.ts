import type { OrchestrationContext, Task } from 'durable-functions';
import type { LeaseOrchestrationInput } from '../app/ports';
import { messageOf } from '../domain/errors';
import { callActivity, notify } from './callActivity';
import type { Revocation } from './leaseEvents';

/** After this many failed revocation rounds the history restarts (continueAsNew) to stay small. */
export const REVOCATION_ROUNDS_PER_HISTORY = 20;

/**
 * Revokes until it succeeds: never a quiet finish. Each failed round (the activity's own retries
 * used up) is recorded (status, audit, alert), then retried after the interval. A round that
 * answers `throttled` (the lease contained, its cleanup waiting for Graph's write window) is no
 * failure: it is called again after the wait it asks for, on a durable timer, so that no activity
 * slot is held meanwhile. Every REVOCATION_ROUNDS_PER_HISTORY rounds of either kind the history
 * restarts with the revocation carried over.
 */
export function* revokeUntilDone(
  context: OrchestrationContext,
  lease: LeaseOrchestrationInput,
  revocation: Revocation,
): Generator<Task, 'revoked' | 'continued', unknown> {
  context.df.setCustomStatus('revoking');
  let failures = 0;
  // The last call contained the lease and answered throttled: the next goes straight to the cleanup.
  let contained = false;
  for (let round = 1; ; round++) {
    let waitMs = lease.revocationRetryIntervalMs;
    try {
      const revoked = yield* callActivity(context, lease, 'revokeAccess', {
        requestId: lease.requestId,
        ...revocation,
        ...(contained ? { contained: true } : {}),
      });
      if (revoked.status !== 'throttled') return 'revoked';
      // Contained, the rest waiting for the window: revoking again, even after a failed round.
      context.df.setCustomStatus('revoking');
      contained = true;
      waitMs = revoked.retryAfterMs;
    } catch (error) {
      // Whatever failed, the next round contains the lease again first.
      contained = false;
      failures++;
      context.df.setCustomStatus('revocation_failed');
      yield* callActivity(context, lease, 'recordRevocationFailure', {
        requestId: lease.requestId,
        failure: messageOf(error),
        attempt: failures,
        failedAt: context.df.currentUtcDateTime.toISOString(),
      });
      if (failures === 1) yield* notify(context, lease, 'revocation_failed');
    }
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + waitMs));
    if (round >= REVOCATION_ROUNDS_PER_HISTORY) {
      context.df.continueAsNew({ ...lease, resumeRevocation: revocation } satisfies LeaseOrchestrationInput);
      return 'continued';
    }
  }
}
