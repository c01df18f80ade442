import { Badge, Button, Card, CardHeader, Link, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useId, useState } from 'react';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { ErrorText } from '../../components/ErrorText';
import { useSharedStyles } from '../../components/styles';
import { useAction } from '../../hooks/useAction';
import { useSession } from '../../hooks/useApi';
import type { Tenant, TenantReadiness, VerificationCheck } from '../../hooks/useTenants';
import { Checklist } from './Checklist';
import { checklist } from './checks';
import { CopyButton } from './CopyButton';

type ConsentUrl = components['schemas']['ConsentUrl'];

const useStyles = makeStyles({
  consent: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, overflowWrap: 'anywhere' },
});

const STATUS = {
  ready: { text: 'Ready', color: 'success' },
  notReady: { text: 'Not ready', color: 'danger' },
  unverified: { text: 'Not verified', color: 'informative' },
} as const;

/** One connected tenant: its facts, its verification as a checklist, "Re-verify", the admin-consent link, "Edit". */
export function TenantCard(props: {
  readonly tenant: Tenant;
  readonly readiness: TenantReadiness | undefined;
  /** Every check of the latest verification made in this session, when there was one. */
  readonly verified: readonly VerificationCheck[] | undefined;
  readonly onVerified: (checks: readonly VerificationCheck[]) => Promise<void>;
  readonly onEdit: () => void;
}) {
  const { tenant: t } = props;
  const styles = useStyles();
  const shared = useSharedStyles();
  const { api } = useSession();
  const titleId = useId();
  const [consent, setConsent] = useState<ConsentUrl>();
  const verify = useAction(async () => {
    const result = unwrap(await api.POST('/tenants/{tenantId}/verify', { params: { path: { tenantId: t.tenantId } } }));
    await props.onVerified(result.checks);
  });
  const getConsent = useAction(async () => {
    setConsent(
      unwrap(await api.GET('/tenants/{tenantId}/consent-url', { params: { path: { tenantId: t.tenantId } } })),
    );
  });
  const known = props.readiness ?? { status: 'unverified' as const, failing: [], lastVerifiedAt: null };
  const fresh = props.verified;
  const status = fresh ? (fresh.every((c) => c.ok) ? 'ready' : 'notReady') : known.status;

  return (
    <Card role="region" aria-labelledby={titleId}>
      <CardHeader
        header={
          <Text id={titleId} as="h2" weight="semibold" size={400}>
            {t.displayName}
          </Text>
        }
        description={
          <Badge appearance="filled" color={STATUS[status].color}>
            {STATUS[status].text}
          </Badge>
        }
      />
      <dl className={shared.facts}>
        <dt>Tenant id</dt>
        <dd>{t.tenantId}</dd>
        <dt>JIT domain</dt>
        <dd>{t.jitDomain}</dd>
        <dt>Connection</dt>
        <dd>
          {t.connection.mode === 'clientSecret'
            ? `Client secret of app ${t.connection.clientId} (in Key Vault)`
            : 'Federated (the service’s own app)'}
        </dd>
        <dt>Tags</dt>
        <dd>{t.tags.length > 0 ? t.tags.join(', ') : 'None'}</dd>
        <dt>Protected accounts</dt>
        <dd>{t.protectedAccounts.length > 0 ? t.protectedAccounts.join(', ') : 'None'}</dd>
        <dt>Last verified</dt>
        <dd>{known.lastVerifiedAt ? new Date(known.lastVerifiedAt).toLocaleString() : 'Never'}</dd>
      </dl>
      <Checklist label={`Verification checks of ${t.displayName}`} items={checklist(known, fresh)} />
      <div className={shared.buttons}>
        <Button appearance="primary" disabled={verify.busy} onClick={() => void verify.run()}>
          {verify.busy ? 'Verifying…' : 'Re-verify'}
        </Button>
        <Button disabled={getConsent.busy} onClick={() => void getConsent.run()}>
          Admin-consent link
        </Button>
        <Button onClick={props.onEdit}>Edit</Button>
      </div>
      <ErrorText error={verify.error} />
      <ErrorText error={getConsent.error} />
      {consent ? (
        <div className={styles.consent}>
          <Link href={consent.consentUrl} target="_blank" rel="noreferrer">
            Open the admin-consent page for {t.displayName}
          </Link>
          <Text>{consent.instructions}</Text>
          <CopyButton what="admin-consent link" value={consent.consentUrl} />
        </div>
      ) : null}
    </Card>
  );
}
