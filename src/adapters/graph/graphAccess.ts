import type { GraphError } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import type { RoleAssignment } from '../../app/ports';
import { NotFoundError } from '../../domain/errors';
import type { GraphApi } from './graphApi';
import { assignmentIdSegment, objectIdSegment } from './graphInput';
import { noContent } from './graphUsers';

/**
 * Directory role assignments and group memberships: what a lease grants and revocation takes
 * away. Every write is idempotent, because activities are retried: Graph's "already there" and
 * "already gone" answers count as success.
 */
const ROLES_READ = 'RoleManagement.Read.Directory';
const ROLES_WRITE = 'RoleManagement.ReadWrite.Directory';
const MEMBERS_READ = 'GroupMember.Read.All';
const MEMBERS_WRITE = 'GroupMember.ReadWrite.All (and RoleManagement.ReadWrite.Directory for a role-assignable group)';

const assignmentSchema = z.object({ id: z.string(), principalId: z.string(), roleDefinitionId: z.string(), directoryScopeId: z.string().nullish() });
const directoryObjectSchema = z.object({ id: z.string(), '@odata.type': z.string().optional() });

function alreadyDone(pattern: RegExp): (error: GraphError) => { readonly value: undefined } | undefined {
  return (error) => (error.statusCode === 400 && pattern.test(error.message) ? { value: undefined } : undefined);
}

function absentAsDone(error: GraphError): { readonly value: undefined } | undefined {
  return error.statusCode === 404 ? { value: undefined } : undefined;
}

/** Graph's answer to a duplicate role assignment: 400 Request_BadRequest "A conflicting object …". */
const DUPLICATE_ASSIGNMENT = /conflicting object/i;
/** Graph's answer to adding a member twice: 400 "One or more added object references already exist …". */
const DUPLICATE_MEMBER = /added object references already exist/i;

export class GraphAccess {
  constructor(private readonly graph: GraphApi) {}

  async listRoleAssignments(principalId: string): Promise<RoleAssignment[]> {
    const id = objectIdSegment('principalId', principalId);
    // Built-in roles' roleDefinitionId is their template id, the same in every tenant.
    const assignments = await this.graph.listAll({ operation: `list role assignments of ${id}`, permission: ROLES_READ }, assignmentSchema, '/roleManagement/directory/roleAssignments', {
      $filter: `principalId eq '${id}'`,
    });
    return assignments.map((a) => ({ assignmentId: a.id, roleTemplateId: a.roleDefinitionId.toLowerCase() }));
  }

  /** Tenant-wide ("/") assignment; the principal may have been created a moment ago. */
  async assignRole(principalId: string, roleTemplateId: string): Promise<void> {
    const body = {
      principalId: objectIdSegment('principalId', principalId),
      roleDefinitionId: objectIdSegment('roleTemplateId', roleTemplateId),
      directoryScopeId: '/',
    };
    await this.graph.run(
      { operation: `assign role ${body.roleDefinitionId} to ${body.principalId}`, permission: ROLES_WRITE, awaitReplication: true, expected: alreadyDone(DUPLICATE_ASSIGNMENT) },
      noContent,
      (request) => request('/roleManagement/directory/roleAssignments').post(body),
    );
  }

  async removeRoleAssignment(assignmentId: string): Promise<void> {
    const id = assignmentIdSegment(assignmentId);
    await this.graph.run({ operation: `remove role assignment ${id}`, permission: ROLES_WRITE, expected: absentAsDone }, noContent, (request) =>
      request(`/roleManagement/directory/roleAssignments/${id}`).delete(),
    );
  }

  /** Direct memberships only (memberOf), groups only: directory roles show up there too. */
  async listGroupMemberships(principalId: string): Promise<string[]> {
    const id = objectIdSegment('principalId', principalId);
    const objects = await this.graph.listAll(
      {
        operation: `list group memberships of ${id}`,
        permission: MEMBERS_READ,
        notFound: () => new NotFoundError(`user ${id} does not exist in tenant ${this.graph.tenantId}`),
      },
      directoryObjectSchema,
      `/users/${id}/memberOf`,
      { $select: 'id' },
    );
    return objects.filter((o) => o['@odata.type'] === '#microsoft.graph.group').map((o) => o.id.toLowerCase());
  }

  /** Every group the user belongs to, through nested groups too (as a token's `groups` claim). */
  async listTransitiveGroupIds(userId: string): Promise<string[]> {
    const id = objectIdSegment('userId', userId);
    const objects = await this.graph.listAll(
      {
        operation: `list the groups of ${id}`,
        permission: MEMBERS_READ,
        notFound: () => new NotFoundError(`user ${id} does not exist in tenant ${this.graph.tenantId}`),
      },
      directoryObjectSchema,
      `/users/${id}/transitiveMemberOf`,
      { $select: 'id' },
    );
    return objects.filter((o) => o['@odata.type'] === '#microsoft.graph.group').map((o) => o.id.toLowerCase());
  }

  /** The member may have been created a moment ago. */
  async addGroupMember(groupId: string, memberId: string): Promise<void> {
    const group = objectIdSegment('groupId', groupId);
    const member = objectIdSegment('memberId', memberId);
    const body = { '@odata.id': `${this.graph.baseUrl}/v1.0/directoryObjects/${member}` };
    await this.graph.run(
      { operation: `add ${member} to group ${group}`, permission: MEMBERS_WRITE, awaitReplication: true, expected: alreadyDone(DUPLICATE_MEMBER) },
      noContent,
      (request) => request(`/groups/${group}/members/$ref`).post(body),
    );
  }

  async removeGroupMember(groupId: string, memberId: string): Promise<void> {
    const group = objectIdSegment('groupId', groupId);
    const member = objectIdSegment('memberId', memberId);
    await this.graph.run({ operation: `remove ${member} from group ${group}`, permission: MEMBERS_WRITE, expected: absentAsDone }, noContent, (request) =>
      request(`/groups/${group}/members/${member}/$ref`).delete(),
    );
  }
}
