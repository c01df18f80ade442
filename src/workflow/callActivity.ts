import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import type { LeaseOrchestrationInput, NotificationKind } from '../app/ports';
import type { LeaseActivityInput, LeaseActivityName, LeaseActivityOutput } from './activities';

export interface CallActivityOptions {
  /** false: one attempt, for what is best effort. Default: the lease's retry policy. */
  readonly retry?: boolean;
}

/**
 * Calls a lease activity by its name in the table: a name that is not there, or an input of the
 * wrong shape, does not compile, and the result has the activity's own type. Retried with the
 * lease's policy (six attempts, exponential back-off) unless told not to; `yield*` it from the
 * orchestrator.
 */
export function* callActivity<N extends LeaseActivityName>(
  context: OrchestrationContext,
  lease: LeaseOrchestrationInput,
  name: N,
  input: LeaseActivityInput<N>,
  options: CallActivityOptions = {},
): Generator<Task, LeaseActivityOutput<N>, unknown> {
  const task =
    options.retry === false
      ? context.df.callActivity(name, input)
      : context.df.callActivityWithRetry(name, activityRetry(lease), input);
  return (yield task) as LeaseActivityOutput<N>;
}

function activityRetry(lease: LeaseOrchestrationInput): df.RetryOptions {
  // From the input, not the environment: a replay must see the policy the run started with.
  const retry = new df.RetryOptions(lease.activityRetryFirstIntervalMs ?? 2_000, 6);
  retry.backoffCoefficient = 2;
  retry.maxRetryIntervalInMilliseconds = 60_000;
  return retry;
}

/** Best effort, one attempt: the activity logs a failed channel and returns; it never fails the lease. */
export function* notify(
  context: OrchestrationContext,
  lease: LeaseOrchestrationInput,
  kind: NotificationKind,
): Generator<Task, void, unknown> {
  if (lease.notify === false) return;
  yield* callActivity(context, lease, 'notifyLease', { requestId: lease.requestId, kind }, { retry: false });
}
