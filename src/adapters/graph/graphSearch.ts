import { z } from 'zod';
import type { DirectoryGroup, DirectoryPrincipal } from '../../app/ports';
import { ValidationError } from '../../domain/errors';
import type { GraphApi } from './graphApi';
import { directoryGroupOf, GROUP_SELECT, groupSchema } from './graphVerification';

/**
 * The admin's pickers: directory objects found by what was typed, through Graph's `$search`
 * (learn.microsoft.com/en-us/graph/search-query-parameter#using-search-on-directory-object-collections):
 * it matches each word of a property that starts with the text ("help" finds "Contoso Helpdesk
 * Admins"), which `$filter=startswith(…)` cannot. `$search` on directory objects is an advanced
 * query: without `ConsistencyLevel: eventual` Graph answers 400 Request_UnsupportedQuery.
 */
const ADVANCED_QUERY = { ConsistencyLevel: 'eventual' } as const;

const userMatchSchema = z.object({ id: z.string(), displayName: z.string().nullish(), userPrincipalName: z.string() });
const groupMatchSchema = z.object({ id: z.string(), displayName: z.string().nullish() });

/** A `$search` clause is a quoted string: a quote or backslash would end or escape it. */
function searchClause(property: string, text: string): string {
  if (/["\\]/.test(text) || text.trim() === '')
    throw new ValidationError([{ field: 'search', message: 'must be some text without " or \\' }]);
  return `"${property}:${text.trim()}"`;
}

function capped(top: number): string {
  return String(Math.max(1, Math.min(100, Math.trunc(top))));
}

export class GraphSearch {
  constructor(private readonly graph: GraphApi) {}

  async searchGroups(text: string, options: { readonly top: number }): Promise<DirectoryGroup[]> {
    const search = searchClause('displayName', text);
    const page = await this.graph.run(
      { operation: 'search groups', permission: 'GroupMember.Read.All (or Group.Read.All, Directory.Read.All)' },
      z.object({ value: z.array(groupSchema) }),
      (request) =>
        request('/groups')
          .headers(ADVANCED_QUERY)
          .query({ $search: search, $select: GROUP_SELECT, $top: capped(options.top) })
          .get(),
    );
    return page.value.slice(0, options.top).map(directoryGroupOf);
  }

  async searchPrincipals(text: string, options: { readonly top: number }): Promise<DirectoryPrincipal[]> {
    const userSearch = `${searchClause('displayName', text)} OR ${searchClause('userPrincipalName', text)}`;
    const groupSearch = searchClause('displayName', text);
    const top = capped(options.top);
    const [users, groups] = await Promise.all([
      this.graph.run(
        { operation: 'search users', permission: 'User.Read.All' },
        z.object({ value: z.array(userMatchSchema) }),
        (request) =>
          request('/users')
            .headers(ADVANCED_QUERY)
            .query({ $search: userSearch, $select: 'id,displayName,userPrincipalName', $top: top })
            .get(),
      ),
      this.graph.run(
        { operation: 'search groups', permission: 'GroupMember.Read.All (or Group.Read.All, Directory.Read.All)' },
        z.object({ value: z.array(groupMatchSchema) }),
        (request) =>
          request('/groups')
            .headers(ADVANCED_QUERY)
            .query({ $search: groupSearch, $select: 'id,displayName', $top: top })
            .get(),
      ),
    ]);
    const principals: DirectoryPrincipal[] = [
      ...users.value.map((u) => ({
        kind: 'user' as const,
        objectId: u.id.toLowerCase(),
        displayName: u.displayName ?? u.userPrincipalName,
        userPrincipalName: u.userPrincipalName,
      })),
      ...groups.value.map((g) => ({
        kind: 'group' as const,
        objectId: g.id.toLowerCase(),
        displayName: g.displayName ?? g.id,
        userPrincipalName: null,
      })),
    ];
    return principals.sort((a, b) => a.displayName.localeCompare(b.displayName)).slice(0, options.top);
  }
}
