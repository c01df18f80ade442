import { directorySearchQuerySchema } from '../../app/config/directoryPickers';
import { listRoleDefinitionsHttp, searchHomePrincipalsHttp, searchTenantGroupsHttp } from '../admin/directoryPickers';
import { ADMIN_ERRORS, defineOperation, problems, queryParameters, type HttpOperation } from './operation';

/** Directory reads behind the portal's pickers: what a target or rule can name. */

const SEARCH = queryParameters(directorySearchQuerySchema, {
  search: "Text a word of the display name (or a user's principal name) starts with; 1 to 64 characters",
});

export const DIRECTORY_OPERATIONS: readonly HttpOperation[] = [
  defineOperation({
    operationId: 'listRoleDefinitions',
    method: 'GET',
    route: 'tenants/{tenantId}/role-definitions',
    tag: 'directory',
    summary: "A connected tenant's directory roles (built-in and custom), by name, for a target's roles",
    description: 'Read from the tenant through Microsoft Graph each time. A target stores `templateId`.',
    access: 'admin',
    durableClient: false,
    responses: {
      '200': { description: 'Every role definition, by display name', schema: 'RoleDefinitionList' },
      ...problems(...ADMIN_ERRORS, 404, 502),
    },
    handler: listRoleDefinitionsHttp,
  }),
  defineOperation({
    operationId: 'searchTenantGroups',
    method: 'GET',
    route: 'tenants/{tenantId}/groups',
    tag: 'directory',
    summary: "A connected tenant's groups whose name matches, each with whether it can be in a target and why not",
    description:
      'At most 20. A group synced from on-premises, with dynamic membership, or mail-enabled (not Microsoft 365) cannot be in a target: Microsoft Graph cannot change its members.',
    access: 'admin',
    durableClient: false,
    query: SEARCH,
    responses: {
      '200': { description: 'The matching groups, by display name', schema: 'GroupMatchList' },
      ...problems(400, ...ADMIN_ERRORS, 404, 502),
    },
    handler: searchTenantGroupsHttp,
  }),
  defineOperation({
    operationId: 'searchPrincipals',
    method: 'GET',
    route: 'directory/principals',
    tag: 'directory',
    summary: "The home tenant's users and groups whose name matches, for a rule's principal or a target's approvers",
    description: 'Users by display name or user principal name, groups by display name; at most 20 together.',
    access: 'admin',
    durableClient: false,
    query: SEARCH,
    responses: {
      '200': { description: 'The matching users and groups, by display name', schema: 'PrincipalMatchList' },
      ...problems(400, ...ADMIN_ERRORS, 409, 502),
    },
    handler: searchHomePrincipalsHttp,
  }),
];
