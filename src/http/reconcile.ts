import type { HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { leaseOrchestrationsOf } from '../adapters/durable/leaseOrchestrations';
import { reconcile } from '../app/reconcile';
import { getServices } from '../composition';
import type { AuthenticatedCall, DurableCall } from './operations/operation';
import { json } from './respond';

/** The reconciler on its schedule (JIT_RECONCILE_SCHEDULE). */
export async function reconcilerTimer(_timer: Timer, client: DurableClient, context: InvocationContext): Promise<void> {
  const report = await reconcile(getServices().deps, leaseOrchestrationsOf(client));
  context.log(
    JSON.stringify({ event: 'reconciler_done', invocationId: context.invocationId, errors: report.errors.length }),
  );
}

/** `POST /api/ops/reconcile`: run it now (admins), answering what it found and did. */
export async function reconcileHttp({
  client,
  services: { deps },
}: AuthenticatedCall & DurableCall): Promise<HttpResponseInit> {
  return json(200, await reconcile(deps, leaseOrchestrationsOf(client)));
}
