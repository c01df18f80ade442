import { useCallback } from 'react';
import { unwrap } from '../api/problem';
import type { components } from '../api/schema';
import { useApiQuery, type ApiQuery } from './useApiQuery';
import { useSession } from './useApi';

export type Integration = components['schemas']['Integration'];

/** The ticketing integrations (GET /integrations; the API never returns their secrets). */
export function useIntegrations(): ApiQuery<Integration[]> {
  const { api } = useSession();
  const read = useCallback(async () => unwrap(await api.GET('/integrations')).items, [api]);
  return useApiQuery(read);
}
