import { useState } from 'react';
import type { Action } from './useAction';

/**
 * A form checked here before it goes to the API (ids are GUIDs, durations ISO 8601, required
 * fields filled): `local` holds each field's problem. They show once the person has tried to submit,
 * not while they type the first time; while any remains, nothing is sent. `message` is what a field
 * shows: its own problem, else what the API said about it (`apiField`, when the API names it otherwise).
 */
export function useCheckedSubmit(local: Readonly<Record<string, string | undefined>>, action: Action<[]>) {
  const [checked, setChecked] = useState(false);
  const message = (field: string, apiField = field) =>
    (checked ? local[field] : undefined) ?? action.fieldError(apiField);
  const submit = () => {
    setChecked(true);
    if (Object.values(local).some((m) => m !== undefined)) return;
    void action.run();
  };
  return { message, submit };
}
