import { endReasonSchema, leaseRequestSchema } from '../../domain/request';

/** The request statuses, and how a request moves through them, as the request operations describe it. */
export const REQUEST_STATUSES = leaseRequestSchema.options.map((o) => o.shape.status.value);
export const LIFECYCLE =
  `Statuses: ${REQUEST_STATUSES.join(', ')}. A request needing approval starts pending_approval (until every stage of its policy has its approvals: \`approval\` shows who approved and what is still needed); approved, it goes provisioning → active → revoking → ended ` +
  '(with `startAt`, scheduled until then, and withdrawn with nothing provisioned when revoked before it starts) ' +
  '(revocation_failed while a revocation keeps failing; failed when provisioning failed). ' +
  `An ended request says why in endReason: ${endReasonSchema.options.join(', ')} (withdrawn: revoked by the requester or an admin while still waiting for approval or for its start; ` +
  'requester_offboarded / entitlement_lost: revoked by the reconciler because the requester was deleted or disabled in the home tenant, or no longer holds the entitlement).';
