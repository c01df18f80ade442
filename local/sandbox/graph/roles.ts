import { z } from 'zod';
import { newRoleAssignmentId, type RoleAssignment } from '../directory';
import { json, noContent } from '../http';
import { CUSTOM_ROLES, ROLE_DISPLAY_NAMES } from '../seed';
import {
  asRecord,
  badRequest,
  directoryObjectKind,
  notFound,
  odataContext,
  READ_ROLES,
  refuseIfProtected,
  requirePermission,
  WRITE_ROLES,
  type GraphContext,
} from './context';
import { paginate, parseFilter, parseSelect, project, type EntityProperties } from './odata';
import type { Route } from './route';

/**
 * /roleManagement/directory: built-in role definitions (id == templateId, as for every built-in)
 * and role assignments. A duplicate assignment is refused with Graph's "conflicting object"
 * answer (400 Request_BadRequest, seen in dod-ccpo/atat#1554); an unknown principal is a 404
 * Request_ResourceNotFound (microsoft-graph-docs#18218), which is also what replication lag gives.
 */
const BASE = ['roleManagement', 'directory'] as const;

function definitionView(
  templateId: string,
  displayName: string,
  custom?: { readonly description: string },
): Record<string, unknown> {
  return {
    id: templateId,
    description: custom?.description ?? `Built-in role: ${displayName}.`,
    displayName,
    isBuiltIn: custom === undefined,
    isEnabled: true,
    resourceScopes: ['/'],
    templateId,
    version: '1',
    rolePermissions: [{ allowedResourceActions: [], condition: null }],
    inheritsPermissionsFrom: [],
  };
}

// A custom role's id is its templateId too (learn.microsoft.com/en-us/graph/api/resources/unifiedroledefinition).
const DEFINITIONS = [
  ...Object.entries(ROLE_DISPLAY_NAMES).map(([id, name]) => definitionView(id, name)),
  ...CUSTOM_ROLES.map((r) => definitionView(r.id, r.displayName, r)),
];
const DEFINITION_PROPERTIES = Object.keys(DEFINITIONS[0] ?? {});
const DEFINITION_FILTER: EntityProperties = {
  id: 'string',
  templateId: 'string',
  displayName: 'string',
  isBuiltIn: 'boolean',
  isEnabled: 'boolean',
};
const ASSIGNMENT_FILTER: EntityProperties = {
  id: 'string',
  principalId: 'string',
  roleDefinitionId: 'string',
  directoryScopeId: 'string',
};

function listDefinitions(ctx: GraphContext) {
  requirePermission(ctx, READ_ROLES);
  const predicate = parseFilter(ctx.req.query.get('$filter'), DEFINITION_FILTER, 'unifiedRoleDefinition');
  const select = parseSelect(ctx.req.query.get('$select'), DEFINITION_PROPERTIES, 'unifiedRoleDefinition');
  return json(200, {
    '@odata.context': odataContext('roleManagement/directory/roleDefinitions'),
    value: DEFINITIONS.filter(predicate).map((d) => project(d, select)),
  });
}

function getDefinition(ctx: GraphContext) {
  requirePermission(ctx, READ_ROLES);
  const id = (ctx.params.id ?? '').toLowerCase();
  const definition = DEFINITIONS.find((d) => d.id === id);
  if (definition === undefined) throw notFound(ctx.params.id ?? '');
  return json(200, {
    '@odata.context': odataContext('roleManagement/directory/roleDefinitions/$entity'),
    ...definition,
  });
}

function assignmentView(a: RoleAssignment): Record<string, unknown> {
  return {
    id: a.id,
    principalId: a.principalId,
    roleDefinitionId: a.roleDefinitionId,
    directoryScopeId: a.directoryScopeId,
  };
}

function listAssignments(ctx: GraphContext) {
  requirePermission(ctx, READ_ROLES);
  const predicate = parseFilter(ctx.req.query.get('$filter'), ASSIGNMENT_FILTER, 'unifiedRoleAssignment');
  const rows = ctx.tenant.roleAssignments.map(assignmentView).filter(predicate);
  const page = paginate(rows, ctx.req.query, `${ctx.store.url}/v1.0/roleManagement/directory/roleAssignments`);
  const body: Record<string, unknown> = { '@odata.context': odataContext('roleManagement/directory/roleAssignments') };
  if (page.nextLink !== undefined) body['@odata.nextLink'] = page.nextLink;
  body.value = page.items;
  return json(200, body);
}

function findAssignment(ctx: GraphContext): RoleAssignment {
  const assignment = ctx.tenant.roleAssignments.find((a) => a.id === ctx.params.id);
  if (assignment === undefined) throw notFound(ctx.params.id ?? '');
  return assignment;
}

function getAssignment(ctx: GraphContext) {
  requirePermission(ctx, READ_ROLES);
  return json(200, {
    '@odata.context': odataContext('roleManagement/directory/roleAssignments/$entity'),
    ...assignmentView(findAssignment(ctx)),
  });
}

const createSchema = z.object({
  principalId: z.string().min(1),
  roleDefinitionId: z.string().min(1),
  directoryScopeId: z.string().min(1).optional(),
});

function createAssignment(ctx: GraphContext) {
  if (asRecord(ctx.body) === undefined) throw badRequest('Empty Payload. JSON content expected.', 'BadRequest');
  const parsed = createSchema.safeParse(ctx.body);
  if (!parsed.success) {
    const property = String(parsed.error.issues[0]?.path[0] ?? 'roleAssignment');
    throw badRequest(`Invalid value specified for property '${property}' of resource 'UnifiedRoleAssignment'.`);
  }
  const principalId = parsed.data.principalId.toLowerCase();
  const roleDefinitionId = parsed.data.roleDefinitionId.toLowerCase();
  const directoryScopeId = parsed.data.directoryScopeId ?? '/';
  refuseIfProtected(ctx, principalId);
  requirePermission(ctx, WRITE_ROLES);
  if (!DEFINITIONS.some((d) => d.id === roleDefinitionId)) throw notFound(parsed.data.roleDefinitionId);
  const kind = directoryObjectKind(ctx, principalId);
  if (kind === undefined) throw notFound(parsed.data.principalId);
  if (kind === 'group' && ctx.tenant.groups.find((g) => g.id === principalId)?.isAssignableToRole !== true) {
    throw badRequest('Only role-assignable groups can be assigned to a role.');
  }
  if (
    ctx.tenant.roleAssignments.some(
      (a) =>
        a.principalId === principalId &&
        a.roleDefinitionId === roleDefinitionId &&
        a.directoryScopeId === directoryScopeId,
    )
  ) {
    throw badRequest(
      'A conflicting object with one or more of the specified property values is present in the directory.',
    );
  }
  const assignment: RoleAssignment = { id: newRoleAssignmentId(), principalId, roleDefinitionId, directoryScopeId };
  ctx.tenant.roleAssignments.push(assignment);
  return json(201, {
    '@odata.context': odataContext('roleManagement/directory/roleAssignments/$entity'),
    ...assignmentView(assignment),
  });
}

function deleteAssignment(ctx: GraphContext) {
  const assignment = findAssignment(ctx);
  refuseIfProtected(ctx, assignment.principalId);
  requirePermission(ctx, WRITE_ROLES);
  ctx.tenant.roleAssignments = ctx.tenant.roleAssignments.filter((a) => a.id !== assignment.id);
  return noContent();
}

export const roleRoutes: readonly Route[] = [
  { method: 'GET', path: [...BASE, 'roleDefinitions'], handler: listDefinitions },
  { method: 'GET', path: [...BASE, 'roleDefinitions', ':id'], handler: getDefinition },
  { method: 'GET', path: [...BASE, 'roleAssignments'], handler: listAssignments },
  { method: 'POST', path: [...BASE, 'roleAssignments'], handler: createAssignment },
  { method: 'GET', path: [...BASE, 'roleAssignments', ':id'], handler: getAssignment },
  { method: 'DELETE', path: [...BASE, 'roleAssignments', ':id'], handler: deleteAssignment },
];
