import { z } from 'zod';
import { connectwiseWriter } from './connectwiseWriteBack';
import { writeBackBodySchemaOf } from './writeBack';
import { ValidationError, fieldProblemsOf } from '../../domain/errors';
import type { IntegrationOf } from '../../domain/integration';
import { isPrivateHost } from '../../domain/networkAddress';
import { psaMappingSchema } from '../../domain/psaMapping';
import {
  CONNECTWISE_SIGNATURE_HEADER,
  connectWiseSignatureShape,
  verifyConnectWiseSignature,
} from '../../domain/webhookSignature';
import { sameSecret } from '../integrationSecrets';
import type { CallbackKeySource } from '../ports/callbackKeySource';
import {
  createBodySchemaOf,
  type Authentication,
  type Connector,
  type ConnectorOptions,
  type IncomingDelivery,
} from './connector';
import { readingOfTicket } from './mapping';
import { textOf, textsOf, vendorIdSchema, type TicketRead } from './psaTicket';

/**
 * ConnectWise PSA callbacks (System > Callbacks, or POST /system/callbacks with type "Ticket"). A
 * callback is a POST of
 *   {"MessageId":"…","FromUrl":"…","CompanyId":"<PSA login company>","MemberId":"…","Action":"updated",
 *    "Type":"ticket","ID":1234,"ProductInstanceId":"…","Entity":"<the ticket as JSON text>",
 *    "Metadata":{"key_url":"https://<PSA site>/v4_6_release/…/callbackkey/…"},"CallbackObjectRecId":…}
 * signed `X-Content-Signature: base64(HMAC-SHA256(SHA-256(signing key), body))`, the signing key
 * being `{"signing_key":…}` as served at key_url. key_url arrives in the (not yet verified) body,
 * so it is only followed to the PSA site configured on the integration, and the body must name the
 * configured PSA company. Neither stops another company on the same ConnectWise cloud, whose own
 * callback key signs any body it likes: what authenticates a callback is the integration's secret in
 * the callback URL the MSP registered (`?secret=`, CALLBACK_SECRET_PARAM), checked before anything
 * else; the signature then proves the body came through ConnectWise unchanged.
 */

/**
 * The query parameter of the callback URL carrying the integration's secret. A query parameter
 * rather than a path segment: the Functions host strips query strings from the request URLs it logs
 * (Application Insights request telemetry; azure-webjobs-sdk "SanitizeRequestURL", true by default,
 * Azure/azure-webjobs-sdk#3026), and our own logs name paths only.
 */
export const CALLBACK_SECRET_PARAM = 'secret';

/** Where a callback says its signing key is, and whose it is: read before the signature is checked. */
export const connectwiseEnvelopeSchema = z.looseObject({
  CompanyId: z.string().trim().min(1),
  Metadata: z.looseObject({ key_url: z.string().trim().min(1).max(2000) }),
});

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
      return (
        secure &&
        url.username === '' &&
        url.password === '' &&
        (url.pathname === '/' || url.pathname === '') &&
        url.search === '' &&
        url.hash === ''
      );
    } catch {
      return false;
    }
  }, 'must be the https origin of the ConnectWise PSA site, such as https://na.myconnectwise.net')
  .transform((text) => new URL(text).origin);

/**
 * Why this PSA site may not be used, or null: outside local development (`localDevelopment` is the
 * local stack's: its settings carry the local-only service client secret) it must not be loopback
 * or a private address.
 */
export function callbackOriginProblem(origin: string, options: { readonly localDevelopment: boolean }): string | null {
  if (options.localDevelopment) return null;
  const url = new URL(origin);
  if (url.protocol !== 'https:') return 'must be an https origin';
  return isPrivateHost(url.hostname)
    ? 'must not be a loopback or private address: the ConnectWise site is on the internet'
    : null;
}

/** key_url, if it may be followed: same origin as configured, a callback-key path, nothing else. */
export function trustedKeyUrl(
  keyUrl: string,
  configuredOrigin: string,
): { readonly url: URL } | { readonly refused: string } {
  let url: URL;
  try {
    url = new URL(keyUrl);
  } catch {
    return { refused: 'Metadata.key_url is not a URL' };
  }
  if (url.origin !== configuredOrigin) return { refused: 'Metadata.key_url is not on the configured ConnectWise site' };
  if (url.username !== '' || url.password !== '' || url.hash !== '')
    return { refused: 'Metadata.key_url carries credentials or a fragment' };
  if (!/callbackkey/i.test(url.pathname)) return { refused: 'Metadata.key_url is not a callback key address' };
  return { url };
}

export const connectwisePayloadSchema = z.looseObject({
  Action: z.string().trim().min(1),
  Type: z.string().trim().min(1),
  ID: vendorIdSchema,
  MessageId: z.string().optional(),
  /** The ticket: JSON text in the payload versions we found, an object in others. */
  Entity: z
    .union([z.string(), z.record(z.string(), z.unknown())])
    .nullable()
    .optional(),
});
export type ConnectWisePayload = z.infer<typeof connectwisePayloadSchema>;

const referenceSchema = z
  .looseObject({ id: z.unknown().optional(), identifier: z.unknown().optional(), name: z.unknown().optional() })
  .nullable()
  .optional();

const connectwiseTicketSchema = z.looseObject({
  id: vendorIdSchema,
  summary: z.unknown().optional(),
  status: referenceSchema,
  company: referenceSchema,
  owner: referenceSchema,
  customFields: z
    .array(z.looseObject({ caption: z.string().optional(), value: z.unknown().optional() }))
    .nullable()
    .optional(),
});

export function connectwiseTicketFacts(payload: ConnectWisePayload): TicketRead {
  if (payload.Type.toLowerCase() !== 'ticket')
    return { ignored: `a ConnectWise ${payload.Type} callback, not a ticket's` };
  const action = payload.Action.toLowerCase();
  if (action !== 'added' && action !== 'updated')
    return { ignored: `ticket ${payload.ID}: an '${payload.Action}' callback does not ask for access` };
  let entity: unknown = payload.Entity;
  if (typeof entity === 'string') {
    try {
      entity = JSON.parse(entity);
    } catch {
      throw new ValidationError([{ field: 'Entity', message: 'is not the ticket as JSON' }]);
    }
  }
  if (entity === null || entity === undefined)
    throw new ValidationError([{ field: 'Entity', message: 'is missing: the callback carries no ticket' }]);
  const parsed = connectwiseTicketSchema.safeParse(entity);
  if (!parsed.success) throw new ValidationError(fieldProblemsOf(parsed.error, 'Entity'));
  const ticket = parsed.data;
  if (ticket.id !== payload.ID)
    throw new ValidationError([
      { field: 'Entity.id', message: `is ${ticket.id}, not the callback's ID ${payload.ID}` },
    ]);
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
export function readConnectWise(json: unknown): TicketRead {
  const parsed = connectwisePayloadSchema.safeParse(json);
  if (!parsed.success) throw new ValidationError(fieldProblemsOf(parsed.error));
  return connectwiseTicketFacts(parsed.data);
}

type ConnectWiseIntegration = IntegrationOf<'connectwise'>;

/**
 * A callback authenticated: first what only the MSP knows (the secret in the callback URL it
 * registered), before the body is read or any key fetched; then the company the body names and the
 * signature, with the key from key_url on the configured site (fetched again once when it does not
 * match: the key may have rotated).
 */
async function authenticateCallback(
  integration: ConnectWiseIntegration,
  delivery: IncomingDelivery,
  secrets: readonly string[],
  keys: CallbackKeySource,
  options: ConnectorOptions,
): Promise<Authentication> {
  if (secrets.length === 0)
    return {
      refused:
        'this integration has no callback URL secret yet; rotate its secret and register the callback URL it gives',
    };
  const presented = delivery.query(CALLBACK_SECRET_PARAM);
  if (presented === null || !secrets.some((secret) => sameSecret(presented, secret)))
    return { refused: `the callback URL does not carry the integration's secret (?${CALLBACK_SECRET_PARAM}=)` };
  const originProblem = callbackOriginProblem(integration.callbackKeyOrigin, options);
  if (originProblem !== null) return { refused: `the integration's callbackKeyOrigin ${originProblem}` };
  let json: unknown;
  try {
    json = JSON.parse(delivery.rawBody);
  } catch {
    return { refused: 'the body is not JSON, so its signing key cannot be found' };
  }
  const envelope = connectwiseEnvelopeSchema.safeParse(json);
  if (!envelope.success)
    return { refused: 'the body names no CompanyId and Metadata.key_url, so it cannot be verified' };
  if (envelope.data.CompanyId.toLowerCase() !== integration.companyId.toLowerCase())
    return { refused: "the callback is not from the integration's ConnectWise company" };
  const keyUrl = trustedKeyUrl(envelope.data.Metadata.key_url, integration.callbackKeyOrigin);
  if ('refused' in keyUrl) return keyUrl;
  const signature = delivery.header(CONNECTWISE_SIGNATURE_HEADER);
  const shape = connectWiseSignatureShape(signature);
  if (!shape.valid) return { refused: shape.reason };
  for (const refresh of [false, true]) {
    const signingKey = await keys.getSigningKey(keyUrl.url, { refresh });
    if (signingKey === null) return { refused: 'the callback signing key could not be obtained from Metadata.key_url' };
    if (verifyConnectWiseSignature({ signingKey, signature, rawBody: delivery.rawBody }).valid) {
      keys.markVerified(keyUrl.url);
      return { json };
    }
  }
  return { refused: `${CONNECTWISE_SIGNATURE_HEADER} does not match the body` };
}

/**
 * The ConnectWise PSA connector: a callback URL secret we generate (what authenticates), then
 * ConnectWise's own signature (what proves the body unchanged); the ticket read from the callback's
 * Entity through the integration's mapping.
 */
export const connectwiseConnector = {
  kind: 'connectwise',
  createBodySchema: createBodySchemaOf('connectwise', {
    mapping: psaMappingSchema,
    companyId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'the company id you sign in to ConnectWise PSA with')
      .describe("The PSA's login company id (a callback's CompanyId); callbacks of any other company are refused"),
    callbackKeyOrigin: callbackKeyOriginSchema.describe(
      "The PSA site's origin: callbacks' signing keys are only fetched from it",
    ),
    writeBack: writeBackBodySchemaOf(connectwiseWriter.credentialsSchema).optional(),
  }),
  writeBack: connectwiseWriter,
  settingsProblems: (settings, options) => {
    const problem = callbackOriginProblem(settings.callbackKeyOrigin, options);
    return problem === null ? [] : [{ field: 'callbackKeyOrigin', message: problem }];
  },
  view: (integration) => ({
    mapping: integration.mapping,
    companyId: integration.companyId,
    callbackKeyOrigin: integration.callbackKeyOrigin,
  }),
  shownSecret: (integration, secret) => ({
    callbackSecret: secret,
    callbackPath: `/api/webhooks/${integration.integrationId}?${CALLBACK_SECRET_PARAM}=${secret}`,
  }),
  authenticate: (integration, delivery, { secrets, callbackKeys, localDevelopment }) =>
    authenticateCallback(integration, delivery, secrets, callbackKeys, { localDevelopment }),
  read: (integration, delivery) =>
    readingOfTicket('connectwise', 'ConnectWise', integration.mapping, readConnectWise(delivery.json)),
} satisfies Connector<'connectwise'>;
