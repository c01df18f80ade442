import type { OrchestrationContext, Task } from 'durable-functions';
import type { LeaseOrchestrationInput } from '../app/ports';
import { awaitApproval } from './approval';
import { notify } from './callActivity';
import { provisionAndHold } from './hold';
import { waitForEvent } from './leaseEvents';
import { revokeUntilDone } from './revocation';
import { awaitStart } from './schedule';

/**
 * One lease, from the approval to a verified revocation (DESIGN §3), registered as the `lease`
 * orchestration (functions/lease/leaseOrchestrator.ts). Deterministic: time only from
 * currentUtcDateTime, I/O only in activities; input, output, events and custom status hold ids and
 * times, never a secret. The orchestration is the only writer of a lease's state: HTTP calls
 * validate and raise events, activities write.
 */
export function* leaseOrchestrator(context: OrchestrationContext): Generator<Task, string, unknown> {
  const lease = context.df.getInput<LeaseOrchestrationInput>();
  // One waiter for `revoke` from start to end: a second one would leave the first to swallow the event.
  const revoke = waitForEvent(context, 'revoke');
  if (lease.resumeRevocation === undefined && lease.approvalDeadline !== undefined) {
    const outcome = yield* awaitApproval(context, lease, lease.approvalDeadline, revoke);
    if (outcome !== 'approved') {
      context.df.setCustomStatus('ended');
      yield* notify(context, lease, outcome === 'denied' ? 'denied' : 'ended');
      return outcome;
    }
    yield* notify(context, lease, 'approved');
  }
  if (lease.resumeRevocation === undefined && lease.startAt !== undefined) {
    if ((yield* awaitStart(context, lease, lease.startAt, revoke)) === 'withdrawn') {
      context.df.setCustomStatus('ended');
      yield* notify(context, lease, 'ended');
      return 'withdrawn';
    }
  }
  const revocation = lease.resumeRevocation ?? (yield* provisionAndHold(context, lease, revoke));
  if (revocation === 'not_provisioned') return 'not_provisioned';

  if ((yield* revokeUntilDone(context, lease, revocation)) === 'continued') return 'continued';
  context.df.setCustomStatus('ended');
  yield* notify(context, lease, 'ended');
  return revocation.cause === 'provisionFailed' ? 'failed' : 'ended';
}
