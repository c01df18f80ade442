import {
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { unwrap } from '../../api/problem';
import { ErrorText } from '../../components/ErrorText';
import { useAction } from '../../hooks/useAction';
import { useSession } from '../../hooks/useApi';
import type { ReconcileReport } from '../../hooks/useLeases';

const useStyles = makeStyles({
  box: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, marginBlock: tokens.spacingVerticalM },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  list: { margin: 0, overflowWrap: 'anywhere' },
});

const LINES: readonly [keyof ReconcileReport, string][] = [
  ['leasesRestarted', 'Leases restarted (their orchestration had failed or vanished)'],
  ['leasesRevoked', 'Leases revoked (requester offboarded or no longer entitled)'],
  ['driftDisabled', 'JIT accounts found enabled without a lease, now disabled'],
  ['foreignJitAccounts', 'Look-alike accounts this service did not make (not touched)'],
  ['credentialsDeleted', 'Credentials that outlived their lease, deleted'],
  ['accountsDeleted', 'Unused accounts deleted'],
  ['errors', 'Errors'],
];

/** "Reconcile now" (POST /ops/reconcile): runs the reconciler, shows that it runs, then what it found and did. */
export function ReconcileNow(props: { readonly onDone: () => Promise<void> }) {
  const styles = useStyles();
  const { api } = useSession();
  const [report, setReport] = useState<ReconcileReport>();
  const reconcile = useAction(async () => {
    setReport(unwrap(await api.POST('/ops/reconcile')));
    await props.onDone();
  });
  const found = report ? LINES.filter(([key]) => report[key].length > 0) : [];

  return (
    <section aria-label="Reconciler" className={styles.box}>
      <div className={styles.row}>
        <Button appearance="primary" disabled={reconcile.busy} onClick={() => void reconcile.run()}>
          Reconcile now
        </Button>
        {reconcile.busy ? <Spinner size="tiny" label="Reconciling every tenant and lease…" /> : null}
      </div>
      <ErrorText error={reconcile.error} />
      {report && !reconcile.busy ? (
        <MessageBar intent={report.errors.length > 0 ? 'error' : found.length > 0 ? 'warning' : 'success'}>
          <MessageBarBody>
            <MessageBarTitle>
              {found.length === 0 ? 'Reconciled: nothing to repair' : 'Reconciled: what it found and did'}
            </MessageBarTitle>
            {found.length > 0 ? (
              <ul className={styles.list}>
                {found.map(([key, label]) => (
                  <li key={key}>
                    {label}: {report[key].join(', ')}
                  </li>
                ))}
              </ul>
            ) : null}
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </section>
  );
}
