import type { OrchestrationContext, Task, TimerTask } from 'durable-functions';
import type { ExtendEvent } from '../app/extend';
import { ENDING_SOON_BEFORE_MS } from '../app/notifications';
import type { LeaseOrchestrationInput } from '../app/ports';
import type { ProvisionResult } from '../app/provisionAccess';
import { messageOf } from '../domain/errors';
import { callActivity, notify } from './callActivity';
import { arrived, revocationOf, waitForEvent, type Revocation, type RevokeEvent } from './leaseEvents';

/**
 * Provisions, then holds the lease until it expires or a revoke event arrives. An `extend` event
 * moves the expiry: the old timer is cancelled and a new one made, access never drops. An
 * "ending soon" notification goes out a while (endingSoonBeforeMs) before the (current) expiry.
 */
export function* provisionAndHold(
  context: OrchestrationContext,
  lease: LeaseOrchestrationInput,
  revoke: Task,
): Generator<Task, Revocation | 'not_provisioned', unknown> {
  context.df.setCustomStatus('provisioning');
  let provisioned: ProvisionResult;
  try {
    provisioned = yield* callActivity(context, lease, 'provisionAccess', lease.requestId);
  } catch (error) {
    // Whatever was done before the failure is taken away again before the request is failed.
    return { cause: 'provisionFailed', by: null, failure: messageOf(error) };
  }
  if (provisioned.status === 'not_provisioned' || provisioned.expiresAt === null) return 'not_provisioned';

  context.df.setCustomStatus('active');
  yield* notify(context, lease, 'active');
  let expiresAt = provisioned.expiresAt;
  let warned = false;
  // Each event waiter lives until its event arrives (a new one would leave the old one to swallow it).
  let extend = waitForEvent(context, 'extend');
  for (;;) {
    let winner = arrived([revoke, extend]);
    // An extension that arrived after the expiry time is too late: the lease has expired.
    if (winner === extend && Date.parse(expiresAt) <= context.df.currentUtcDateTime.getTime())
      return { cause: 'expired', by: null };
    let warning: TimerTask | null = null;
    if (winner === undefined) {
      const expiry = context.df.createTimer(new Date(expiresAt));
      const warnAt = Date.parse(expiresAt) - (lease.endingSoonBeforeMs ?? ENDING_SOON_BEFORE_MS);
      warning =
        !warned && warnAt > context.df.currentUtcDateTime.getTime() ? context.df.createTimer(new Date(warnAt)) : null;
      const timers = warning === null ? [expiry] : [expiry, warning];
      winner = (yield context.df.Task.any([...timers, revoke, extend])) as Task;
      for (const timer of timers) if (timer !== winner) timer.cancel();
      if (winner === expiry) return { cause: 'expired', by: null };
    }
    if (winner === revoke) return revocationOf(revoke.result as RevokeEvent | undefined);
    if (winner === warning) {
      warned = true;
      yield* notify(context, lease, 'ending_soon');
      continue;
    }
    const request = extend.result as ExtendEvent;
    extend = waitForEvent(context, 'extend');
    const result = yield* callActivity(context, lease, 'extendLease', { ...request, requestId: lease.requestId });
    if (result.expiresAt !== null && result.expiresAt !== expiresAt) {
      expiresAt = result.expiresAt;
      warned = false;
    }
  }
}
