import { Button, Field, Input, MessageBar, MessageBarBody, makeStyles, tokens } from '@fluentui/react-components';
import type { components } from '../../api/schema';
import { CopyButton } from '../Tenants/CopyButton';

type WithSecret = components['schemas']['CreatedIntegration'];

const useStyles = makeStyles({
  box: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, marginBlock: tokens.spacingVerticalM },
});

/** The integration's secret(s), in an answer that carries them once: the kind's secret fields. */
export function secretsOf(answer: WithSecret): { readonly label: string; readonly value: string }[] {
  const found: { label: string; value: string }[] = [];
  if (answer.signingSecret) found.push({ label: 'Signing secret', value: answer.signingSecret });
  if (answer.basicAuth) {
    found.push({ label: 'Basic user name', value: answer.basicAuth.username });
    found.push({ label: 'Basic password', value: answer.basicAuth.password });
  }
  if (answer.callbackSecret) found.push({ label: 'Callback secret', value: answer.callbackSecret });
  if (answer.callbackPath) found.push({ label: 'Callback path', value: answer.callbackPath });
  return found;
}

/**
 * A secret the API shows in this answer only: in this component's state while shown (never in
 * storage, the URL or a log), with "Copy", gone for good with "Done".
 */
export function SecretShownOnce(props: { readonly answer: WithSecret; readonly onDone: () => void }) {
  const styles = useStyles();
  return (
    <section role="group" aria-label={`Secret of ${props.answer.name}`} className={styles.box}>
      <MessageBar intent="warning">
        <MessageBarBody>
          Copy the secret of {props.answer.name} now: it is shown this once and never again (rotate it to get a new
          one). Deliveries go to {props.answer.webhookPath}.
        </MessageBarBody>
      </MessageBar>
      {secretsOf(props.answer).map((s) => (
        <div key={s.label}>
          <Field label={s.label}>
            <Input readOnly value={s.value} />
          </Field>
          <CopyButton what={s.label.toLowerCase()} value={s.value} />
        </div>
      ))}
      <div>
        <Button appearance="primary" onClick={props.onDone}>
          Done, I copied it
        </Button>
      </div>
    </section>
  );
}
