import { useCallback } from 'react';
import { unwrap } from '../api/problem';
import type { components } from '../api/schema';
import { useApiQuery, type ApiQuery } from './useApiQuery';
import { useSession } from './useApi';

export type Tenant = components['schemas']['Tenant'];
export type TenantReadiness = components['schemas']['TenantReadinessList']['items'][number];
export type Verification = components['schemas']['Verification'];
export type VerificationCheck = Verification['checks'][number];

/** The connected tenants (GET /tenants), by display name. */
export function useTenants(): ApiQuery<Tenant[]> {
  const { api } = useSession();
  const read = useCallback(
    async () => unwrap(await api.GET('/tenants')).items.sort((a, b) => a.displayName.localeCompare(b.displayName)),
    [api],
  );
  return useApiQuery(read);
}

/** Each tenant's kept verification: status, when, the failing checks with their fixes (GET /tenants/readiness). */
export function useTenantReadiness(): ApiQuery<TenantReadiness[]> {
  const { api } = useSession();
  const read = useCallback(async () => unwrap(await api.GET('/tenants/readiness')).items, [api]);
  return useApiQuery(read);
}
