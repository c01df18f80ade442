import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { leaseOrchestrationsOf } from '../adapters/durable/leaseOrchestrations';
import { reconcile } from '../app/reconcile';
import { getServices } from '../composition';
import { asAdmin } from './endpoint';
import { json } from './respond';

/** The reconciler on its schedule (JIT_RECONCILE_SCHEDULE). */
export async function reconcilerTimer(_timer: Timer, client: DurableClient, context: InvocationContext): Promise<void> {
  const report = await reconcile(getServices().deps, leaseOrchestrationsOf(client));
  context.log(
    JSON.stringify({ event: 'reconciler_done', invocationId: context.invocationId, errors: report.errors.length }),
  );
}

/** `POST /api/ops/reconcile`: run it now (admins), answering what it found and did. */
export async function reconcileHttp(
  request: HttpRequest,
  client: DurableClient,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (_caller, { deps }) =>
    json(200, await reconcile(deps, leaseOrchestrationsOf(client))),
  );
}
