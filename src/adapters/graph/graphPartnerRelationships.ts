import { z } from 'zod';
import type { GdapAccessAssignment, GdapCustomer, GdapRelationship, PartnerRelationships } from '../../app/ports';
import { ValidationError } from '../../domain/errors';
import type { GraphApi } from './graphApi';

/**
 * GDAP reads of the partner (home) tenant: `GET /tenantRelationships/delegatedAdminCustomers`,
 * `…/delegatedAdminRelationships` and `…/{id}/accessAssignments`, every page (`$top` at most 300,
 * learn.microsoft.com/graph/api/tenantrelationship-list-delegatedadminrelationships).
 */
const PERMISSION = 'DelegatedAdminRelationship.Read.All';
const PAGE = { $top: '300' };

const customerSchema = z.object({ tenantId: z.string(), displayName: z.string().nullish() });
const unifiedRolesSchema = z
  .object({ unifiedRoles: z.array(z.object({ roleDefinitionId: z.string() })).nullish() })
  .nullish();
const relationshipSchema = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  status: z.string(),
  customer: customerSchema.nullish(),
  accessDetails: unifiedRolesSchema,
  endDateTime: z.string().nullish(),
  autoExtendDuration: z.string().nullish(),
});
const accessAssignmentSchema = z.object({
  id: z.string(),
  status: z.string(),
  accessContainer: z.object({ accessContainerId: z.string(), accessContainerType: z.string().nullish() }),
  accessDetails: unifiedRolesSchema,
});

/** A relationship id: Graph's are two GUIDs joined by a dash; anything else never reaches a URL. */
const RELATIONSHIP_ID = /^[0-9a-fA-F-]{36,80}$/;

function rolesOf(details: z.infer<typeof unifiedRolesSchema>): string[] {
  return (details?.unifiedRoles ?? []).map((r) => r.roleDefinitionId.toLowerCase());
}

export class GraphPartnerRelationships implements PartnerRelationships {
  constructor(private readonly graph: GraphApi) {}

  async listGdapCustomers(): Promise<GdapCustomer[]> {
    const customers = await this.graph.listAll(
      { operation: 'list GDAP customers', permission: PERMISSION },
      customerSchema,
      '/tenantRelationships/delegatedAdminCustomers',
      PAGE,
    );
    return customers.map((c) => ({ tenantId: c.tenantId.toLowerCase(), displayName: c.displayName ?? c.tenantId }));
  }

  async listGdapRelationships(): Promise<GdapRelationship[]> {
    const relationships = await this.graph.listAll(
      { operation: 'list GDAP relationships', permission: PERMISSION },
      relationshipSchema,
      '/tenantRelationships/delegatedAdminRelationships',
      PAGE,
    );
    return relationships.flatMap((r) => {
      // A relationship still in `created` has no customer yet: it names nobody to list.
      if (r.customer === null || r.customer === undefined) return [];
      return [
        {
          id: r.id,
          displayName: r.displayName ?? r.id,
          customer: {
            tenantId: r.customer.tenantId.toLowerCase(),
            displayName: r.customer.displayName ?? r.customer.tenantId,
          },
          status: r.status,
          roleTemplateIds: rolesOf(r.accessDetails),
          endDateTime: r.endDateTime ?? null,
          autoExtendDuration: r.autoExtendDuration ?? null,
        },
      ];
    });
  }

  async listGdapAccessAssignments(relationshipId: string): Promise<GdapAccessAssignment[]> {
    if (!RELATIONSHIP_ID.test(relationshipId))
      throw new ValidationError([{ field: 'relationshipId', message: 'must be a GDAP relationship id' }]);
    const assignments = await this.graph.listAll(
      { operation: `list the access assignments of GDAP relationship ${relationshipId}`, permission: PERMISSION },
      accessAssignmentSchema,
      `/tenantRelationships/delegatedAdminRelationships/${relationshipId}/accessAssignments`,
      PAGE,
    );
    return assignments
      .filter((a) => (a.accessContainer.accessContainerType ?? 'securityGroup') === 'securityGroup')
      .map((a) => ({
        id: a.id,
        groupId: a.accessContainer.accessContainerId.toLowerCase(),
        status: a.status,
        roleTemplateIds: rolesOf(a.accessDetails),
      }));
  }
}
