import { useCallback, useState } from 'react';
import { ApiError } from '../api/problem';

export interface Action<A extends unknown[]> {
  /** Runs the action; its failure is kept in `error` (shown next to the control), never thrown. Resolves true on success. */
  readonly run: (...args: A) => Promise<boolean>;
  readonly busy: boolean;
  readonly error: unknown;
  /** The problem's message about this body field (`errors[].field`), for the field's validation message. */
  readonly fieldError: (field: string) => string | undefined;
  readonly reset: () => void;
}

/** A write to the API from a button or form: busy while it runs, its problem+json kept for display. */
export function useAction<A extends unknown[]>(perform: (...args: A) => Promise<void>): Action<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = useCallback(
    async (...args: A) => {
      setBusy(true);
      setError(undefined);
      try {
        await perform(...args);
        return true;
      } catch (failure) {
        setError(failure);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [perform],
  );
  const fieldError = (field: string) => fieldMessage(error, field);
  return { run, busy, error, fieldError, reset: () => setError(undefined) };
}

/** What the API said about one field ("connection.clientSecret" also matches "connection"'s children). */
export function fieldMessage(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const found = (error.problem?.errors ?? []).filter(
    (e) => e.field === field || e.field.startsWith(`${field}.`) || e.field.endsWith(`.${field}`),
  );
  return found.length > 0 ? found.map((e) => e.message).join(' ') : undefined;
}
