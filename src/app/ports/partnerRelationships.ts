/**
 * A partner tenant's GDAP (granular delegated admin privileges) relationships with its customers,
 * read through Microsoft Graph's `tenantRelationships` (DelegatedAdminRelationship.Read.All). Only
 * the home tenant (the MSP) is asked.
 */
export interface GdapCustomer {
  readonly tenantId: string;
  readonly displayName: string;
}

/** Graph's delegatedAdminRelationshipStatus (active, approvalPending, expired, terminated …). */
export type GdapRelationshipStatus = string;

export interface GdapRelationship {
  readonly id: string;
  readonly displayName: string;
  readonly customer: GdapCustomer;
  readonly status: GdapRelationshipStatus;
  /** Directory role template ids the customer approved for the partner. */
  readonly roleTemplateIds: readonly string[];
  readonly endDateTime: string | null;
  readonly autoExtendDuration: string | null;
}

/** One access assignment: a security group of the partner mapped to some of the relationship's roles. */
export interface GdapAccessAssignment {
  readonly id: string;
  readonly groupId: string;
  /** Graph's delegatedAdminAccessAssignmentStatus: pending, active, deleting, deleted, error. */
  readonly status: string;
  readonly roleTemplateIds: readonly string[];
}

export interface PartnerRelationships {
  /** Customers with at least one active relationship (Graph's delegatedAdminCustomers), every page. */
  listGdapCustomers(): Promise<GdapCustomer[]>;
  /** Every relationship in any state, every page. */
  listGdapRelationships(): Promise<GdapRelationship[]>;
  /** The access assignments of one relationship, every page. */
  listGdapAccessAssignments(relationshipId: string): Promise<GdapAccessAssignment[]>;
}
