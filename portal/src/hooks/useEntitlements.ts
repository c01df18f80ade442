import { useCallback } from 'react';
import { unwrap } from '../api/problem';
import type { components } from '../api/schema';
import { useApiQuery, type ApiQuery } from './useApiQuery';
import { useSession } from './useApi';

export type Entitlement = components['schemas']['EntitlementList']['items'][number];

/** What the signed-in person may request (GET /entitlements), per target with its effective policy. */
export function useEntitlements(): ApiQuery<Entitlement[]> {
  const { api } = useSession();
  const read = useCallback(async () => unwrap(await api.GET('/entitlements')).items, [api]);
  return useApiQuery(read);
}
