import { autotaskWriter } from './autotaskWriteBack';
import { writeBackBodySchemaOf } from './writeBack';
import { z } from 'zod';
import { ValidationError, fieldProblemsOf } from '../../domain/errors';
import { psaMappingSchema } from '../../domain/psaMapping';
import { AUTOTASK_SIGNATURE_HEADER, verifyAutotaskSignature } from '../../domain/webhookSignature';
import { createBodySchemaOf, type Connector } from './connector';
import { authenticateWithAnySecret } from './deliveryAuthentication';
import { readingOfTicket } from './mapping';
import { propertyOf, textOf, textsOf, vendorIdSchema, type TicketRead } from './psaTicket';

/**
 * Autotask webhooks (REST API `TicketWebhooks`). A callout is a POST of
 *   {"Action":"Update","Guid":"…","EntityType":"Ticket","Id":351181,
 *    "Fields":{"Status":"21","CompanyID":"250",…},"EventTime":"…","SequenceNumber":2,"PersonID":…}
 * signed `X-Hook-Signature: sha1=<base64 HMAC-SHA1(SecretKey, body)>` (Autotask's "Secret key and
 * payload verification"). `Fields` holds the webhook's subscribed fields that changed and its
 * "display always" fields, under their REST API names; the casing of names is not documented, so
 * they are matched case-insensitively. Which fields an integration needs is in docs/ticketing.md.
 */
export const autotaskPayloadSchema = z.looseObject({
  Action: z.string().trim().min(1),
  EntityType: z.string().trim().min(1),
  Id: vendorIdSchema,
  Fields: z.record(z.string(), z.unknown()).default({}),
  Guid: z.string().optional(),
  EventTime: z.string().optional(),
  SequenceNumber: z.number().optional(),
});
export type AutotaskPayload = z.infer<typeof autotaskPayloadSchema>;

/** The REST field names an integration needs in the payload ("display always" fields). */
export const AUTOTASK_FIELDS = {
  status: 'status',
  company: 'companyID',
  technician: 'assignedResourceID',
  number: 'ticketNumber',
  title: 'title',
} as const;

/** A UDF: as a key of Fields, or in a `UserDefinedFields` list of {name, value} (not documented which). */
function udfOf(fields: Readonly<Record<string, unknown>>, name: string): string | null {
  const direct = textOf(propertyOf(fields, name));
  if (direct !== null) return direct;
  const list = propertyOf(fields, 'userDefinedFields');
  if (!Array.isArray(list)) return null;
  for (const entry of list as unknown[]) {
    if (entry === null || typeof entry !== 'object') continue;
    const udf = entry as Record<string, unknown>;
    if (textOf(propertyOf(udf, 'name'))?.toLowerCase() === name.toLowerCase()) return textOf(propertyOf(udf, 'value'));
  }
  return null;
}

/** The ticket this callout is about, or why the callout is not about a ticket that may ask for access. */
export function autotaskTicketFacts(payload: AutotaskPayload): TicketRead {
  if (payload.EntityType.toLowerCase() !== 'ticket' && payload.EntityType.toLowerCase() !== 'tickets') {
    return { ignored: `an Autotask ${payload.EntityType} event, not a ticket's` };
  }
  const action = payload.Action.toLowerCase();
  if (action !== 'create' && action !== 'update')
    return { ignored: `ticket ${payload.Id}: a '${payload.Action}' event does not ask for access` };
  const fields = payload.Fields;
  const value = (name: string): string | null => textOf(propertyOf(fields, name));
  return {
    facts: {
      ticketId: payload.Id,
      ticketReference: value(AUTOTASK_FIELDS.number) ?? payload.Id,
      summary: value(AUTOTASK_FIELDS.title),
      status: textsOf(propertyOf(fields, AUTOTASK_FIELDS.status)),
      company: textsOf(propertyOf(fields, AUTOTASK_FIELDS.company)),
      technician: textsOf(propertyOf(fields, AUTOTASK_FIELDS.technician)),
      field: (name) => udfOf(fields, name),
    },
  };
}

/**
 * A callout read as a ticket. A deactivation notice (Action "Deactivated", sent when Autotask turns
 * the webhook off; it may carry no entity) asks for nothing. Throws ValidationError for a body that
 * is not a callout.
 */
export function readAutotask(json: unknown): TicketRead {
  const action = z.looseObject({ Action: z.string() }).safeParse(json);
  if (action.success && action.data.Action.trim().toLowerCase() === 'deactivated')
    return { ignored: 'an Autotask deactivation notice: the webhook was turned off in Autotask' };
  const parsed = autotaskPayloadSchema.safeParse(json);
  if (!parsed.success) throw new ValidationError(fieldProblemsOf(parsed.error));
  return autotaskTicketFacts(parsed.data);
}

/**
 * The Autotask connector: an HMAC signing secret we generate, set as the webhook's SecretKey; the
 * ticket read from the callout's Fields through the integration's mapping.
 */
export const autotaskConnector = {
  kind: 'autotask',
  createBodySchema: createBodySchemaOf('autotask', {
    mapping: psaMappingSchema,
    writeBack: writeBackBodySchemaOf(autotaskWriter.credentialsSchema).optional(),
  }),
  writeBack: autotaskWriter,
  view: (integration) => ({ mapping: integration.mapping }),
  shownSecret: (_integration, secret) => ({ signingSecret: secret }),
  authenticate: async (_integration, delivery, { secrets }) =>
    authenticateWithAnySecret(
      secrets,
      (secretKey) =>
        verifyAutotaskSignature({
          secretKey,
          signature: delivery.header(AUTOTASK_SIGNATURE_HEADER),
          rawBody: delivery.rawBody,
        }),
      delivery.rawBody,
    ),
  read: (integration, delivery) =>
    readingOfTicket('autotask', 'Autotask', integration.mapping, readAutotask(delivery.json)),
} satisfies Connector<'autotask'>;
