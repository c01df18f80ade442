import * as df from 'durable-functions';
import { reconcileHttp, reconcilerTimer } from '../../src/http/reconcile';

df.app.client.timer('reconciler', { schedule: '%JIT_RECONCILE_SCHEDULE%', handler: reconcilerTimer });
df.app.client.http('runReconciler', {
  route: 'ops/reconcile',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: reconcileHttp,
});
