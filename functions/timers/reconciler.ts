import * as df from 'durable-functions';
import { reconcilerTimer } from '../../src/http/reconcile';

df.app.client.timer('reconciler', { schedule: '%JIT_RECONCILE_SCHEDULE%', handler: reconcilerTimer });
