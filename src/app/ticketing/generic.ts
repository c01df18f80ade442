import { z } from 'zod';
import { ValidationError, fieldProblemsOf } from '../../domain/errors';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../domain/webhookSignature';
import { fingerprintOf } from '../idempotency';
import { integrationNameSchema, type Connector } from './connector';
import { authenticateWithAnySecret } from './deliveryAuthentication';
import { webhookEventSchema } from './webhookEvent';

/**
 * The generic connector: our own signed event (./webhookEvent.ts), for any ticketing system that
 * can sign a request (X-Jit-Timestamp, X-Jit-Signature with the integration's HMAC secret). The
 * event names tenant, target and technician itself, so there is no mapping; its deliveryId is the
 * delivery's identity, and the body its fingerprint.
 */
export const genericConnector = {
  kind: 'generic',
  createBodySchema: z.strictObject({ name: integrationNameSchema, kind: z.literal('generic').default('generic') }),
  view: () => ({}),
  shownSecret: (_integration, secret) => ({ signingSecret: secret }),
  authenticate: async (_integration, delivery, { secrets, now }) =>
    authenticateWithAnySecret(
      secrets,
      (secret) =>
        verifySignature({
          secret,
          timestamp: delivery.header(TIMESTAMP_HEADER),
          signature: delivery.header(SIGNATURE_HEADER),
          rawBody: delivery.rawBody,
          now,
        }),
      delivery.rawBody,
    ),
  read: (_integration, delivery) => {
    const parsed = webhookEventSchema.safeParse(delivery.json);
    if (!parsed.success) throw new ValidationError(fieldProblemsOf(parsed.error));
    return { event: parsed.data, fingerprint: fingerprintOf(delivery.rawBody) };
  },
} satisfies Connector<'generic'>;
