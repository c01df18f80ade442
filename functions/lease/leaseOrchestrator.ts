import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import { LEASE_ORCHESTRATION } from '../../src/adapters/durable/leaseOrchestrations';
import type { LeaseOrchestrationInput } from '../../src/app/ports';
import type { ProvisionResult } from '../../src/app/provisionAccess';
import type { RevokeAccessInput } from '../../src/app/revokeAccess';

/**
 * One lease, from provisioning to a verified revocation (DESIGN §3). Deterministic: time only from
 * currentUtcDateTime, I/O only in activities; input, output, events and custom status hold ids and
 * times, never a secret.
 */
const activityRetry = (() => {
  const retry = new df.RetryOptions(2_000, 6);
  retry.backoffCoefficient = 2;
  retry.maxRetryIntervalInMilliseconds = 60_000;
  return retry;
})();

/** After this many failed revocation rounds the history restarts (continueAsNew) to stay small. */
export const REVOCATION_ROUNDS_PER_HISTORY = 20;

interface RevokeEvent {
  readonly by?: string | null;
}

export function* leaseOrchestrator(context: OrchestrationContext): Generator<Task, string, unknown> {
  const input = context.df.getInput<LeaseOrchestrationInput>();
  const revocation = input.resumeRevocation ?? (yield* provisionAndHold(context, input));
  if (revocation === 'not_provisioned') return 'not_provisioned';

  context.df.setCustomStatus('revoking');
  const revokeInput: RevokeAccessInput = { requestId: input.requestId, ...revocation };
  for (let round = 1; ; round++) {
    try {
      yield context.df.callActivityWithRetry('revokeAccess', activityRetry, revokeInput);
      break;
    } catch (error) {
      // Never a quiet finish: record it (status, audit, alert), wait, and try again.
      context.df.setCustomStatus('revocation_failed');
      yield context.df.callActivityWithRetry('recordRevocationFailure', activityRetry, { requestId: input.requestId, failure: messageOf(error), attempt: round });
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + input.revocationRetryIntervalMs));
      if (round >= REVOCATION_ROUNDS_PER_HISTORY) {
        context.df.continueAsNew({ ...input, resumeRevocation: revocation } satisfies LeaseOrchestrationInput);
        return 'continued';
      }
    }
  }
  context.df.setCustomStatus('ended');
  return revocation.cause === 'provisionFailed' ? 'failed' : 'ended';
}

type Revocation = NonNullable<LeaseOrchestrationInput['resumeRevocation']>;

/** Provisions, then holds the lease until it expires or a revoke event arrives. */
function* provisionAndHold(context: OrchestrationContext, input: LeaseOrchestrationInput): Generator<Task, Revocation | 'not_provisioned', unknown> {
  context.df.setCustomStatus('provisioning');
  let provisioned: ProvisionResult;
  try {
    provisioned = (yield context.df.callActivityWithRetry('provisionAccess', activityRetry, input.requestId)) as ProvisionResult;
  } catch (error) {
    // Whatever was done before the failure is taken away again before the request is failed.
    return { cause: 'provisionFailed', by: null, failure: messageOf(error) };
  }
  if (provisioned.status === 'not_provisioned' || provisioned.expiresAt === null) return 'not_provisioned';

  context.df.setCustomStatus('active');
  const timer = context.df.createTimer(new Date(provisioned.expiresAt));
  const revoke = context.df.waitForExternalEvent('revoke');
  const winner = (yield context.df.Task.any([timer, revoke])) as Task;
  if (winner === timer) return { cause: 'expired', by: null };
  timer.cancel();
  const by = (revoke.result as RevokeEvent | undefined)?.by;
  return { cause: 'revoked', by: typeof by === 'string' ? by : null };
}

/** Activity failures carry our own error messages (never secrets); keep them short in history. */
function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}

export const leaseOrchestratorHandler: OrchestrationHandler = leaseOrchestrator;
df.app.orchestration(LEASE_ORCHESTRATION, leaseOrchestratorHandler);
