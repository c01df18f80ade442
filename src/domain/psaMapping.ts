import { z } from 'zod';
import { slugSchema } from './config';

/**
 * How a PSA's tickets become access requests (docs/ticketing.md): which companies are which
 * tenants, which technicians are which home-tenant users, which statuses ask, and where the target
 * and duration come from. Our own configuration, so read strictly (vendor payloads are not).
 */

const MAX_MAP_ENTRIES = 500;

/** An id as a PSA shows it: a company or member id, a status id or name, a field name. */
export const vendorKeySchema = z
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
