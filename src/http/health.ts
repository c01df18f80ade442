import type { HttpResponseInit } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { leaseOrchestrationsOf } from '../adapters/durable/leaseOrchestrations';
import { CachedHealth, checkHealth } from '../app/health';
import type { DurableCall, OperationCall } from './operations/operation';
import { json } from './respond';

let cached: CachedHealth | undefined;
/** The Durable client of the latest invocation: the shared check asks the task hub through it. */
let latestClient: DurableClient | undefined;

/** An instance id no lease has (request ids are random GUIDs): asking for it reads the task hub and finds nothing. */
const TASK_HUB_PROBE_INSTANCE = '00000000-0000-0000-0000-000000000000';

export async function healthHttp({
  client,
  services: { deps, settings },
}: OperationCall & DurableCall): Promise<HttpResponseInit> {
  const metadata = `${settings.JIT_AUTHORITY_HOST.replace(/\/+$/, '')}/${settings.JIT_HOME_TENANT_ID}/v2.0/.well-known/openid-configuration`;
  latestClient = client;
  const probeTaskHub = () => leaseOrchestrationsOf(latestClient ?? client).state(TASK_HUB_PROBE_INSTANCE);
  cached ??= new CachedHealth(() => checkHealth(deps, metadata, probeTaskHub));
  const health = await cached.get();
  return json(health.status === 'ok' ? 200 : 503, health);
}
