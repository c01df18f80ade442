import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../domain/webhookSignature';
import { receiveWebhookHttp } from '../webhooks';
import { defineOperation, problems, type HttpOperation } from './operation';

export const WEBHOOK_OPERATIONS: readonly HttpOperation[] = [
  defineOperation({
    operationId: 'receiveWebhook',
    method: 'POST',
    route: 'webhooks/{integrationId}',
    tag: 'webhooks',
    summary: "A ticketing system asks for access for a technician (signed with the integration's secret, no token)",
    description:
      `Authenticated by an HMAC signature, not a token: \`${TIMESTAMP_HEADER}: <unix seconds>\` and \`${SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>\`, ` +
      "over the body bytes exactly as sent; a timestamp more than 5 minutes from the server's time is refused (401). " +
      'The technician is looked up in the home tenant (by objectId or userPrincipalName; the home tenant must be connected, else 409) and the entitlement rules are checked for them as for a portal request. ' +
      'A repeated `deliveryId` answers the first success with `Idempotent-Replayed: true`; a refusal (403, 404, 409 …) is not kept, so a retry after the configuration is fixed is evaluated again; the same deliveryId with another body is a 422. ' +
      'A body whose declared Content-Length exceeds 64 KiB is refused (413) before it is read. ' +
      "Integrations of kind connectwise, autotask and halopsa take their PSA's native payload instead, authenticated as the PSA does it (X-Content-Signature, X-Hook-Signature, Basic credentials; see docs/ticketing.md); " +
      "the headers below are the generic kind's. A native event that does not ask for access is answered 200 with the reason.",
    access: 'signature',
    durableClient: true,
    requestBody: 'WebhookEvent',
    requestHeaders: [
      {
        name: TIMESTAMP_HEADER,
        description: "Signing time in unix seconds, within 5 minutes of the server's time",
        required: true,
        schema: { type: 'string', pattern: '^[0-9]{1,12}$' },
      },
      {
        name: SIGNATURE_HEADER,
        description: 'sha256=<lowercase or uppercase hex of HMAC-SHA256(signing secret, timestamp + "." + raw body)>',
        required: true,
        schema: { type: 'string', pattern: '^sha256=[0-9a-fA-F]{64}$' },
      },
    ],
    responses: {
      '202': {
        description: 'Accepted: the request is made for the technician (pending_approval or provisioning)',
        schema: 'WebhookAccepted',
        headers: [
          'Location',
          {
            name: 'Idempotent-Replayed',
            description: "'true' when this is the stored answer to an earlier delivery with the same deliveryId",
            required: false,
          },
        ],
      },
      '200': {
        description: 'A native PSA event that asks for no access (why is in `reason`); nothing was done',
        schema: 'WebhookIgnored',
      },
      '400': {
        description: 'Bad event: every failing field is named in `errors` (also: no such technician)',
        schema: 'Problem',
      },
      '401': {
        description:
          'Signature or timestamp missing, malformed, stale or not matching the body (or the native credential wrong)',
        schema: 'Problem',
      },
      '403': { description: 'The technician is not entitled to the target', schema: 'Problem' },
      '404': {
        description: 'No such integration, or it is disabled or deleted (audited); no such tenant or target',
        schema: 'Problem',
      },
      '409': {
        description:
          'The technician already has a live request for the tenant; the home tenant is not connected; the first delivery is still being processed',
        schema: 'Problem',
      },
      ...problems(413, 422, 503),
    },
    handler: receiveWebhookHttp,
  }),
];
