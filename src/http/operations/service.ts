import { healthHttp } from '../health';
import { reconcileHttp } from '../reconcile';
import { ADMIN_ERRORS, defineOperation, problems, type HttpOperation } from './operation';

/** The service's own operations (health, running the reconciler); the OpenAPI document's is in index.ts. */

export const SERVICE_OPERATIONS: readonly HttpOperation[] = [
  defineOperation({
    operationId: 'health',
    method: 'GET',
    route: 'health',
    tag: 'service',
    summary: 'Storage, Key Vault and sign-in endpoint reachability',
    access: 'anonymous',
    durableClient: true,
    responses: {
      '200': { description: 'Everything reachable', schema: 'Health' },
      '503': { description: 'Something is down', schema: 'Health' },
    },
    handler: healthHttp,
  }),
  defineOperation({
    operationId: 'reconcile',
    functionName: 'runReconciler',
    method: 'POST',
    route: 'ops/reconcile',
    tag: 'service',
    summary: 'Run the reconciler now (it also runs on its schedule) and see what it found and did',
    description:
      'Restarts leases whose orchestration failed or vanished, disables JIT accounts enabled without a live lease (drift), reports look-alike accounts it did not make, ' +
      "deletes credentials that outlived their lease and accounts unused past their tenant's cleanup period. Every finding is audited. Takes no body.",
    access: 'admin',
    durableClient: true,
    responses: { '200': { description: 'The report', schema: 'ReconcileReport' }, ...problems(...ADMIN_ERRORS, 503) },
    handler: reconcileHttp,
  }),
];
