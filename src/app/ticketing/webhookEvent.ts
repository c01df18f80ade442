import { z } from 'zod';
import { slugSchema } from '../../domain/config';
import { durationSchema } from '../../domain/duration';

/**
 * The generic ticketing event (documented in the README): a ticketing system asks for access for
 * a technician. The integration is trusted to name the technician (it authenticated with its
 * signing secret); the technician is looked up in the home tenant (by object id or UPN) and the
 * entitlement rules are still checked for that technician, exactly as for a portal request. Every
 * connector's delivery becomes one of these (a PSA's ticket through its mapping).
 */
export const webhookEventSchema = z.strictObject({
  /** Unique per delivery; a repeat returns the first outcome. */
  deliveryId: z.string().trim().min(1).max(200),
  type: z.literal('access.requested'),
  ticket: z.string().trim().min(1).max(128),
  technician: z
    .strictObject({ objectId: z.uuid().optional(), userPrincipalName: z.string().trim().min(3).max(113).optional() })
    .refine((t) => t.objectId !== undefined || t.userPrincipalName !== undefined, {
      message: 'name the technician by objectId or userPrincipalName',
    }),
  tenantId: z.uuid(),
  targetId: slugSchema,
  duration: durationSchema.optional(),
  justification: z.string().trim().min(1).max(1000).optional(),
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;
