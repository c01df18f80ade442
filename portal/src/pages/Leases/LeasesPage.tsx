import { Badge, TableCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import { DataTable } from '../../components/DataTable';
import { ErrorText } from '../../components/ErrorText';
import { QueryList } from '../../components/QueryList';
import { useSharedStyles } from '../../components/styles';
import { countdown } from '../../duration';
import { useLiveLeases, useReconcilerFindings } from '../../hooks/useLeases';
import { useNow } from '../../hooks/useNow';
import type { LeaseRequest } from '../../hooks/useRequests';
import { useTargets } from '../../hooks/useTargets';
import { useTenants } from '../../hooks/useTenants';
import { statusOf } from '../Requests/status';
import { ReconcileNow } from './ReconcileNow';

const useStyles = makeStyles({
  section: { marginBottom: tokens.spacingVerticalL },
});

/**
 * "Leases" (operator, an admin): every live lease across tenants with its phase, requester, target
 * and expiry, kept current; revocations that keep failing and the reconciler's findings first;
 * "Reconcile now".
 */
export function LeasesPage() {
  const styles = useStyles();
  const shared = useSharedStyles();
  const leases = useLiveLeases();
  const findings = useReconcilerFindings();
  const tenants = useTenants();
  const targets = useTargets(tenants.data);
  const now = useNow();
  const tenantName = (id: string | null) =>
    id === null ? '' : (tenants.data?.find((t) => t.tenantId === id)?.displayName ?? id);
  const targetName = (tenantId: string, targetId: string) =>
    targets.data?.find((t) => t.tenantId === tenantId && t.targetId === targetId)?.name ?? targetId;
  const failed = leases.data?.filter((r) => r.status === 'revocation_failed') ?? [];

  return (
    <>
      <h1>Leases</h1>
      <ReconcileNow onDone={async () => void (await Promise.all([leases.refresh(), findings.refresh()]))} />
      {failed.length > 0 ? (
        <section aria-labelledby="failed-revocations" className={styles.section}>
          <h2 id="failed-revocations">Revocations failing</h2>
          <ul>
            {failed.map((r) => (
              <li key={r.id}>
                {r.requester.userPrincipalName}: {targetName(r.tenantId, r.targetId)} in {tenantName(r.tenantId)}
                {'failure' in r ? ` (${r.failure})` : ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="findings" className={styles.section}>
        <h2 id="findings">Reconciler findings (last 24 hours)</h2>
        <ErrorText error={findings.error} />
        {findings.data?.length === 0 ? <Text>No findings.</Text> : null}
        {findings.data && findings.data.length > 0 ? (
          <ul>
            {findings.data.map((e) => (
              <li key={e.id} className={shared.breakAnywhere}>
                {new Date(e.at).toLocaleString()}: {e.action.replace(/^reconciler\./, '').replace(/_/g, ' ')}
                {e.tenantId ? ` in ${tenantName(e.tenantId)}` : ''}
                {Object.keys(e.details).length > 0
                  ? ` (${Object.entries(e.details)
                      .map(([k, v]) => `${k}: ${String(v)}`)
                      .join('; ')})`
                  : ''}
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      <section aria-labelledby="live-leases">
        <h2 id="live-leases">Live leases</h2>
        <ErrorText error={leases.error} />
        <QueryList query={leases} loadingLabel="Loading the live leases" empty="No live lease.">
          {(list) => (
            <DataTable labelledBy="live-leases" columns={['Phase', 'Requester', 'Target', 'Expires']}>
              {list.map((r) => (
                <TableRow key={r.id}>
                  <TableCell>
                    <Badge appearance="filled" color={statusOf(r).color}>
                      {statusOf(r).text}
                    </Badge>
                  </TableCell>
                  <TableCell className={shared.breakAnywhere}>{r.requester.userPrincipalName}</TableCell>
                  <TableCell>
                    {targetName(r.tenantId, r.targetId)} in {tenantName(r.tenantId)}
                  </TableCell>
                  <TableCell>{expiry(r, now)}</TableCell>
                </TableRow>
              ))}
            </DataTable>
          )}
        </QueryList>
      </section>
    </>
  );
}

function expiry(r: LeaseRequest, now: number): string {
  if (!('expiresAt' in r) || !r.expiresAt) return 'Not yet active';
  const at = Date.parse(r.expiresAt);
  return `${new Date(at).toLocaleString()} (in ${countdown((at - now) / 1000)})`;
}
