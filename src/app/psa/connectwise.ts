import { BlockList, isIPv4, isIPv6 } from 'node:net';
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

/** Serves ConnectWise's callback signing keys (the adapter fetches and caches them). */
export interface CallbackKeySource {
  /**
   * The signing key at this URL; null when the key server refuses or answers something that is not
   * a key (the callback cannot be authenticated). `refresh` skips a cached key (it may have rotated).
   * Throws TransientDependencyError when the key server cannot be reached.
   */
  getSigningKey(keyUrl: URL, options: { readonly refresh: boolean }): Promise<string | null>;
  /** The key at this URL verified a callback: keep it ahead of keys that never did. */
  markVerified(keyUrl: URL): void;
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
 * Loopback, private, link-local and shared (CGNAT) addresses: a PSA site is on the internet, so an
 * origin in these ranges can only be an attempt to make the service fetch from its own network
 * (SSRF). Allowed only for local development, where the test key server runs on loopback.
 */
const PRIVATE_ADDRESSES = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
  ] as const)
    list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
  ] as const)
    list.addSubnet(net, prefix, 'ipv6');
  return list;
})();

/** Whether a host name or address literal (as URL.hostname gives it) is loopback or private. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIPv4(host)) return PRIVATE_ADDRESSES.check(host, 'ipv4');
  if (isIPv6(host)) {
    const mapped =
      /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1] ??
      /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/
        .exec(host)
        ?.slice(1)
        .map((h) => parseInt(h, 16))
        .map((n) => `${n >> 8}.${n & 255}`)
        .join('.');
    if (mapped !== undefined) return PRIVATE_ADDRESSES.check(mapped, 'ipv4');
    return PRIVATE_ADDRESSES.check(host, 'ipv6');
  }
  return false;
}

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

export function connectwiseTicketFacts(
  payload: ConnectWisePayload,
): { readonly ignored: string } | { readonly facts: TicketFacts } {
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
export function readConnectWise(json: unknown): { readonly ignored: string } | { readonly facts: TicketFacts } {
  const parsed = connectwisePayloadSchema.safeParse(json);
  if (!parsed.success) throw new ValidationError(fieldProblemsOf(parsed.error));
  return connectwiseTicketFacts(parsed.data);
}
