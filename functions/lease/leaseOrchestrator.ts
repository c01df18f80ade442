import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task, TimerTask } from 'durable-functions';
import { LEASE_ORCHESTRATION } from '../../src/adapters/durable/leaseOrchestrations';
import type { DecisionEvent } from '../../src/app/approvals';
import type { ExtendEvent } from '../../src/app/extend';
import { ENDING_SOON_BEFORE_MS } from '../../src/app/notifications';
import type { LeaseOrchestrationInput, NotificationKind } from '../../src/app/ports';
import type { ProvisionResult } from '../../src/app/provisionAccess';
import type { RevocationFailure, RevokeAccessInput } from '../../src/app/revokeAccess';
import { messageOf } from '../../src/domain/errors';

/**
 * One lease, from the approval to a verified revocation (DESIGN §3). Deterministic: time only from
 * currentUtcDateTime, I/O only in activities; input, output, events and custom status hold ids and
 * times, never a secret. The orchestration is the only writer of a lease's state: HTTP calls
 * validate and raise events, activities write.
 */
function activityRetry(input: LeaseOrchestrationInput): df.RetryOptions {
  // From the input, not the environment: a replay must see the policy the run started with.
  const retry = new df.RetryOptions(input.activityRetryFirstIntervalMs ?? 2_000, 6);
  retry.backoffCoefficient = 2;
  retry.maxRetryIntervalInMilliseconds = 60_000;
  return retry;
}

/** After this many failed revocation rounds the history restarts (continueAsNew) to stay small. */
export const REVOCATION_ROUNDS_PER_HISTORY = 20;

interface RevokeEvent {
  readonly by?: string | null;
  /** Set by the reconciler when the requester left or lost the entitlement; otherwise 'revoked'. */
  readonly cause?: string | null;
}

/** The cause a `revoke` event asks for: only the reconciler's own causes, else a plain revocation. */
function causeOf(event: RevokeEvent | undefined): Revocation['cause'] {
  return event?.cause === 'requester_offboarded' || event?.cause === 'entitlement_lost' ? event.cause : 'revoked';
}

type Revocation = NonNullable<LeaseOrchestrationInput['resumeRevocation']>;
type ApprovalOutcome = 'approved' | 'denied' | 'approval_expired' | 'withdrawn';

export function* leaseOrchestrator(context: OrchestrationContext): Generator<Task, string, unknown> {
  const input = context.df.getInput<LeaseOrchestrationInput>();
  // One waiter for `revoke` from start to end: a second one would leave the first to swallow the event.
  const revoke = context.df.waitForExternalEvent('revoke');
  if (input.resumeRevocation === undefined && input.approvalDeadline !== undefined) {
    const outcome = yield* awaitApproval(context, input, input.approvalDeadline, revoke);
    if (outcome !== 'approved') {
      context.df.setCustomStatus('ended');
      yield* notify(context, input, outcome === 'denied' ? 'denied' : 'ended');
      return outcome;
    }
    yield* notify(context, input, 'approved');
  }
  const revocation = input.resumeRevocation ?? (yield* provisionAndHold(context, input, revoke));
  if (revocation === 'not_provisioned') return 'not_provisioned';

  context.df.setCustomStatus('revoking');
  const revokeInput: RevokeAccessInput = { requestId: input.requestId, ...revocation };
  for (let round = 1; ; round++) {
    try {
      yield context.df.callActivityWithRetry('revokeAccess', activityRetry(input), revokeInput);
      break;
    } catch (error) {
      // Never a quiet finish: record it (status, audit, alert), wait, and try again.
      context.df.setCustomStatus('revocation_failed');
      yield context.df.callActivityWithRetry('recordRevocationFailure', activityRetry(input), {
        requestId: input.requestId,
        failure: messageOf(error),
        attempt: round,
        failedAt: context.df.currentUtcDateTime.toISOString(),
      } satisfies RevocationFailure);
      if (round === 1) yield* notify(context, input, 'revocation_failed');
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + input.revocationRetryIntervalMs));
      if (round >= REVOCATION_ROUNDS_PER_HISTORY) {
        context.df.continueAsNew({ ...input, resumeRevocation: revocation } satisfies LeaseOrchestrationInput);
        return 'continued';
      }
    }
  }
  context.df.setCustomStatus('ended');
  yield* notify(context, input, 'ended');
  return revocation.cause === 'provisionFailed' ? 'failed' : 'ended';
}

/**
 * Waits for a decision until the deadline; a `revoke` meanwhile withdraws the request. A decision
 * the activity refuses (it re-checks who decided) leaves the request pending: wait again.
 */
function* awaitApproval(
  context: OrchestrationContext,
  input: LeaseOrchestrationInput,
  deadline: string,
  revoke: Task,
): Generator<Task, ApprovalOutcome, unknown> {
  const requestId = input.requestId;
  context.df.setCustomStatus('awaiting_approval');
  yield* notify(context, input, 'pending_approval');
  let decision = context.df.waitForExternalEvent('decision');
  for (;;) {
    let winner = arrived([revoke, decision]);
    if (winner === undefined) {
      const timer = context.df.createTimer(new Date(deadline));
      winner = (yield context.df.Task.any([timer, decision, revoke])) as Task;
      if (winner === timer) {
        yield context.df.callActivityWithRetry('expireApproval', activityRetry(input), requestId);
        return 'approval_expired';
      }
      timer.cancel();
    }
    if (winner === revoke) {
      const by = (revoke.result as RevokeEvent | undefined)?.by;
      yield context.df.callActivityWithRetry('withdrawRequest', activityRetry(input), {
        requestId,
        by: typeof by === 'string' ? by : 'unknown',
      });
      return 'withdrawn';
    }
    const event = decision.result as DecisionEvent;
    const result = (yield context.df.callActivityWithRetry('recordDecision', activityRetry(input), {
      ...event,
      requestId,
    })) as { status: string };
    if (result.status === 'provisioning') return 'approved';
    if (result.status !== 'pending_approval') return 'denied';
    decision = context.df.waitForExternalEvent('decision');
  }
}

/**
 * Provisions, then holds the lease until it expires or a revoke event arrives. An `extend` event
 * moves the expiry: the old timer is cancelled and a new one made, access never drops. An
 * "ending soon" notification goes out 10 minutes before the (current) expiry.
 */
function* provisionAndHold(
  context: OrchestrationContext,
  input: LeaseOrchestrationInput,
  revoke: Task,
): Generator<Task, Revocation | 'not_provisioned', unknown> {
  context.df.setCustomStatus('provisioning');
  let provisioned: ProvisionResult;
  try {
    provisioned = (yield context.df.callActivityWithRetry(
      'provisionAccess',
      activityRetry(input),
      input.requestId,
    )) as ProvisionResult;
  } catch (error) {
    // Whatever was done before the failure is taken away again before the request is failed.
    return { cause: 'provisionFailed', by: null, failure: messageOf(error) };
  }
  if (provisioned.status === 'not_provisioned' || provisioned.expiresAt === null) return 'not_provisioned';

  context.df.setCustomStatus('active');
  yield* notify(context, input, 'active');
  let expiresAt = provisioned.expiresAt;
  let warned = false;
  // Each event waiter lives until its event arrives (a new one would leave the old one to swallow it).
  let extend = context.df.waitForExternalEvent('extend');
  for (;;) {
    let winner = arrived([revoke, extend]);
    // An extension that arrived after the expiry time is too late: the lease has expired.
    if (winner === extend && Date.parse(expiresAt) <= context.df.currentUtcDateTime.getTime())
      return { cause: 'expired', by: null };
    let warning: TimerTask | null = null;
    if (winner === undefined) {
      const expiry = context.df.createTimer(new Date(expiresAt));
      const warnAt = Date.parse(expiresAt) - (input.endingSoonBeforeMs ?? ENDING_SOON_BEFORE_MS);
      warning =
        !warned && warnAt > context.df.currentUtcDateTime.getTime() ? context.df.createTimer(new Date(warnAt)) : null;
      const timers = warning === null ? [expiry] : [expiry, warning];
      winner = (yield context.df.Task.any([...timers, revoke, extend])) as Task;
      for (const timer of timers) if (timer !== winner) timer.cancel();
      if (winner === expiry) return { cause: 'expired', by: null };
    }
    if (winner === revoke) {
      const event = revoke.result as RevokeEvent | undefined;
      return { cause: causeOf(event), by: typeof event?.by === 'string' ? event.by : null };
    }
    if (winner === warning) {
      warned = true;
      yield* notify(context, input, 'ending_soon');
      continue;
    }
    const request = extend.result as ExtendEvent;
    extend = context.df.waitForExternalEvent('extend');
    const result = (yield context.df.callActivityWithRetry('extendLease', activityRetry(input), {
      ...request,
      requestId: input.requestId,
    })) as { expiresAt: string | null };
    if (result.expiresAt !== null && result.expiresAt !== expiresAt) {
      expiresAt = result.expiresAt;
      warned = false;
    }
  }
}

/**
 * An event waiter that already has its event (it arrived while the orchestration was busy in an
 * activity). Checked before every race: durable-functions' Task.any never resolves on a child that
 * completed before the Task.any was made, so such an event would otherwise be lost.
 */
function arrived(waiters: readonly Task[]): Task | undefined {
  return waiters.find((w) => w.isCompleted || w.isFaulted);
}

/** Best effort: the activity logs a failed channel and returns; it never fails the lease. */
function* notify(
  context: OrchestrationContext,
  input: LeaseOrchestrationInput,
  kind: NotificationKind,
): Generator<Task, void, unknown> {
  if (input.notify === false) return;
  yield context.df.callActivity('notifyLease', { requestId: input.requestId, kind });
}

export const leaseOrchestratorHandler: OrchestrationHandler = leaseOrchestrator;
df.app.orchestration(LEASE_ORCHESTRATION, leaseOrchestratorHandler);
