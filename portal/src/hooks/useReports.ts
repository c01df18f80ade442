import { useCallback } from 'react';
import { unwrap } from '../api/problem';
import { useSession } from './useApi';

export interface ReportPeriod {
  readonly tenantId: string;
  /** Days (YYYY-MM-DD): the API reads `from` as 00:00 UTC and `to` as the end of that day. */
  readonly from: string;
  readonly to: string;
}

/**
 * A customer report as the API renders it (GET /tenants/{tenantId}/report, format csv or html),
 * read as text with the signed-in person's token: the report cannot be a plain link, since the API
 * wants a bearer token.
 */
export function useReportText(): (period: ReportPeriod, format: 'csv' | 'html') => Promise<string> {
  const { api } = useSession();
  return useCallback(
    async (period, format) =>
      unwrap(
        await api.GET('/tenants/{tenantId}/report', {
          params: { path: { tenantId: period.tenantId }, query: { from: period.from, to: period.to, format } },
          parseAs: 'text',
        }),
      ),
    [api],
  );
}
