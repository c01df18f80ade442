import { json } from '../http';
import { odataContext, READ_GROUPS, requirePermission, type GraphContext } from './context';
import { groupView } from './groups';
import { paginate, parseFilter, parseSelect, project, type EntityProperties } from './odata';
import type { Route } from './route';

/**
 * GET /groups with `$filter`, `$select`, `$top` paging. The properties filterable with default
 * (non-advanced) queries, as learn.microsoft.com/en-us/graph/aad-advanced-queries lists them for
 * groups (string comparisons case-insensitive, as the directory compares them); anything else is
 * refused as Graph refuses it (odata.ts). Read permission as for one group (group-list).
 */
const GROUP_FILTER_PROPERTIES: EntityProperties = {
  id: 'string',
  displayName: 'string',
  mailNickname: 'string',
  mailEnabled: 'boolean',
  securityEnabled: 'boolean',
  isAssignableToRole: 'boolean',
  onPremisesSyncEnabled: 'boolean',
};

const GROUP_PROPERTIES = Object.keys(
  groupView({
    id: '',
    displayName: '',
    isAssignableToRole: false,
    memberIds: [],
    mailEnabled: false,
    groupTypes: [],
    onPremisesSyncEnabled: null,
  }),
);

function list(ctx: GraphContext) {
  requirePermission(ctx, READ_GROUPS);
  const select = parseSelect(ctx.req.query.get('$select'), GROUP_PROPERTIES, 'group');
  const predicate = parseFilter(ctx.req.query.get('$filter'), GROUP_FILTER_PROPERTIES, 'group');
  const matching = ctx.tenant.groups.map(groupView).filter((g) => predicate(g));
  const page = paginate(matching, ctx.req.query, `${ctx.store.url}/v1.0/groups`);
  const body: Record<string, unknown> = {
    '@odata.context': odataContext(select === undefined ? 'groups' : `groups(${select.join(',')})`),
  };
  if (page.nextLink !== undefined) body['@odata.nextLink'] = page.nextLink;
  body.value = page.items.map((g) => project(g, select));
  return json(200, body);
}

export const groupListRoutes: readonly Route[] = [{ method: 'GET', path: ['groups'], handler: list }];
