import { useCallback, useEffect, useRef, useState } from 'react';

export interface ApiQuery<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  readonly refresh: () => Promise<void>;
}

/**
 * Loading, error and refresh of one API read; with `pollMs` it reads again on that period while
 * the page is shown, so statuses move on by themselves without a reload.
 */
export function useApiQuery<T>(read: () => Promise<T>, pollMs?: number): ApiQuery<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const readRef = useRef(read);
  useEffect(() => {
    readRef.current = read;
  }, [read]);

  const refresh = useCallback(async () => {
    try {
      const value = await readRef.current();
      setData(value);
      setError(undefined);
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void refresh();
    if (pollMs === undefined) return;
    const timer = window.setInterval(() => void refresh(), pollMs);
    return () => window.clearInterval(timer);
  }, [refresh, pollMs]);

  return { data, error, loading, refresh };
}
