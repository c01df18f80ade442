import {
  Badge,
  Button,
  Field,
  Input,
  Select,
  Spinner,
  TableCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { DataTable } from '../../components/DataTable';
import { TextField } from '../../components/TextField';
import { ErrorText } from '../../components/ErrorText';
import { useSharedStyles } from '../../components/styles';
import { useAction } from '../../hooks/useAction';
import { useAuditLog, useAuditVerification, type AuditFilter } from '../../hooks/useAudit';
import { useTenants } from '../../hooks/useTenants';
import { ChainState } from './ChainState';
import { auditCsv } from './csv';

const useStyles = makeStyles({
  filters: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(14rem, 1fr))',
    gap: tokens.spacingHorizontalM,
    alignItems: 'end',
    marginBottom: tokens.spacingVerticalM,
  },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, marginBlock: tokens.spacingVerticalM },
});

/** A datetime-local value (the browser's local time) as ISO 8601 with offset, as the API asks; empty stays absent. */
function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/**
 * "Audit" (admin): the log filtered by tenant, actor, request and time; the hash chain's
 * verification state; "Export CSV" of every event the filter finds.
 */
export function AuditPage() {
  const styles = useStyles();
  const shared = useSharedStyles();
  const tenants = useTenants();
  const [tenantId, setTenantId] = useState('');
  const [actor, setActor] = useState('');
  const [requestId, setRequestId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [applied, setApplied] = useState<AuditFilter>({});
  const log = useAuditLog(applied);
  const chain = useAuditVerification(applied.tenantId);
  const [exported, setExported] = useState<number>();
  const exportCsv = useAction(async () => {
    setExported(0);
    const events = await log.readAll(setExported);
    const url = URL.createObjectURL(new Blob([auditCsv(events)], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `entra-jit-audit-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`;
    link.click();
    URL.revokeObjectURL(url);
  });

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const fromIso = isoOf(from);
    const toIso = isoOf(to);
    setApplied({
      ...(tenantId ? { tenantId } : {}),
      ...(actor.trim() ? { actor: actor.trim() } : {}),
      ...(requestId.trim() ? { requestId: requestId.trim() } : {}),
      ...(fromIso ? { from: fromIso } : {}),
      ...(toIso ? { to: toIso } : {}),
    });
  };
  const tenantName = (id: string | null) =>
    id === null ? '' : (tenants.data?.find((t) => t.tenantId === id)?.displayName ?? id);

  return (
    <>
      <h1>Audit</h1>
      <ChainState chain={chain} scope={applied.tenantId ? tenantName(applied.tenantId) : undefined} />
      <form onSubmit={apply} aria-label="Audit filter">
        <div className={styles.filters}>
          <Field label="Tenant">
            <Select value={tenantId} onChange={(_, d) => setTenantId(d.value)}>
              <option value="">All tenants</option>
              {tenants.data?.map((t) => (
                <option key={t.tenantId} value={t.tenantId}>
                  {t.displayName}
                </option>
              ))}
            </Select>
          </Field>
          <TextField label="Actor" hint="Object id, integration id or entra-jit" value={actor} onChange={setActor} />
          <TextField label="Request id" value={requestId} onChange={setRequestId} />
          <Field label="From">
            <Input type="datetime-local" value={from} onChange={(_, d) => setFrom(d.value)} />
          </Field>
          <Field label="To">
            <Input type="datetime-local" value={to} onChange={(_, d) => setTo(d.value)} />
          </Field>
        </div>
        <div className={styles.actions}>
          <Button appearance="primary" type="submit">
            Apply filter
          </Button>
          <Button disabled={exportCsv.busy} onClick={() => void exportCsv.run()}>
            Export CSV
          </Button>
          {exportCsv.busy ? <Spinner size="tiny" label={`Exporting: ${exported ?? 0} events read`} /> : null}
          {!exportCsv.busy && exported !== undefined && !exportCsv.error ? (
            <Text role="status">Exported {exported} events.</Text>
          ) : null}
        </div>
      </form>
      <ErrorText error={exportCsv.error} />
      <ErrorText error={log.error} />
      {log.events.length === 0 && !log.loading && !log.error ? <Text>No event matches the filter.</Text> : null}
      {log.events.length > 0 ? (
        <DataTable label="Audit events" columns={['When', 'Action', 'Actor', 'Tenant', 'Request', 'Details']}>
          {log.events.map((e) => (
            <TableRow key={e.id}>
              <TableCell>{new Date(e.at).toLocaleString()}</TableCell>
              <TableCell>
                {e.action}{' '}
                {e.outcome === 'failure' ? (
                  <Badge appearance="outline" color="danger">
                    failure
                  </Badge>
                ) : null}
              </TableCell>
              <TableCell className={shared.breakAnywhere}>{e.actor.userPrincipalName ?? e.actor.id}</TableCell>
              <TableCell>{tenantName(e.tenantId)}</TableCell>
              <TableCell className={shared.breakAnywhere}>{e.requestId ?? ''}</TableCell>
              <TableCell className={shared.breakAnywhere}>
                {Object.entries(e.details)
                  .map(([k, v]) => `${k}: ${String(v)}`)
                  .join('; ')}
              </TableCell>
            </TableRow>
          ))}
        </DataTable>
      ) : null}
      {log.loading ? <Spinner label="Loading events" /> : null}
      {log.more && !log.loading ? <Button onClick={() => void log.loadMore()}>Load more events</Button> : null}
    </>
  );
}
