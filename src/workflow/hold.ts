import type { OrchestrationContext, Task, TimerTask } from 'durable-functions';
import type { ExtendEvent } from '../app/extend';
import { ENDING_SOON_BEFORE_MS } from '../app/notifications';
import type { LeaseOrchestrationInput } from '../app/ports';
import type { ProvisionResult } from '../app/provisionAccess';
import { messageOf } from '../domain/errors';
import { callActivity, notify } from './callActivity';
import { arrived, revocationOf, waitForEvent, type Revocation, type RevokeEvent } from './leaseEvents';

/**
 * How long provisioning may keep coming back for Graph's write limit before the request fails
 * (the lock released, whatever was granted taken away): the lease clock has not started, but a
 * technician waiting longer than this is better told to ask again.
 */
export const MAX_PROVISIONING_WAIT_MS = 30 * 60_000;

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
  let provisioned: ProvisionResult | Revocation;
  try {
    provisioned = yield* provisionWithinWriteLimit(context, lease, revoke);
  } catch (error) {
    // Whatever was done before the failure is taken away again before the request is failed.
    return { cause: 'provisionFailed', by: null, failure: messageOf(error) };
  }
  if ('cause' in provisioned) return provisioned;
  if (provisioned.status !== 'active' || provisioned.expiresAt === null) return 'not_provisioned';

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

/**
 * Calls provisionAccess until it is done. While the app's share of Graph's write limit in the
 * tenant is used up the activity answers `throttled` instead of waiting in its worker (those slots
 * are what revocations need); the orchestration waits here on a durable timer and calls again,
 * until MAX_PROVISIONING_WAIT_MS have passed. A `revoke` meanwhile ends the wait: the request is
 * then failed and whatever was granted so far taken away (revokeAccess on a provisioning request).
 */
function* provisionWithinWriteLimit(
  context: OrchestrationContext,
  lease: LeaseOrchestrationInput,
  revoke: Task,
): Generator<Task, ProvisionResult | Revocation, unknown> {
  const waitLimitMs = lease.provisioningWriteLimitWaitMs ?? MAX_PROVISIONING_WAIT_MS;
  const giveUpAt = context.df.currentUtcDateTime.getTime() + waitLimitMs;
  for (;;) {
    const provisioned = yield* callActivity(context, lease, 'provisionAccess', lease.requestId);
    if (provisioned.status !== 'throttled') return provisioned;
    const retryAt = context.df.currentUtcDateTime.getTime() + provisioned.retryAfterMs;
    if (retryAt > giveUpAt) {
      return {
        cause: 'provisionFailed',
        by: null,
        failure: `provisioning could not complete within ${waitLimitMs >= 60_000 ? `${Math.round(waitLimitMs / 60_000)} min` : `${Math.ceil(waitLimitMs / 1000)} s`}: the app's share of Microsoft Graph's write limit in the tenant stayed used up; request access again later`,
      };
    }
    let winner = arrived([revoke]);
    if (winner === undefined) {
      const timer = context.df.createTimer(new Date(retryAt));
      winner = (yield context.df.Task.any([timer, revoke])) as Task;
      if (winner === timer) continue;
      timer.cancel();
    }
    // As a revoke of a provisioning request whose orchestration is gone (src/app/requests.ts).
    return {
      cause: 'provisionFailed',
      by: revocationOf(revoke.result as RevokeEvent | undefined).by,
      failure: "revoked before provisioning finished (it was waiting for Microsoft Graph's write limit)",
    };
  }
}
