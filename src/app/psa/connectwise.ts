import { z } from 'zod';
import { ValidationError } from '../../domain/errors';
import { fieldProblemsOf } from '../problem';
import { textOf, textsOf, vendorIdSchema, type TicketFacts } from './common';

/**
 * ConnectWise PSA callbacks (System > Callbacks, or POST /system/callbacks with type "Ticket"). A
 * callback is a POST of
 *   {"MessageId":"…","FromUrl":"…","CompanyId":"<PSA login company>","MemberId":"…","Action":"updated",
 *    "Type":"ticket","ID":1234,"ProductInstanceId":"…","Entity":"<the ticket as JSON text>",
 *    "Metadata":{"key_url":"https://<PSA site>/v4_6_release/…/callbackkey/…"},"CallbackObjectRecId":…}
 * signed `X-Content-Signature: base64(HMAC-SHA256(SHA-256(signing key), body))`, the signing key
 * being `{"signing_key":…}` as served at key_url. key_url arrives in the (not yet verified) body,
 * so it is only followed to the PSA site configured on the integration, and the body must name the
 * configured PSA company: a callback signed by another company's key on the same cloud is refused.
 */

/** Where a callback says its signing key is, and whose it is: read before the signature is checked. */
export const connectwiseEnvelopeSchema = z.looseObject({
  CompanyId: z.string().trim().min(1),
  Metadata: z.looseObject({ key_url: z.string().trim().min(1).max(2000) }),
});

/** Serves ConnectWise's callback signing keys (the adapter fetches and caches them). */
export interface CallbackKeySource {
  /**
   * The signing key at this URL; null when the key server refuses or answers something that is not
   * a key (the callback cannot be authenticated). `refresh` skips a cached key (it may have rotated).
   * Throws TransientDependencyError when the key server cannot be reached.
   */
  getSigningKey(keyUrl: URL, options: { readonly refresh: boolean }): Promise<string | null>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The configured PSA site: an https origin (http only on loopback, for the local stack). */
export const callbackKeyOriginSchema = z
  .string()
  .trim()
  .max(200)
  .refine((text) => {
    try {
      const url = new URL(text);
      const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
      return secure && url.username === '' && url.password === '' && (url.pathname === '/' || url.pathname === '') && url.search === '' && url.hash === '';
    } catch {
      return false;
    }
  }, 'must be the https origin of the ConnectWise PSA site, such as https://na.myconnectwise.net')
  .transform((text) => new URL(text).origin);

/** key_url, if it may be followed: same origin as configured, a callback-key path, nothing else. */
export function trustedKeyUrl(keyUrl: string, configuredOrigin: string): { readonly url: URL } | { readonly refused: string } {
  let url: URL;
  try {
    url = new URL(keyUrl);
  } catch {
    return { refused: 'Metadata.key_url is not a URL' };
  }
  if (url.origin !== configuredOrigin) return { refused: 'Metadata.key_url is not on the configured ConnectWise site' };
  if (url.username !== '' || url.password !== '' || url.hash !== '') return { refused: 'Metadata.key_url carries credentials or a fragment' };
  if (!/callbackkey/i.test(url.pathname)) return { refused: 'Metadata.key_url is not a callback key address' };
  return { url };
}

export const connectwisePayloadSchema = z.looseObject({
  Action: z.string().trim().min(1),
  Type: z.string().trim().min(1),
  ID: vendorIdSchema,
  MessageId: z.string().optional(),
  /** The ticket: JSON text in the payload versions we found, an object in others. */
  Entity: z.union([z.string(), z.record(z.string(), z.unknown())]).nullable().optional(),
});
export type ConnectWisePayload = z.infer<typeof connectwisePayloadSchema>;

const referenceSchema = z.looseObject({ id: z.unknown().optional(), identifier: z.unknown().optional(), name: z.unknown().optional() }).nullable().optional();

const connectwiseTicketSchema = z.looseObject({
  id: vendorIdSchema,
  summary: z.unknown().optional(),
  status: referenceSchema,
  company: referenceSchema,
  owner: referenceSchema,
  customFields: z.array(z.looseObject({ caption: z.string().optional(), value: z.unknown().optional() })).nullable().optional(),
});

export function connectwiseTicketFacts(payload: ConnectWisePayload): { readonly ignored: string } | { readonly facts: TicketFacts } {
  if (payload.Type.toLowerCase() !== 'ticket') return { ignored: `a ConnectWise ${payload.Type} callback, not a ticket's` };
  const action = payload.Action.toLowerCase();
  if (action !== 'added' && action !== 'updated') return { ignored: `ticket ${payload.ID}: an '${payload.Action}' callback does not ask for access` };
  let entity: unknown = payload.Entity;
  if (typeof entity === 'string') {
    try {
      entity = JSON.parse(entity);
    } catch {
      throw new ValidationError([{ field: 'Entity', message: 'is not the ticket as JSON' }]);
    }
  }
  if (entity === null || entity === undefined) throw new ValidationError([{ field: 'Entity', message: 'is missing: the callback carries no ticket' }]);
  const parsed = connectwiseTicketSchema.safeParse(entity);
  if (!parsed.success) throw new ValidationError(fieldProblemsOf(parsed.error, 'Entity'));
  const ticket = parsed.data;
  if (ticket.id !== payload.ID) throw new ValidationError([{ field: 'Entity.id', message: `is ${ticket.id}, not the callback's ID ${payload.ID}` }]);
  return {
    facts: {
      ticketId: ticket.id,
      ticketReference: ticket.id,
      summary: textOf(ticket.summary),
      status: textsOf(ticket.status?.id, ticket.status?.name),
      company: textsOf(ticket.company?.id, ticket.company?.identifier),
      technician: textsOf(ticket.owner?.identifier, ticket.owner?.id),
      field: (name) => {
        const wanted = name.toLowerCase();
        const found = (ticket.customFields ?? []).find((f) => f.caption?.toLowerCase() === wanted);
        return found === undefined ? null : textOf(found.value);
      },
    },
  };
}

/** A callback read as a ticket; throws ValidationError for a body that is not a ticket callback. */
export function readConnectWise(json: unknown): { readonly ignored: string } | { readonly facts: TicketFacts } {
  const parsed = connectwisePayloadSchema.safeParse(json);
  if (!parsed.success) throw new ValidationError(fieldProblemsOf(parsed.error));
  return connectwiseTicketFacts(parsed.data);
}
