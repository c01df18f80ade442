import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import { errorText } from '../api/problem';

/** An API error in words (the problem's detail), next to what caused it; announced to screen readers. */
export function ErrorText({ error }: { readonly error: unknown }) {
  if (error === undefined || error === null) return null;
  return (
    <MessageBar intent="error" role="alert">
      <MessageBarBody>{errorText(error)}</MessageBarBody>
    </MessageBar>
  );
}
