import { NotFoundError } from '../domain/errors';
import type { LeaseRequest } from '../domain/request';
import type { AppDeps } from './deps';

/**
 * How long an answer to approve, deny or revoke waits for the orchestration to record the action.
 * It usually takes well under a second; a slower one is answered with the request so far, and
 * `Location` to follow.
 */
export const ACTION_RECORDED_WITHIN_MS = 5_000;

/** The request once `recorded` holds for it, or as it stands when the wait is over. */
export async function awaitRecorded(
  deps: AppDeps,
  id: string,
  recorded: (request: LeaseRequest) => boolean,
): Promise<LeaseRequest> {
  const deadline = Date.now() + ACTION_RECORDED_WITHIN_MS;
  for (let pauseMs = 25; ; pauseMs = Math.min(pauseMs * 2, 250)) {
    const stored = await deps.requests.get(id);
    if (stored === null) throw new NotFoundError(`request ${id} does not exist`);
    if (recorded(stored.value) || Date.now() + pauseMs > deadline) return stored.value;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}
