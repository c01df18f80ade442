import { Button, Field, Input, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { unwrap } from '../../api/problem';
import { ErrorText } from '../../components/ErrorText';
import { useSession } from '../../hooks/useApi';
import type { Credential } from '../../hooks/useRequests';

/** How long a revealed credential stays on screen before it hides itself. */
export const REVEAL_MS = 60_000;

const useStyles = makeStyles({
  box: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  row: { display: 'flex', alignItems: 'end', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  field: { flexGrow: 1, minWidth: '12rem' },
});

/**
 * "Reveal": asks the API for the lease's credential (audited) and shows it for a minute. It lives
 * in this component's state only: never in storage, the URL or a log.
 */
export function RevealCredential({ requestId }: { readonly requestId: string }) {
  const styles = useStyles();
  const { api } = useSession();
  const [credential, setCredential] = useState<Credential>();
  const [error, setError] = useState<unknown>();
  const [copied, setCopied] = useState<string>();

  useEffect(() => {
    if (!credential) return;
    const timer = window.setTimeout(() => setCredential(undefined), REVEAL_MS);
    return () => window.clearTimeout(timer);
  }, [credential]);

  const reveal = async () => {
    setError(undefined);
    try {
      setCredential(unwrap(await api.POST('/requests/{id}/credential', { params: { path: { id: requestId } } })));
    } catch (failure) {
      setError(failure);
    }
  };
  const copy = async (what: string, value: string) => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(`${what} copied`);
    } catch (failure) {
      setError(failure);
    }
  };

  if (!credential)
    return (
      <div className={styles.box}>
        <div className={styles.row}>
          <Button appearance="primary" onClick={() => void reveal()}>
            Reveal
          </Button>
        </div>
        <ErrorText error={error} />
      </div>
    );

  const secret =
    'temporaryAccessPass' in credential
      ? { label: 'Temporary Access Pass', value: credential.temporaryAccessPass }
      : { label: 'Password', value: credential.password };
  return (
    <div className={styles.box} role="group" aria-label="Credential">
      <div className={styles.row}>
        <Field label="User name" className={styles.field}>
          <Input readOnly value={credential.userPrincipalName} />
        </Field>
        <Button onClick={() => void copy('User name', credential.userPrincipalName)}>Copy user name</Button>
      </div>
      <div className={styles.row}>
        <Field label={secret.label} className={styles.field}>
          <Input readOnly value={secret.value} autoComplete="off" />
        </Field>
        <Button onClick={() => void copy(secret.label, secret.value)}>Copy {secret.label.toLowerCase()}</Button>
      </div>
      {credential.accessDetails ? <Text>{credential.accessDetails}</Text> : null}
      <Text size={200} aria-live="polite">
        {copied ?? 'Hidden again after a minute.'}
      </Text>
      <div className={styles.row}>
        <Button onClick={() => setCredential(undefined)}>Hide</Button>
      </div>
      <ErrorText error={error} />
    </div>
  );
}
