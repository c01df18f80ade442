import { Button, Card, CardHeader, Field, Text, Textarea } from '@fluentui/react-components';
import { useId, useState } from 'react';
import { unwrap } from '../../api/problem';
import { ErrorText } from '../../components/ErrorText';
import { useSharedStyles } from '../../components/styles';
import { countdown, durationWords } from '../../duration';
import { useSession } from '../../hooks/useApi';
import { useNow } from '../../hooks/useNow';
import type { LeaseRequest } from '../../hooks/useRequests';
import type { TargetNames } from '../../hooks/useTargetNames';
import { ApprovalFacts, namesOf } from './ApprovalFacts';

/**
 * One request awaiting a decision: who asks for what, for how long and why, until when, how many
 * approvals it has of how many ("1 of 2"), the stage and who approved so far; "Approve"/"Deny"
 * with a "Comment".
 */
export function ApprovalCard(props: {
  readonly request: LeaseRequest;
  readonly names: TargetNames;
  readonly onDecided: () => Promise<void>;
}) {
  const { request: r } = props;
  const names = namesOf(r, props.names);
  const shared = useSharedStyles();
  const { api } = useSession();
  const now = useNow();
  const titleId = useId();
  const [comment, setComment] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const requester = r.requester.displayName
    ? `${r.requester.displayName} (${r.requester.userPrincipalName})`
    : r.requester.userPrincipalName;

  const decide = async (verb: 'approve' | 'deny') => {
    setBusy(true);
    setError(undefined);
    try {
      const options = {
        params: { path: { id: r.id } },
        body: comment.trim() ? { comment: comment.trim() } : {},
      };
      if (verb === 'approve') unwrap(await api.POST('/requests/{id}/approve', options));
      else unwrap(await api.POST('/requests/{id}/deny', options));
      await props.onDecided();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card role="region" aria-labelledby={titleId}>
      <CardHeader
        header={
          <Text id={titleId} as="h2" weight="semibold" size={400}>
            {r.requester.userPrincipalName} asks for {names.target} in {names.tenant}
          </Text>
        }
      />
      <dl className={shared.facts}>
        <dt>Requester</dt>
        <dd>{requester}</dd>
        <dt>Tenant</dt>
        <dd>{names.tenant}</dd>
        <dt>Target</dt>
        <dd>{names.target}</dd>
        <dt>Duration</dt>
        <dd>{durationWords(r.duration)}</dd>
        {r.startAt ? (
          <>
            <dt>Starts</dt>
            <dd>{new Date(r.startAt).toLocaleString()}</dd>
          </>
        ) : null}
        <dt>Justification</dt>
        <dd>{r.justification ?? 'None given'}</dd>
        <dt>Ticket</dt>
        <dd>{r.ticket ?? 'None given'}</dd>
        {r.status === 'pending_approval' ? (
          <>
            <dt>Decide within</dt>
            <dd>{countdown((Date.parse(r.approvalDeadline) - now) / 1000)}</dd>
          </>
        ) : null}
        <ApprovalFacts request={r} />
      </dl>
      <Field label="Comment">
        <Textarea value={comment} maxLength={1000} onChange={(_, data) => setComment(data.value)} />
      </Field>
      <div className={shared.buttons}>
        <Button appearance="primary" disabled={busy} onClick={() => void decide('approve')}>
          Approve
        </Button>
        <Button disabled={busy} onClick={() => void decide('deny')}>
          Deny
        </Button>
      </div>
      <ErrorText error={error} />
    </Card>
  );
}
