import { z } from 'zod';
import { halopsaWriter } from './halopsaWriteBack';
import { writeBackBodySchemaOf } from './writeBack';
import { ValidationError, fieldProblemsOf } from '../../domain/errors';
import { psaMappingSchema } from '../../domain/psaMapping';
import { verifyBasicAuth } from '../../domain/webhookSignature';
import { createBodySchemaOf, type Connector } from './connector';
import { authenticateWithAnySecret } from './deliveryAuthentication';
import { readingOfTicket } from './mapping';
import { propertyOf, textOf, textsOf, vendorIdSchema, type TicketFacts } from './psaTicket';

/**
 * HaloPSA webhooks (Configuration > Integrations > Webhooks). A delivery is a POST of the event and,
 * with the "Small object" or "Full object" payload, the ticket:
 *   {"id":"<guid>","webhook_id":"<guid>","notification_id":41,"event":"ticket status changed",
 *    "object_id":4242,"timestamp":"…","ticket":{"id":4242,"status_id":21,"client_id":12,"agent_id":3,
 *    "summary":"…","customfields":[{"name":"CFJitTarget","value":"helpdesk-admin"},…]}}
 * Halo signs nothing: the webhook's Basic authentication (username and password we generate) is
 * the credential. Batched deliveries (Halo 2.164+) and "Event information only" payloads are refused
 * with a 400 that says which webhook setting to change.
 */
const customFieldSchema = z.looseObject({
  name: z.string().optional(),
  label: z.string().optional(),
  value: z.unknown().optional(),
  display: z.unknown().optional(),
});

export const haloPayloadSchema = z.looseObject({
  id: z.string().optional(),
  event: z.string().optional(),
  object_id: z.unknown().optional(),
  ticket: z.looseObject(
    {
      id: vendorIdSchema,
      status_id: z.unknown().optional(),
      client_id: z.unknown().optional(),
      agent_id: z.unknown().optional(),
      summary: z.unknown().optional(),
      customfields: z.array(customFieldSchema).optional(),
    },
    {
      error: (issue) =>
        issue.input === undefined
          ? 'the payload has no ticket: set the webhook\'s Payload to "Full object with linked objects"'
          : 'must be the ticket object',
    },
  ),
});
export type HaloPayload = z.infer<typeof haloPayloadSchema>;

/** Refuses what a correctly configured webhook never sends, with the setting to change. */
export function haloShapeProblem(json: unknown): string | null {
  if (Array.isArray(json))
    return "a batched delivery: turn the webhook's Batching off (each event must arrive on its own)";
  return null;
}

/** A custom field's value by its name (CFJitTarget) or label, as the ticket's customfields list carries it. */
function customFieldOf(ticket: HaloPayload['ticket'], name: string): string | null {
  const wanted = name.toLowerCase();
  for (const field of ticket.customfields ?? []) {
    if (field.name?.toLowerCase() === wanted || field.label?.toLowerCase() === wanted)
      return textOf(field.value) ?? textOf(field.display);
  }
  return textOf(propertyOf(ticket, name));
}

export function haloTicketFacts(payload: HaloPayload): { readonly facts: TicketFacts } {
  const ticket = payload.ticket;
  return {
    facts: {
      ticketId: ticket.id,
      ticketReference: ticket.id,
      summary: textOf(ticket.summary),
      status: textsOf(ticket.status_id),
      company: textsOf(ticket.client_id),
      technician: textsOf(ticket.agent_id),
      field: (name) => customFieldOf(ticket, name),
    },
  };
}

/** A delivery read as a ticket; throws ValidationError, with the Halo setting to change where there is one. */
export function readHalo(json: unknown): { readonly facts: TicketFacts } {
  const problem = haloShapeProblem(json);
  if (problem !== null) throw new ValidationError([{ field: '(body)', message: problem }]);
  const parsed = haloPayloadSchema.safeParse(json);
  if (!parsed.success) throw new ValidationError(fieldProblemsOf(parsed.error));
  return haloTicketFacts(parsed.data);
}

/**
 * The HaloPSA connector: Basic credentials (a username the admin picks, a password we generate) set
 * on the webhook; the ticket read from the delivery's ticket object through the integration's mapping.
 */
export const halopsaConnector = {
  kind: 'halopsa',
  createBodySchema: createBodySchemaOf('halopsa', {
    mapping: psaMappingSchema,
    basicUsername: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash and underscore, at most 64')
      .default('entra-jit')
      .describe('The Basic authentication username to set on the HaloPSA webhook (the password is generated)'),
    writeBack: writeBackBodySchemaOf(halopsaWriter.credentialsSchema).optional(),
  }),
  writeBack: halopsaWriter,
  view: (integration) => ({ mapping: integration.mapping, basicUsername: integration.basicUsername }),
  shownSecret: (integration, secret) => ({ basicAuth: { username: integration.basicUsername, password: secret } }),
  authenticate: async (integration, delivery, { secrets }) =>
    authenticateWithAnySecret(
      secrets,
      (password) =>
        verifyBasicAuth({
          username: integration.basicUsername,
          password,
          authorization: delivery.header('Authorization'),
        }),
      delivery.rawBody,
    ),
  read: (integration, delivery) => readingOfTicket('halopsa', 'HaloPSA', integration.mapping, readHalo(delivery.json)),
} satisfies Connector<'halopsa'>;
