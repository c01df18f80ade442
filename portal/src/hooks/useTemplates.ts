import { useCallback } from 'react';
import { unwrap } from '../api/problem';
import type { components } from '../api/schema';
import { useApiQuery, type ApiQuery } from './useApiQuery';
import { useSession } from './useApi';

export type Template = components['schemas']['Template'];
export type TemplateTenantList = components['schemas']['TemplateTenantList'];

/** Every target template (GET /templates), by id. */
export function useTemplates(): ApiQuery<Template[]> {
  const { api } = useSession();
  const read = useCallback(async () => unwrap(await api.GET('/templates')).items, [api]);
  return useApiQuery(read);
}

/** One template's state in each tenant (GET /templates/{id}/tenants). */
export function useTemplateTenants(templateId: string): ApiQuery<TemplateTenantList> {
  const { api } = useSession();
  const read = useCallback(
    async () => unwrap(await api.GET('/templates/{templateId}/tenants', { params: { path: { templateId } } })),
    [api, templateId],
  );
  return useApiQuery(read);
}
