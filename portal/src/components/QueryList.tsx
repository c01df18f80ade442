import { Spinner, Text } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import type { ApiQuery } from '../hooks/useApiQuery';

/**
 * A list read from the API, in its three states: a spinner named `loadingLabel` while the first
 * read runs, the `empty` sentence when there is nothing, else `children` with the items. The read's
 * error is the page's to show (next to its other errors, with ErrorText).
 */
export function QueryList<T>(props: {
  readonly query: Pick<ApiQuery<readonly T[]>, 'data' | 'loading'>;
  readonly loadingLabel: string;
  readonly empty: ReactNode;
  readonly children: (items: readonly T[]) => ReactNode;
}) {
  const { data, loading } = props.query;
  return (
    <>
      {loading ? <Spinner label={props.loadingLabel} /> : null}
      {data?.length === 0 ? <Text>{props.empty}</Text> : null}
      {data && data.length > 0 ? props.children(data) : null}
    </>
  );
}
