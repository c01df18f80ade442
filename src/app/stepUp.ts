import type { Caller } from '../domain/caller';
import type { Target } from '../domain/config';
import { requireAuthenticationContext, StepUpRequiredError, type AuthenticationContext } from '../domain/stepUp';
import type { AppDeps } from './deps';

/**
 * The step-up checks of the use cases (policy in src/domain/stepUp.ts). A refusal is logged, not
 * audited: the portal's first call is made with the token it already holds, so a challenge
 * precedes nearly every step-up and is part of signing in, like a 401 for an expired token; the
 * audit trail records the action once it is done with the stronger token. The log line names the
 * caller, the target and the context asked, never the token.
 */
export function requireStepUp(
  deps: Pick<AppDeps, 'log'>,
  caller: Caller,
  target: Pick<Target, 'tenantId' | 'targetId'>,
  required: AuthenticationContext | undefined,
  action: string,
  requestId?: string,
): void {
  try {
    requireAuthenticationContext(caller, required, action);
  } catch (error) {
    if (error instanceof StepUpRequiredError) {
      deps.log('warn', 'step_up_required', {
        action,
        caller: caller.objectId,
        tenantId: target.tenantId,
        targetId: target.targetId,
        authenticationContext: error.authenticationContext,
        ...(requestId !== undefined ? { requestId } : {}),
      });
    }
    throw error;
  }
}

/**
 * Approving a request of a target that asks its approvers for an authentication context. Absent
 * request or target: nothing to ask here (the approve path answers 404 itself).
 */
export async function requireApproverStepUp(deps: AppDeps, caller: Caller, requestId: string): Promise<void> {
  const request = await deps.requests.get(requestId);
  if (request === null) return;
  const target = await deps.config.getTarget(request.value.tenantId, request.value.targetId);
  if (target === null) return;
  requireStepUp(
    deps,
    caller,
    target.value,
    target.value.stepUp?.approverAuthenticationContext,
    'approving a request of this target',
    requestId,
  );
}
