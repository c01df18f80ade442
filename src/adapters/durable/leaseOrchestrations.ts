import type { DurableClient } from 'durable-functions';
import { ConflictError } from '../../domain/errors';
import type { LeaseEventName, LeaseOrchestrationInput, LeaseOrchestrations } from '../../app/ports';

export const LEASE_ORCHESTRATION = 'lease';

/** The lease orchestrations through the Durable Functions client of the current invocation. */
export function leaseOrchestrationsOf(client: DurableClient): LeaseOrchestrations {
  return {
    async start(input: LeaseOrchestrationInput): Promise<void> {
      // Instance id = request id: a retried start finds the instance instead of making a second.
      const status = await client.getStatus(input.requestId).catch(() => undefined);
      if (status?.instanceId === input.requestId) return;
      await client.startNew(LEASE_ORCHESTRATION, { instanceId: input.requestId, input });
    },
    async raise(requestId: string, event: LeaseEventName, payload: Readonly<Record<string, string | null>>): Promise<void> {
      try {
        await client.raiseEvent(requestId, event, payload);
      } catch (error) {
        // 404/410 from the host: the orchestration is gone or finished; the request row says why.
        const message = error instanceof Error ? error.message : String(error);
        throw new ConflictError(`the lease of request ${requestId} can no longer take '${event}' events (${message.slice(0, 200)})`);
      }
    },
  };
}
