import type { OrchestrationContext, Task } from 'durable-functions';
import type { LeaseOrchestrationInput } from '../app/ports';
import { callActivity } from './callActivity';
import { arrived, type RevokeEvent } from './leaseEvents';

/**
 * Scheduled access: waits (a durable timer) until the request's `startAt`; a `revoke` meanwhile
 * withdraws it with nothing provisioned. A request approved after its start goes on at once (the
 * timer is already due). 'withdrawn' only when the withdrawal was recorded: a revoke that arrives
 * once provisioning has begun is left for provisionAndHold, which revokes right after provisioning.
 */
export function* awaitStart(
  context: OrchestrationContext,
  lease: LeaseOrchestrationInput,
  startAt: string,
  revoke: Task,
): Generator<Task, 'started' | 'withdrawn', unknown> {
  context.df.setCustomStatus('scheduled');
  let winner = arrived([revoke]);
  if (winner === undefined) {
    const timer = context.df.createTimer(new Date(startAt));
    winner = (yield context.df.Task.any([timer, revoke])) as Task;
    if (winner !== timer) timer.cancel();
  }
  if (winner === revoke) {
    const by = (revoke.result as RevokeEvent | undefined)?.by;
    const withdrawn = yield* callActivity(context, lease, 'withdrawRequest', {
      requestId: lease.requestId,
      by: typeof by === 'string' ? by : 'unknown',
    });
    if (withdrawn.status === 'ended') return 'withdrawn';
  }
  yield* callActivity(context, lease, 'startScheduled', lease.requestId);
  return 'started';
}
