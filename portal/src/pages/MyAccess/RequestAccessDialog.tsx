import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Select,
  Spinner,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { unwrap } from '../../api/problem';
import { ErrorText } from '../../components/ErrorText';
import { durationChoices, durationSeconds, durationWords, isoDuration } from '../../duration';
import { useSession } from '../../hooks/useApi';
import type { Entitlement } from '../../hooks/useEntitlements';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

/** "Request access": the Duration picker bounded by the target's minimum and maximum, preset to its default. */
export function RequestAccessDialog(props: {
  readonly entitlement: Entitlement;
  readonly onClose: () => void;
  readonly onSubmitted: () => void;
}) {
  const { entitlement: e } = props;
  const styles = useStyles();
  const { api } = useSession();
  const choices = durationChoices(e.minDuration, e.effectiveMaxDuration, e.defaultDuration);
  const preset = Math.min(durationSeconds(e.effectiveMaxDuration), durationSeconds(e.defaultDuration));
  const [duration, setDuration] = useState(String(preset));
  const [justification, setJustification] = useState('');
  const [ticket, setTicket] = useState('');
  const [error, setError] = useState<unknown>();
  const [sending, setSending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSending(true);
    setError(undefined);
    try {
      unwrap(
        await api.POST('/requests', {
          body: {
            tenantId: e.tenantId,
            targetId: e.targetId,
            duration: isoDuration(Number(duration)),
            ...(justification.trim() ? { justification: justification.trim() } : {}),
            ...(ticket.trim() ? { ticket: ticket.trim() } : {}),
          },
        }),
      );
      props.onSubmitted();
    } catch (failure) {
      setError(failure);
    } finally {
      setSending(false);
    }
  };

  return (
    <Dialog open modalType="modal" onOpenChange={(_, data) => (data.open ? undefined : props.onClose())}>
      <DialogSurface>
        <form onSubmit={(event) => void submit(event)}>
          <DialogBody>
            <DialogTitle>
              Request access: {e.name} in {e.tenantDisplayName}
            </DialogTitle>
            <DialogContent className={styles.form}>
              <Field
                label="Duration"
                hint={`Between ${durationWords(e.minDuration)} and ${durationWords(e.effectiveMaxDuration)}`}
              >
                <Select value={duration} onChange={(_, data) => setDuration(data.value)}>
                  {choices.map((seconds) => (
                    <option key={seconds} value={String(seconds)}>
                      {durationWords(seconds)}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field label="Justification" required={e.requireJustification}>
                <Textarea value={justification} maxLength={1000} onChange={(_, data) => setJustification(data.value)} />
              </Field>
              <Field label="Ticket" required={e.requireTicket}>
                <Input value={ticket} maxLength={128} onChange={(_, data) => setTicket(data.value)} />
              </Field>
              {e.approvalRequired ? <p>This access needs an approver&apos;s decision before it starts.</p> : null}
              <ErrorText error={error} />
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={props.onClose}>
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={sending}>
                {sending ? <Spinner size="tiny" label="Sending" /> : 'Request access'}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
