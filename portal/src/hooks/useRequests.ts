import { useCallback } from 'react';
import { unwrap } from '../api/problem';
import type { components } from '../api/schema';
import { useApiQuery, type ApiQuery } from './useApiQuery';
import { useSession } from './useApi';

export type LeaseRequest = components['schemas']['LeaseRequest'];
export type Credential = components['schemas']['Credential'];

/** How often statuses are read again while a list is shown (provisioning takes seconds). */
export const POLL_MS = 2000;

/** The signed-in person's own requests, newest first, kept current by polling. */
export function useRequests(): ApiQuery<LeaseRequest[]> {
  const { api } = useSession();
  const read = useCallback(
    async () => unwrap(await api.GET('/requests', { params: { query: { mine: 'true', limit: 50 } } })).items,
    [api],
  );
  return useApiQuery(read, POLL_MS);
}

/** Requests the signed-in person approved (in part or in full) or denied, newest decision first (decidedBy=me). */
export function useDecided(): ApiQuery<LeaseRequest[]> {
  const { api } = useSession();
  const read = useCallback(
    async () => unwrap(await api.GET('/requests', { params: { query: { decidedBy: 'me', limit: 50 } } })).items,
    [api],
  );
  return useApiQuery(read, POLL_MS);
}

/** Requests waiting for a decision the signed-in person may make (awaiting=me; never their own). */
export function useApprovals(): ApiQuery<LeaseRequest[]> {
  const { api } = useSession();
  const read = useCallback(
    async () => unwrap(await api.GET('/requests', { params: { query: { awaiting: 'me', limit: 100 } } })).items,
    [api],
  );
  return useApiQuery(read, POLL_MS);
}
