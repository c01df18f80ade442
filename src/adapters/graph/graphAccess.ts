import type { GraphError } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import type { RoleAssignment } from '../../app/ports';
import { DependencyError, NotFoundError } from '../../domain/errors';
import type { GraphApi, GraphPage, GraphStep, NamedObject } from './graphApi';
import { assignmentIdSegment, objectIdSegment } from './graphInput';
import { noContent } from './graphUsers';

/**
 * Directory role assignments and group memberships: what a lease grants and revocation takes
 * away. Every write is idempotent, because activities are retried: Graph's "already there" and
 * "already gone" answers count as success.
 */
const ROLES_READ = 'RoleManagement.Read.Directory';
const ROLES_WRITE = 'RoleManagement.ReadWrite.Directory';
/** App-only memberOf and transitiveMemberOf need Directory.Read.All (learn.microsoft.com/en-us/graph/api/user-list-memberof). */
const MEMBERSHIPS_READ = 'Directory.Read.All';
const MEMBERS_WRITE = 'GroupMember.ReadWrite.All (and RoleManagement.ReadWrite.Directory for a role-assignable group)';

const assignmentSchema = z.object({
  id: z.string(),
  principalId: z.string(),
  roleDefinitionId: z.string(),
  directoryScopeId: z.string().nullish(),
});
const directoryObjectSchema = z.object({ id: z.string(), '@odata.type': z.string().optional() });
/** A directory object of a memberOf list: its id when it is a group (directory roles show up there too). */
const groupIdSchema = directoryObjectSchema.transform((o) =>
  o['@odata.type'] === '#microsoft.graph.group' ? o.id.toLowerCase() : null,
);
const roleAssignmentSchema = assignmentSchema.transform((a): RoleAssignment => ({
  assignmentId: a.id,
  roleTemplateId: a.roleDefinitionId.toLowerCase(),
}));

function alreadyDone(pattern: RegExp): (error: GraphError) => { readonly value: undefined } | undefined {
  return (error) => (error.statusCode === 400 && pattern.test(error.message) ? { value: undefined } : undefined);
}

/** A list of a user that is gone, read as empty (where the caller learns of the user otherwise). */
function absentAsEmptyPage<T>(error: GraphError): { readonly value: GraphPage<T> } | undefined {
  return error.statusCode === 404 ? { value: { value: [] } } : undefined;
}

export function groupIdsOf(ids: readonly (string | null)[]): string[] {
  return ids.filter((id): id is string => id !== null);
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

  // Steps: one request each, to run alone or together in a $batch (GraphApi.batch).

  /** The first page of the principal's role assignments (Graph answers an unknown principal with none). */
  roleAssignmentsStep(principalId: string): GraphStep<GraphPage<RoleAssignment>> {
    const id = objectIdSegment('principalId', principalId);
    // Built-in roles' roleDefinitionId is their template id, the same in every tenant.
    return this.graph.listStep(
      { operation: `list role assignments of ${id}`, permission: ROLES_READ },
      roleAssignmentSchema,
      '/roleManagement/directory/roleAssignments',
      {
        $filter: `principalId eq '${id}'`,
      },
    );
  }

  /** Direct memberships (memberOf), groups and roles; `groupIdsOf` keeps the groups. */
  groupMembershipsStep(
    principalId: string,
    options: { readonly absentAsEmpty?: boolean } = {},
  ): GraphStep<GraphPage<string | null>> {
    const id = objectIdSegment('principalId', principalId);
    return this.membershipStep(`list group memberships of ${id}`, id, `/users/${id}/memberOf`, options);
  }

  /** Every group the user belongs to, through nested groups too (as a token's `groups` claim). */
  transitiveGroupsStep(
    userId: string,
    options: { readonly absentAsEmpty?: boolean } = {},
  ): GraphStep<GraphPage<string | null>> {
    const id = objectIdSegment('userId', userId);
    return this.membershipStep(`list the groups of ${id}`, id, `/users/${id}/transitiveMemberOf`, options);
  }

  private membershipStep(
    operation: string,
    id: string,
    path: string,
    options: { readonly absentAsEmpty?: boolean },
  ): GraphStep<GraphPage<string | null>> {
    const call = {
      operation,
      permission: MEMBERSHIPS_READ,
      notFound: () => new NotFoundError(`user ${id} does not exist in tenant ${this.graph.tenantId}`),
      ...(options.absentAsEmpty === true ? { expected: absentAsEmptyPage<string | null> } : {}),
    };
    return this.graph.listStep(call, groupIdSchema, path, { $select: 'id' });
  }

  /** Tenant-wide ("/") assignment; the principal may have been created a moment ago. */
  assignRoleStep(principalId: string, roleTemplateId: string): GraphStep<undefined> {
    const body = {
      principalId: objectIdSegment('principalId', principalId),
      roleDefinitionId: objectIdSegment('roleTemplateId', roleTemplateId),
      directoryScopeId: '/',
    };
    const mustExist = [
      {
        path: `/roleManagement/directory/roleDefinitions/${body.roleDefinitionId}`,
        permission: ROLES_READ,
        preexisting: true,
        gone: () =>
          new DependencyError(
            `directory role ${body.roleDefinitionId} no longer exists in tenant ${this.graph.tenantId} (a custom role deleted?): remove it from the target`,
            'graph',
            'RoleNotFound',
          ),
      },
      this.userMustExist(body.principalId),
    ];
    return {
      call: {
        operation: `assign role ${body.roleDefinitionId} to ${body.principalId}`,
        permission: ROLES_WRITE,
        awaitReplication: true,
        expected: alreadyDone(DUPLICATE_ASSIGNMENT),
        mustExist,
      },
      schema: noContent,
      method: 'POST',
      path: '/roleManagement/directory/roleAssignments',
      body,
    };
  }

  /** The account a grant is for: created a moment ago, so only a 404 that outlasts replication lag means it is gone. */
  private userMustExist(id: string): NamedObject {
    return {
      path: `/users/${id}`,
      permission: 'User.Read.All',
      preexisting: false,
      gone: () => new NotFoundError(`user ${id} does not exist in tenant ${this.graph.tenantId}`),
    };
  }

  removeRoleAssignmentStep(assignmentId: string): GraphStep<undefined> {
    const id = assignmentIdSegment(assignmentId);
    return {
      call: { operation: `remove role assignment ${id}`, permission: ROLES_WRITE, expected: absentAsDone },
      schema: noContent,
      method: 'DELETE',
      path: `/roleManagement/directory/roleAssignments/${id}`,
    };
  }

  /** The member may have been created a moment ago. */
  addGroupMemberStep(groupId: string, memberId: string): GraphStep<undefined> {
    const group = objectIdSegment('groupId', groupId);
    const member = objectIdSegment('memberId', memberId);
    const mustExist = [
      {
        path: `/groups/${group}`,
        permission: 'GroupMember.Read.All',
        preexisting: true,
        gone: () =>
          new DependencyError(
            `group ${group} no longer exists in tenant ${this.graph.tenantId}: it was deleted; remove it from the target`,
            'graph',
            'GroupNotFound',
          ),
      },
      this.userMustExist(member),
    ];
    return {
      call: {
        operation: `add ${member} to group ${group}`,
        permission: MEMBERS_WRITE,
        awaitReplication: true,
        expected: alreadyDone(DUPLICATE_MEMBER),
        mustExist,
      },
      schema: noContent,
      method: 'POST',
      path: `/groups/${group}/members/$ref`,
      body: { '@odata.id': `${this.graph.baseUrl}/v1.0/directoryObjects/${member}` },
    };
  }

  removeGroupMemberStep(groupId: string, memberId: string): GraphStep<undefined> {
    const group = objectIdSegment('groupId', groupId);
    const member = objectIdSegment('memberId', memberId);
    return {
      call: { operation: `remove ${member} from group ${group}`, permission: MEMBERS_WRITE, expected: absentAsDone },
      schema: noContent,
      method: 'DELETE',
      path: `/groups/${group}/members/${member}/$ref`,
    };
  }

  // The same, one at a time.

  async listRoleAssignments(principalId: string): Promise<RoleAssignment[]> {
    return this.listAll(this.roleAssignmentsStep(principalId));
  }

  async assignRole(principalId: string, roleTemplateId: string): Promise<void> {
    await this.graph.runStep(this.assignRoleStep(principalId, roleTemplateId));
  }

  async removeRoleAssignment(assignmentId: string): Promise<void> {
    await this.graph.runStep(this.removeRoleAssignmentStep(assignmentId));
  }

  /** Ids of the groups the principal is a direct member of. */
  async listGroupMemberships(principalId: string): Promise<string[]> {
    return groupIdsOf(await this.listAll(this.groupMembershipsStep(principalId)));
  }

  async addGroupMember(groupId: string, memberId: string): Promise<void> {
    await this.graph.runStep(this.addGroupMemberStep(groupId, memberId));
  }

  async removeGroupMember(groupId: string, memberId: string): Promise<void> {
    await this.graph.runStep(this.removeGroupMemberStep(groupId, memberId));
  }

  private async listAll<T>(step: GraphStep<GraphPage<T>>): Promise<T[]> {
    return this.graph.restOfList(step, await this.graph.runStep(step));
  }
}
