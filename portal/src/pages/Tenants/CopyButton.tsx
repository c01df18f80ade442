import { Button } from '@fluentui/react-components';
import { useState } from 'react';

/** "Copy <what>": the value to the clipboard (never to storage), saying whether it worked. */
export function CopyButton(props: { readonly what: string; readonly value: string }) {
  const [said, setSaid] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setSaid('Copied');
    } catch {
      setSaid('The browser refused the clipboard: select the text and copy it');
    }
  };
  return (
    <span>
      <Button onClick={() => void copy()}>Copy {props.what}</Button> <span role="status">{said}</span>
    </span>
  );
}
