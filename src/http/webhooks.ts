import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { leaseOrchestrationsOf } from '../adapters/durable/leaseOrchestrations';
import { receiveWebhook } from '../app/webhooks';
import { NotFoundError, PayloadTooLargeError } from '../domain/errors';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../domain/webhookSignature';
import { anonymous } from './endpoint';
import { MAX_BODY_BYTES } from './parse';
import { json } from './respond';

/** POST /api/webhooks/{integrationId}: authenticated by its HMAC signature, not by a token. */
export async function receiveWebhookHttp(request: HttpRequest, client: DurableClient, context: InvocationContext): Promise<HttpResponseInit> {
  return anonymous(request, context, async ({ deps }) => {
    const integrationId = (request.params.integrationId ?? '').toLowerCase();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(integrationId)) throw new NotFoundError('integration ids are GUIDs; no such integration');
    const bytes = Buffer.from(await request.arrayBuffer());
    if (bytes.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`the body must be at most ${MAX_BODY_BYTES} bytes`);
    const outcome = await receiveWebhook(deps, leaseOrchestrationsOf(client), {
      integrationId,
      timestamp: request.headers.get(TIMESTAMP_HEADER),
      signature: request.headers.get(SIGNATURE_HEADER),
      // The signature covers the bytes as sent: decode without normalising anything.
      rawBody: bytes.toString('utf8'),
      requestUrl: (id) => new URL(`/api/requests/${id}`, request.url).toString(),
      instance: new URL(request.url).pathname,
    });
    return json(outcome.status, outcome.body, { ...(outcome.headers ?? {}), ...(outcome.replayed ? { 'Idempotent-Replayed': 'true' } : {}) });
  });
}
