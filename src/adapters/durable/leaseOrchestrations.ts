import { OrchestrationRuntimeStatus, type DurableClient } from 'durable-functions';
import {
  OrchestrationNotRunningError,
  type LeaseEventName,
  type LeaseOrchestrationControl,
  type LeaseOrchestrationInput,
  type LeaseOrchestrationState,
} from '../../app/ports';

export const LEASE_ORCHESTRATION = 'lease';

/** The lease orchestrations through the Durable Functions client of the current invocation. */
export function leaseOrchestrationsOf(client: DurableClient): LeaseOrchestrationControl {
  async function state(requestId: string): Promise<LeaseOrchestrationState> {
    try {
      const status = await client.getStatus(requestId);
      switch (status.runtimeStatus) {
        case OrchestrationRuntimeStatus.Completed:
          return 'completed';
        case OrchestrationRuntimeStatus.Failed:
          return 'failed';
        case OrchestrationRuntimeStatus.Terminated:
        case OrchestrationRuntimeStatus.Canceled:
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
    async raise(
      requestId: string,
      event: LeaseEventName,
      payload: Readonly<Record<string, string | null>>,
    ): Promise<void> {
      // The client treats the host's 410 (instance finished) as success and the event would be
      // dropped in silence: look first, and say so when nobody is listening.
      const current = await state(requestId);
      if (current !== 'running') throw new OrchestrationNotRunningError(requestId, event, current);
      await client.raiseEvent(requestId, event, payload);
    },
    state,
    async restart(input: LeaseOrchestrationInput): Promise<void> {
      await client.startNew(LEASE_ORCHESTRATION, { instanceId: input.requestId, input });
    },
  };
}
