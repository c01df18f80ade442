import type { HttpResponseInit } from '@azure/functions';
import { leaseOrchestrationsOf } from '../adapters/durable/leaseOrchestrations';
import { HttpCallbackKeySource } from '../adapters/ticketing/connectwiseCallbackKeys';
import { receiveWebhook } from '../app/webhooks';
import { NotFoundError, PayloadTooLargeError } from '../domain/errors';
import { isLocalDevelopment } from './integrations';
import type { DurableCall, OperationCall } from './operations/operation';
import { MAX_BODY_BYTES } from './parse';
import { json } from './respond';

/**
 * ConnectWise callback signing keys, cached for the process like the other adapters; built here,
 * beside its only user, rather than in the composition root's settings-driven AppDeps. Key servers
 * on loopback or private addresses are only reachable in local development.
 */
let callbackKeys: HttpCallbackKeySource | undefined;

/**
 * POST /api/webhooks/{integrationId}: authenticated by the integration's own means (the generic
 * HMAC signature, Autotask's X-Hook-Signature, ConnectWise's callback URL secret and
 * X-Content-Signature, HaloPSA's Basic credentials), never by a token. Anyone can call it, so what
 * it costs before authentication is bounded: a declared body too large is a 413 before a byte is
 * read, and the integration's secret comes from a short-lived cache rather than Key Vault each time.
 */
export async function receiveWebhookHttp({
  request,
  client,
  services: { deps, settings },
}: OperationCall & DurableCall): Promise<HttpResponseInit> {
  const integrationId = (request.params.integrationId ?? '').toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(integrationId))
    throw new NotFoundError('integration ids are GUIDs; no such integration');
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (!Number.isFinite(declared) || declared > MAX_BODY_BYTES)
    throw new PayloadTooLargeError(`the body must be at most ${MAX_BODY_BYTES} bytes`);
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`the body must be at most ${MAX_BODY_BYTES} bytes`);
  const url = new URL(request.url);
  const localDevelopment = isLocalDevelopment(settings);
  callbackKeys ??= new HttpCallbackKeySource(Date.now, { allowPrivateAddresses: localDevelopment });
  const outcome = await receiveWebhook(
    deps,
    leaseOrchestrationsOf(client),
    {
      integrationId,
      header: (name) => request.headers.get(name),
      query: (name) => url.searchParams.get(name),
      // Signatures cover the bytes as sent: decode without normalising anything.
      rawBody: bytes.toString('utf8'),
      requestUrl: (id) => new URL(`/api/requests/${id}`, request.url).toString(),
      instance: url.pathname,
    },
    { callbackKeys, localDevelopment },
  );
  return json(outcome.status, outcome.body, {
    ...(outcome.headers ?? {}),
    ...(outcome.replayed ? { 'Idempotent-Replayed': 'true' } : {}),
  });
}
