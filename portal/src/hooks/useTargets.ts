import { useCallback, useEffect } from 'react';
import { unwrap } from '../api/problem';
import type { components } from '../api/schema';
import { useApiQuery, type ApiQuery } from './useApiQuery';
import { useSession } from './useApi';
import type { Tenant } from './useTenants';

export type Target = components['schemas']['Target'];

/** Every target of the given tenants (GET /tenants/{id}/targets for each), tenant by tenant. */
export function useTargets(tenants: readonly Tenant[] | undefined): ApiQuery<Target[]> {
  const { api } = useSession();
  const read = useCallback(async () => {
    const lists = await Promise.all(
      (tenants ?? []).map(
        async (t) =>
          unwrap(await api.GET('/tenants/{tenantId}/targets', { params: { path: { tenantId: t.tenantId } } })).items,
      ),
    );
    return lists.flat();
  }, [api, tenants]);
  const query = useApiQuery(read);
  const { refresh } = query;
  // Read again once the tenants are known (or change): the first read ran without them.
  useEffect(() => {
    if (tenants !== undefined) void refresh();
  }, [tenants, refresh]);
  return { ...query, loading: query.loading || tenants === undefined };
}
