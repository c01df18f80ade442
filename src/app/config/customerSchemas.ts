import { z } from 'zod';
import { createTenantBodySchema, tenantWithVerificationSchema } from './schemas';

/** The API's view of the MSP's GDAP customers (GET /customers) and bulk connect (POST /customers/connect). */

const gdapRoleSchema = z.strictObject({ templateId: z.string(), name: z.string() });

export const gdapRelationshipViewSchema = z.strictObject({
  id: z.string(),
  displayName: z.string(),
  status: z.string().describe('Graph delegatedAdminRelationshipStatus: active, approvalPending, expired, terminated …'),
  roles: z.array(gdapRoleSchema).describe('Directory roles the customer approved in this relationship'),
  endDateTime: z.string().nullable(),
  autoExtendDuration: z.string().nullable(),
});

export const gdapCustomerViewSchema = z.strictObject({
  tenantId: z.string(),
  displayName: z.string(),
  status: z
    .enum(['active', 'inactive'])
    .describe('active: at least one relationship is active (Graph lists it among delegatedAdminCustomers)'),
  relationships: z.array(gdapRelationshipViewSchema),
  connected: z.boolean().describe('The tenant is connected to this service'),
  jitDomain: z
    .string()
    .nullable()
    .describe("The connected tenant's JIT domain; null when not connected (GDAP does not tell a customer's domains)"),
});
export type GdapCustomerView = z.infer<typeof gdapCustomerViewSchema>;

export const gdapCustomerListSchema = z.strictObject({
  items: z.array(gdapCustomerViewSchema),
  summary: z.strictObject({ customers: z.number().int(), active: z.number().int(), connected: z.number().int() }),
});
export type GdapCustomerList = z.infer<typeof gdapCustomerListSchema>;

/**
 * At most this many customers per call. Each is connected and verified (a sign-in and about six
 * Graph reads in its tenant, a Key Vault write for a client secret), four at a time: 50 keeps one
 * call well inside the 230 s an HTTP-triggered function may take to answer behind Azure's load
 * balancer (learn.microsoft.com/azure/azure-functions/functions-scale#timeout). Larger lists are
 * sent in several calls; each is safe to retry.
 */
export const MAX_CUSTOMERS_PER_CONNECT = 50;

export const connectCustomerItemSchema = createTenantBodySchema.extend({
  displayName: createTenantBodySchema.shape.displayName
    .optional()
    .describe("Absent: the customer's name in its GDAP relationship"),
});
export type ConnectCustomerItem = z.infer<typeof connectCustomerItemSchema>;

export const connectCustomersBodySchema = z.strictObject({
  customers: z
    .array(connectCustomerItemSchema)
    .min(1)
    .max(MAX_CUSTOMERS_PER_CONNECT)
    .superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((item, i) => {
        const id = item.tenantId.toLowerCase();
        if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [i, 'tenantId'], message: `repeats tenant ${id}` });
        seen.add(id);
      });
    }),
});
export type ConnectCustomersBody = z.infer<typeof connectCustomersBodySchema>;

export const connectCustomerResultSchema = z.strictObject({
  tenantId: z.string(),
  status: z.number().int().describe('201 connected now, 200 already connected (nothing changed), 4xx/5xx refused'),
  outcome: z.enum(['connected', 'alreadyConnected', 'refused']),
  detail: z.string().nullable().describe('Why it was refused; null otherwise'),
  tenant: tenantWithVerificationSchema
    .omit({ verification: true })
    .extend({ verification: tenantWithVerificationSchema.shape.verification.nullable() })
    .nullable()
    .describe('The tenant as connected (with its verification when connected by this call); null when refused'),
});
export type ConnectCustomerResult = z.infer<typeof connectCustomerResultSchema>;

export const connectCustomersResultSchema = z.strictObject({
  items: z.array(connectCustomerResultSchema),
  summary: z.strictObject({
    connected: z.number().int(),
    alreadyConnected: z.number().int(),
    refused: z.number().int(),
  }),
});
export type ConnectCustomersResult = z.infer<typeof connectCustomersResultSchema>;
