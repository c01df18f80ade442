import { useCallback, useEffect, useState } from 'react';
import { unwrap } from '../api/problem';
import type { components, operations } from '../api/schema';
import { useApiQuery, type ApiQuery } from './useApiQuery';
import { useSession } from './useApi';

export type AuditEvent = components['schemas']['AuditPage']['items'][number];
export type AuditVerification = components['schemas']['AuditVerification'];
export type AuditFilter = Omit<
  NonNullable<operations['listAudit']['parameters']['query']>,
  'continuationToken' | 'limit'
>;

const PAGE_SIZE = 100;

export interface AuditLog {
  readonly events: readonly AuditEvent[];
  readonly more: boolean;
  readonly loading: boolean;
  readonly error: unknown;
  readonly loadMore: () => Promise<void>;
  /** Every event of the filter, page after page (for the CSV export); `onProgress` gets the count so far. */
  readonly readAll: (onProgress: (count: number) => void) => Promise<AuditEvent[]>;
}

/** The audit log under a filter, newest first, a page at a time (GET /audit). */
export function useAuditLog(filter: AuditFilter): AuditLog {
  const { api } = useSession();
  const [first, setFirst] = useState<{ readonly for: unknown; readonly error: unknown }>({
    for: null,
    error: undefined,
  });
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [token, setToken] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>();

  const page = useCallback(
    async (continuationToken: string | null, limit = PAGE_SIZE) =>
      unwrap(
        await api.GET('/audit', {
          params: { query: { ...filter, limit, ...(continuationToken ? { continuationToken } : {}) } },
        }),
      ),
    [api, filter],
  );

  // The first page of each filter; loading until the answer for this very filter is in.
  useEffect(() => {
    let current = true;
    page(null).then(
      (answer) => {
        if (!current) return;
        setEvents(answer.items);
        setToken(answer.continuationToken);
        setMoreError(undefined);
        setFirst({ for: page, error: undefined });
      },
      (failure: unknown) => {
        if (!current) return;
        setEvents([]);
        setToken(null);
        setFirst({ for: page, error: failure });
      },
    );
    return () => {
      current = false;
    };
  }, [page]);

  const loadMore = useCallback(async () => {
    if (!token) return;
    setLoadingMore(true);
    try {
      const next = await page(token);
      setEvents((list) => [...list, ...next.items]);
      setToken(next.continuationToken);
      setMoreError(undefined);
    } catch (failure) {
      setMoreError(failure);
    } finally {
      setLoadingMore(false);
    }
  }, [page, token]);

  const readAll = useCallback(
    async (onProgress: (count: number) => void) => {
      const all: AuditEvent[] = [];
      let next: string | null = null;
      do {
        const answer = await page(next, 500);
        all.push(...answer.items);
        onProgress(all.length);
        next = answer.continuationToken;
      } while (next);
      return all;
    },
    [page],
  );

  const loading = first.for !== page || loadingMore;
  return { events, more: token !== null, loading, error: first.error ?? moreError, loadMore, readAll };
}

/** The audit hash chain's state (GET /audit/verify): of all events, or of one tenant's. */
export function useAuditVerification(tenantId: string | undefined): ApiQuery<AuditVerification> {
  const { api } = useSession();
  const read = useCallback(
    async () => unwrap(await api.GET('/audit/verify', { params: { query: tenantId ? { tenantId } : {} } })),
    [api, tenantId],
  );
  const query = useApiQuery(read);
  const { refresh } = query;
  useEffect(() => {
    void refresh();
  }, [tenantId, refresh]);
  return query;
}
