import { useCallback } from 'react';
import { unwrap } from '../api/problem';
import type { components } from '../api/schema';
import { useApiQuery, type ApiQuery } from './useApiQuery';
import { useSession } from './useApi';

export type Rule = components['schemas']['Rule'];

/** Every rule (GET /rules), by id. */
export function useRules(): ApiQuery<Rule[]> {
  const { api } = useSession();
  const read = useCallback(
    async () => unwrap(await api.GET('/rules')).items.sort((a, b) => a.ruleId.localeCompare(b.ruleId)),
    [api],
  );
  return useApiQuery(read);
}
