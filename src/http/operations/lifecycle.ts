import { endReasonSchema, leaseRequestSchema } from '../../domain/request';

/** The request statuses, and how a request moves through them, as the request operations describe it. */
export const REQUEST_STATUSES = leaseRequestSchema.options.map((o) => o.shape.status.value);
export const LIFECYCLE =
  `Statuses: ${REQUEST_STATUSES.join(', ')}. A request needing approval starts pending_approval; approved, it goes provisioning → active → revoking → ended ` +
  '(revocation_failed while a revocation keeps failing; failed when provisioning failed). ' +
  `An ended request says why in endReason: ${endReasonSchema.options.join(', ')} (withdrawn: revoked by the requester or an admin while still waiting for approval; ` +
  'requester_offboarded / entitlement_lost: revoked by the reconciler because the requester was deleted or disabled in the home tenant, or no longer holds the entitlement).';
