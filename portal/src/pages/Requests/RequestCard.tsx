import {
  Badge,
  Button,
  Card,
  CardHeader,
  Field,
  Link,
  Select,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useId, useState } from 'react';
import { unwrap } from '../../api/problem';
import { ErrorText } from '../../components/ErrorText';
import { useSharedStyles } from '../../components/styles';
import { countdown, durationWords, isoDuration } from '../../duration';
import { useSession } from '../../hooks/useApi';
import { useNow } from '../../hooks/useNow';
import type { LeaseRequest } from '../../hooks/useRequests';
import type { TargetNames } from '../../hooks/useTargetNames';
import { ApprovalFacts, namesOf } from '../Approvals/ApprovalFacts';
import { RevealCredential } from './RevealCredential';
import { statusOf } from './status';

const useStyles = makeStyles({
  actions: { display: 'flex', flexWrap: 'wrap', alignItems: 'end', gap: tokens.spacingHorizontalS },
});

const EXTEND_CHOICES = [900, 1800, 3600, 7200, 4 * 3600];

/**
 * One request: status, countdown to expiry, and what its requester can do with it: "Reveal" the
 * credential, "Extend", "Revoke" ("Withdraw" while waiting for approval or for its start), open the
 * customer tenant's sign-in page. A scheduled request shows when it starts; a pending one how many
 * approvals it has of how many.
 */
export function RequestCard(props: {
  readonly request: LeaseRequest;
  readonly names: TargetNames;
  readonly onChanged: () => Promise<void>;
}) {
  const { request: r, names } = props;
  const styles = useStyles();
  const shared = useSharedStyles();
  const { api } = useSession();
  const now = useNow();
  const titleId = useId();
  const [extendBy, setExtendBy] = useState(String(EXTEND_CHOICES[2]));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const status = statusOf(r);
  const { target, tenant } = namesOf(r, names);

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      await props.onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const path = { params: { path: { id: r.id } } };
  const extend = () =>
    act(async () =>
      unwrap(await api.POST('/requests/{id}/extend', { ...path, body: { duration: isoDuration(Number(extendBy)) } })),
    );
  const revoke = () => act(async () => unwrap(await api.POST('/requests/{id}/revoke', { ...path, body: {} })));

  return (
    <Card role="region" aria-labelledby={titleId}>
      <CardHeader
        header={
          <Text id={titleId} weight="semibold" as="h2" size={400}>
            {target} in {tenant}
          </Text>
        }
        description={<Badge color={status.color}>{status.text}</Badge>}
      />
      <dl className={shared.facts}>
        <dt>Duration</dt>
        <dd>{durationWords(r.duration)}</dd>
        <dt>Requested</dt>
        <dd>{new Date(r.createdAt).toLocaleString()}</dd>
        {r.startAt && (r.status === 'pending_approval' || r.status === 'scheduled') ? (
          <>
            <dt>Starts</dt>
            <dd>
              {new Date(r.startAt).toLocaleString()}
              {Date.parse(r.startAt) > now ? ` (in ${countdown((Date.parse(r.startAt) - now) / 1000)})` : ''}
            </dd>
          </>
        ) : null}
        {r.justification ? (
          <>
            <dt>Justification</dt>
            <dd>{r.justification}</dd>
          </>
        ) : null}
        {r.ticket ? (
          <>
            <dt>Ticket</dt>
            <dd>{r.ticket}</dd>
          </>
        ) : null}
        {r.status === 'pending_approval' ? (
          <>
            <dt>Approval deadline</dt>
            <dd>in {countdown((Date.parse(r.approvalDeadline) - now) / 1000)}</dd>
          </>
        ) : null}
        {r.status === 'pending_approval' ? <ApprovalFacts request={r} /> : null}
        {r.decision ? (
          <>
            <dt>{r.decision.approved ? 'Approved by' : 'Denied by'}</dt>
            <dd>
              {r.decision.by ?? 'an approver'}
              {r.decision.comment ? `: “${r.decision.comment}”` : ''}
            </dd>
          </>
        ) : null}
        {r.status === 'active' || r.status === 'revoking' || r.status === 'revocation_failed' ? (
          <>
            <dt>Account</dt>
            <dd>{r.account.userPrincipalName}</dd>
          </>
        ) : null}
        {r.status === 'active' ? (
          <>
            <dt>Expires in</dt>
            <dd>
              <span role="timer" aria-label="Time left">
                {countdown((Date.parse(r.expiresAt) - now) / 1000)}
              </span>
            </dd>
          </>
        ) : null}
        {r.status === 'ended' && r.endedAt ? (
          <>
            <dt>Ended</dt>
            <dd>{new Date(r.endedAt).toLocaleString()}</dd>
          </>
        ) : null}
        {r.status === 'failed' || r.status === 'revocation_failed' ? (
          <>
            <dt>Failure</dt>
            <dd>{r.failure}</dd>
          </>
        ) : null}
      </dl>
      {r.status === 'active' ? (
        <>
          {r.credentialType !== 'none' ? <RevealCredential requestId={r.id} /> : null}
          <div className={styles.actions}>
            <Field label="Extend by">
              <Select value={extendBy} onChange={(_, data) => setExtendBy(data.value)}>
                {EXTEND_CHOICES.map((seconds) => (
                  <option key={seconds} value={String(seconds)}>
                    {durationWords(seconds)}
                  </option>
                ))}
              </Select>
            </Field>
            <Button disabled={busy} onClick={() => void extend()}>
              Extend
            </Button>
            <Button disabled={busy} onClick={() => void revoke()}>
              Revoke
            </Button>
            <Link href={signInPageOf(r.tenantId)} target="_blank" rel="noopener noreferrer">
              Open the sign-in page of {tenant}
            </Link>
          </div>
        </>
      ) : null}
      {r.status === 'pending_approval' || r.status === 'scheduled' ? (
        <div className={styles.actions}>
          <Button disabled={busy} onClick={() => void revoke()}>
            Withdraw
          </Button>
        </div>
      ) : null}
      <ErrorText error={error} />
    </Card>
  );
}

/** The customer tenant's own sign-in, with the tenant preselected so the JIT account signs in there. */
function signInPageOf(tenantId: string): string {
  return `https://myapps.microsoft.com/?tenantId=${encodeURIComponent(tenantId)}`;
}
