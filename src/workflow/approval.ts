import type { OrchestrationContext, Task } from 'durable-functions';
import type { DecisionEvent } from '../app/approvals';
import type { LeaseOrchestrationInput } from '../app/ports';
import { callActivity, notify } from './callActivity';
import { arrived, waitForEvent, type RevokeEvent } from './leaseEvents';

export type ApprovalOutcome = 'approved' | 'denied' | 'approval_expired' | 'withdrawn';

/**
 * Waits for a decision until the deadline; a `revoke` meanwhile withdraws the request. A decision
 * the activity refuses (it re-checks who decided) leaves the request pending: wait again.
 */
export function* awaitApproval(
  context: OrchestrationContext,
  lease: LeaseOrchestrationInput,
  deadline: string,
  revoke: Task,
): Generator<Task, ApprovalOutcome, unknown> {
  const requestId = lease.requestId;
  context.df.setCustomStatus('awaiting_approval');
  yield* notify(context, lease, 'pending_approval');
  let notifiedStage = 1;
  let decision = waitForEvent(context, 'decision');
  for (;;) {
    let winner = arrived([revoke, decision]);
    if (winner === undefined) {
      const timer = context.df.createTimer(new Date(deadline));
      winner = (yield context.df.Task.any([timer, decision, revoke])) as Task;
      if (winner === timer) {
        yield* callActivity(context, lease, 'expireApproval', requestId);
        return 'approval_expired';
      }
      timer.cancel();
    }
    if (winner === revoke) {
      const by = (revoke.result as RevokeEvent | undefined)?.by;
      yield* callActivity(context, lease, 'withdrawRequest', {
        requestId,
        by: typeof by === 'string' ? by : 'unknown',
      });
      return 'withdrawn';
    }
    const event = decision.result as DecisionEvent;
    const result = yield* callActivity(context, lease, 'recordDecision', { ...event, requestId });
    if (result.status === 'provisioning' || result.status === 'scheduled') return 'approved';
    if (result.status !== 'pending_approval') return 'denied';
    // A stage completed and the next began: its approvers are told now, once (the activity's answer
    // is in the history, so a replay takes the same path and sends nothing again).
    if (result.stage !== undefined && result.stage > notifiedStage) {
      notifiedStage = result.stage;
      yield* notify(context, lease, 'pending_approval');
    }
    decision = waitForEvent(context, 'decision');
  }
}
