import { z } from 'zod';

/**
 * A PSA ticket as the native connectors read it. A native webhook says "this ticket changed", not
 * "give access to X": each connector reads the facts of the ticket from its vendor's payload, and
 * the integration's mapping (./mapping.ts) turns them into an access request or a reason to ignore
 * the event. Vendor payloads are read leniently (vendors add fields).
 */
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

/** A vendor payload read: the ticket it is about, or why it is not about a ticket that may ask for access. */
export type TicketRead = { readonly ignored: string } | { readonly facts: TicketFacts };

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
