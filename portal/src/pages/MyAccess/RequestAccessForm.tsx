import { Button, Card, Field, Input, Select, Spinner, Text, Textarea } from '@fluentui/react-components';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { unwrap } from '../../api/problem';
import { ErrorText } from '../../components/ErrorText';
import { useSharedStyles } from '../../components/styles';
import { durationChoices, durationSeconds, durationWords, isoDuration } from '../../duration';
import { useSession } from '../../hooks/useApi';
import type { Entitlement } from '../../hooks/useEntitlements';

/**
 * "Request access" for one target, in the page (not a modal: it works the same on a phone, and
 * nothing is left hidden from assistive technology when it goes): the Duration picker bounded by
 * the target's minimum and maximum, preset to its default; Justification and Ticket, required where
 * the policy says so; "Start at" (optional, local time) where the target allows scheduled access.
 */
export function RequestAccessForm(props: {
  readonly entitlement: Entitlement;
  readonly onCancel: () => void;
  readonly onSubmitted: () => void;
}) {
  const { entitlement: e } = props;
  const shared = useSharedStyles();
  const { api } = useSession();
  const titleId = useId();
  const title = useRef<HTMLHeadingElement>(null);
  const choices = durationChoices(e.minDuration, e.effectiveMaxDuration, e.defaultDuration);
  const preset = Math.min(durationSeconds(e.effectiveMaxDuration), durationSeconds(e.defaultDuration));
  const [duration, setDuration] = useState(String(preset));
  const [justification, setJustification] = useState('');
  const [ticket, setTicket] = useState('');
  const [startAt, setStartAt] = useState('');
  const [error, setError] = useState<unknown>();
  const [sending, setSending] = useState(false);

  // Keyboard and screen-reader users land on the form they opened.
  useEffect(() => title.current?.focus(), []);

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
            // datetime-local is the person's local time; the API takes UTC.
            ...(startAt ? { startAt: new Date(startAt).toISOString() } : {}),
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
    <Card>
      <form aria-labelledby={titleId} className={shared.stack} onSubmit={(event) => void submit(event)}>
        <h2 id={titleId} ref={title} tabIndex={-1}>
          Request access: {e.name} in {e.tenantDisplayName}
        </h2>
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
        {e.maxScheduleAhead ? (
          <Field
            label="Start at"
            hint={`Optional: leave empty to start as soon as possible; at most ${durationWords(e.maxScheduleAhead)} ahead`}
          >
            <Input type="datetime-local" value={startAt} onChange={(_, data) => setStartAt(data.value)} />
          </Field>
        ) : null}
        {e.approvalRequired ? <Text>This access needs an approver&apos;s decision before it starts.</Text> : null}
        <ErrorText error={error} />
        <div className={shared.buttons}>
          <Button appearance="primary" type="submit" disabled={sending}>
            Request access
          </Button>
          <Button onClick={props.onCancel}>Cancel</Button>
          {sending ? <Spinner size="tiny" label="Sending the request" /> : null}
        </div>
      </form>
    </Card>
  );
}
