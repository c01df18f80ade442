import type { DurableClient } from 'durable-functions';
import { ConflictError } from '../../domain/errors';
import type { LeaseEventName, LeaseOrchestrationControl, LeaseOrchestrationInput, LeaseOrchestrationState } from '../../app/ports';

export const LEASE_ORCHESTRATION = 'lease';

/** The lease's orchestration is not running (finished, failed, terminated or missing). */
export class LeaseOrchestrationGoneError extends ConflictError {
  constructor(
    readonly requestId: string,
    readonly event: LeaseEventName,
    readonly orchestration: LeaseOrchestrationState,
  ) {
    super(`the lease of request ${requestId} is not running (${orchestration}) and cannot take '${event}' events`, { orchestration });
  }
}

/** The lease orchestrations through the Durable Functions client of the current invocation. */
export function leaseOrchestrationsOf(client: DurableClient): LeaseOrchestrationControl {
  async function state(requestId: string): Promise<LeaseOrchestrationState> {
    try {
      const status = await client.getStatus(requestId);
      switch (status.runtimeStatus) {
        case 'Completed':
          return 'completed';
        case 'Failed':
          return 'failed';
        case 'Terminated':
        case 'Canceled':
          return 'terminated';
        default:
          return 'running';
      }
    } catch (error) {
      // The client reports an unknown instance as an error naming the host's 404.
      if (error instanceof Error && /\b404\b/.test(error.message)) return 'missing';
      throw error;
    }
  }

  return {
    async start(input: LeaseOrchestrationInput): Promise<void> {
      // Instance id = request id: a retried start finds the instance instead of making a second.
      try {
        await client.startNew(LEASE_ORCHESTRATION, { instanceId: input.requestId, input });
      } catch (error) {
        if ((await state(input.requestId)) === 'missing') throw error;
      }
    },
    async raise(requestId: string, event: LeaseEventName, payload: Readonly<Record<string, string | null>>): Promise<void> {
      // The client treats the host's 410 (instance finished) as success and the event would be
      // dropped in silence: look first, and say so when nobody is listening.
      const current = await state(requestId);
      if (current !== 'running') throw new LeaseOrchestrationGoneError(requestId, event, current);
      await client.raiseEvent(requestId, event, payload);
    },
    state,
    async restart(input: LeaseOrchestrationInput): Promise<void> {
      await client.startNew(LEASE_ORCHESTRATION, { instanceId: input.requestId, input });
    },
  };
}
