import { createHash } from 'node:crypto';
import { z } from 'zod';
import { slugSchema } from '../../domain/config';

/**
 * What the native ticketing adapters (ConnectWise PSA, Autotask, HaloPSA) share. A native webhook
 * says "this ticket changed", not "give access to X": each adapter reads the facts of the ticket
 * from its vendor's payload (TicketFacts), and `decideTicket` turns them, with the integration's
 * mapping, into the same access request the generic event asks for — or into a reason to ignore
 * the event. Vendor payloads are read leniently (vendors add fields); our own configuration strictly.
 */

const MAX_MAP_ENTRIES = 500;

/** An id as a PSA shows it: a company or member id, a status id or name, a field name. */
const vendorKeySchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');

function mapSchema<V extends z.ZodType>(value: V, what: string) {
  return z
    .record(vendorKeySchema, value)
    .refine((m) => Object.keys(m).length > 0, { message: `map at least one ${what}` })
    .refine((m) => Object.keys(m).length <= MAX_MAP_ENTRIES, { message: `at most ${MAX_MAP_ENTRIES} entries` });
}

const userPrincipalNameSchema = z
  .string()
  .trim()
  .max(113)
  .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'a user principal name of the home tenant, such as alice@msp.example')
  .transform((u) => u.toLowerCase());

export const psaMappingSchema = z.strictObject({
  /** The PSA's customer company (id, or ConnectWise identifier) → the Entra tenant it is. */
  tenants: mapSchema(
    z.uuid({ message: 'must be the tenant id (a GUID) of a connected tenant' }),
    'company to a tenant',
  ),
  /** The PSA's technician (Autotask resource id, HaloPSA agent id, ConnectWise member identifier or id) → home-tenant UPN. */
  technicians: mapSchema(userPrincipalNameSchema, 'technician to a home-tenant user'),
  /** Ticket statuses (id, or name where the payload carries it) that mean "access requested". */
  accessRequestedStatuses: z.array(vendorKeySchema).min(1, 'name at least one status').max(20),
  /** Which target: always the same one, or the value of a ticket custom field (UDF). */
  target: z
    .strictObject({ fixed: slugSchema.optional(), field: vendorKeySchema.optional() })
    .refine((t) => (t.fixed === undefined) !== (t.field === undefined), {
      message: 'give exactly one of fixed (a target id) or field (the custom field holding it)',
    }),
  /** A ticket custom field (UDF) holding an ISO 8601 duration; without it (or when empty) the target's default. */
  durationField: vendorKeySchema.optional(),
});
export type PsaMapping = z.infer<typeof psaMappingSchema>;

export type PsaVendor = 'connectwise' | 'autotask' | 'halopsa';

export const VENDOR_NAMES: Readonly<Record<PsaVendor, string>> = {
  connectwise: 'ConnectWise',
  autotask: 'Autotask',
  halopsa: 'HaloPSA',
};

/** What an adapter reads from its vendor's payload about one ticket. */
export interface TicketFacts {
  /** The PSA's own id of the ticket (stable: the delivery identity is built on it). */
  readonly ticketId: string;
  /** The ticket as people see it (Autotask's T20250915.0001, ConnectWise's and HaloPSA's number). */
  readonly ticketReference: string;
  readonly summary: string | null;
  /** The ticket's status as the payload names it (id and, where present, name). */
  readonly status: readonly string[];
  /** The customer company (id and, where present, identifier). */
  readonly company: readonly string[];
  /** The assigned technician (id and, where present, identifier). */
  readonly technician: readonly string[];
  /** A custom field (UDF) by name, as text; null when absent or empty. */
  readonly field: (name: string) => string | null;
}

/** An access request read from a ticket, in the generic event's terms. */
export interface AccessAsk {
  readonly deliveryId: string;
  readonly ticket: string;
  readonly technicianUserPrincipalName: string;
  readonly tenantId: string;
  readonly targetId: string;
  readonly duration?: string;
  readonly justification: string;
  /** Where targetId and duration came from, for messages when they are not valid. */
  readonly sources: Readonly<Partial<Record<'targetId' | 'duration', string>>>;
}

export type TicketDecision = { readonly ignored: string } | { readonly ask: AccessAsk };

function lookup<V>(map: Readonly<Record<string, V>>, keys: readonly string[]): V | undefined {
  const byKey = new Map(Object.entries(map).map(([k, v]) => [k.trim().toLowerCase(), v]));
  for (const key of keys) {
    const found = byKey.get(key.trim().toLowerCase());
    if (found !== undefined) return found;
  }
  return undefined;
}

function named(values: readonly string[]): string {
  return values.length === 0 ? '(none)' : values.map((v) => `'${v}'`).join(' / ');
}

/**
 * A ticket's delivery identity: the ticket with who gets access where. Native payloads describe a
 * ticket's state and PSAs send one on every save, so the first event that asks is the delivery;
 * every later one for the same ticket, technician, tenant and target (a redelivery, another save
 * while the status stays, the status set again) gets the first outcome and provisions nothing.
 */
export function ticketDeliveryId(
  vendor: PsaVendor,
  ticketId: string,
  tenantId: string,
  targetId: string,
  technicianUserPrincipalName: string,
): string {
  const who = createHash('sha256')
    .update(`${tenantId}\n${targetId}\n${technicianUserPrincipalName.toLowerCase()}`, 'utf8')
    .digest('hex')
    .slice(0, 32);
  return `${vendor}:ticket:${ticketId}:${who}`;
}

/** Does this ticket ask for access, and for what: the mapping applied to the facts. */
export function decideTicket(vendor: PsaVendor, mapping: PsaMapping, facts: TicketFacts): TicketDecision {
  const statuses = new Set(mapping.accessRequestedStatuses.map((s) => s.toLowerCase()));
  if (!facts.status.some((s) => statuses.has(s.trim().toLowerCase()))) {
    return {
      ignored: `ticket ${facts.ticketReference}: its status ${named(facts.status)} is not one that asks for access`,
    };
  }
  const tenantId = lookup(mapping.tenants, facts.company);
  if (tenantId === undefined)
    return { ignored: `ticket ${facts.ticketReference}: company ${named(facts.company)} is not mapped to a tenant` };
  const technician = lookup(mapping.technicians, facts.technician);
  if (technician === undefined)
    return {
      ignored: `ticket ${facts.ticketReference}: technician ${named(facts.technician)} is not mapped to a home-tenant user`,
    };
  let targetId: string;
  const sources: Partial<Record<'targetId' | 'duration', string>> = {};
  if (mapping.target.fixed !== undefined) targetId = mapping.target.fixed;
  else {
    const fieldName = mapping.target.field ?? '';
    const value = facts.field(fieldName);
    if (value === null)
      return { ignored: `ticket ${facts.ticketReference}: its field '${fieldName}' (the target) is empty` };
    targetId = value;
    sources.targetId = `the ticket's field '${fieldName}'`;
  }
  let duration: string | undefined;
  if (mapping.durationField !== undefined) {
    duration = facts.field(mapping.durationField) ?? undefined;
    if (duration !== undefined) sources.duration = `the ticket's field '${mapping.durationField}'`;
  }
  const summary = facts.summary?.trim() ?? '';
  const justification =
    `${VENDOR_NAMES[vendor]} ticket ${facts.ticketReference}${summary === '' ? '' : `: ${summary}`}`.slice(0, 1000);
  return {
    ask: {
      deliveryId: ticketDeliveryId(vendor, facts.ticketId, tenantId, targetId, technician),
      ticket: facts.ticketReference.slice(0, 128),
      technicianUserPrincipalName: technician,
      tenantId,
      targetId,
      ...(duration !== undefined ? { duration } : {}),
      justification,
      sources,
    },
  };
}

/** A scalar of a vendor payload as text (ids arrive as numbers or strings); null when absent or empty. */
export function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return null;
}

/** The texts among these values, without the absent ones. */
export function textsOf(...values: unknown[]): string[] {
  return values.map(textOf).filter((v): v is string => v !== null);
}

/** A property of a vendor object by name, case-insensitively (vendors differ in casing across versions). */
export function propertyOf(object: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(object)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** An integer id as JSON numbers or digit strings carry it. */
export const vendorIdSchema = z
  .union([
    z.number().int().nonnegative(),
    z
      .string()
      .trim()
      .regex(/^\d{1,18}$/, 'must be a numeric id'),
  ])
  .transform(String);
