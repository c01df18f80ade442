import { Button, Field, Input, Select, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { ErrorText } from '../../components/ErrorText';
import { useAction } from '../../hooks/useAction';
import { useReportText, type ReportPeriod } from '../../hooks/useReports';
import { useTenants } from '../../hooks/useTenants';
import { lastMonth } from './period';

const useStyles = makeStyles({
  fields: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(14rem, 1fr))',
    gap: tokens.spacingHorizontalM,
    alignItems: 'end',
    marginBottom: tokens.spacingVerticalM,
  },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, marginBlock: tokens.spacingVerticalM },
});

/**
 * "Reports" (admin): one customer tenant's report for a period (leases, the JIT account's sign-ins,
 * configuration changes, the audit chain's verification), downloaded as CSV or opened as a
 * printable page (the browser's Print saves it as PDF).
 */
export function ReportsPage() {
  const styles = useStyles();
  const tenants = useTenants();
  const readReport = useReportText();
  const [tenantId, setTenantId] = useState('');
  const [period, setPeriod] = useState(lastMonth);
  const chosen = tenantId || tenants.data?.[0]?.tenantId || '';
  const request: ReportPeriod = { tenantId: chosen, from: period.from, to: period.to };

  const downloadCsv = useAction(async () => {
    const csv = await readReport(request, 'csv');
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `entra-jit-report-${request.tenantId}-${request.from}-${request.to}.csv`;
    link.click();
    URL.revokeObjectURL(url);
  });
  const openPrintable = useAction(async () => {
    // Opened now, while the click still counts as the person's: a window opened after the fetch
    // would be taken for a pop-up and blocked.
    const view = window.open('', '_blank');
    try {
      const html = await readReport(request, 'html');
      // The page carries its own Content-Security-Policy (no script, its own style sheet only).
      const url = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
      if (view === null) window.location.assign(url);
      else view.location.href = url;
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      view?.close();
      throw error;
    }
  });

  return (
    <>
      <h1>Reports</h1>
      <Text as="p">
        A customer&apos;s report for a period: every lease with its approver and ticket, the JIT account&apos;s sign-ins
        during each lease, the configuration changes and the audit chain&apos;s verification.
      </Text>
      <form aria-label="Report" onSubmit={(event) => event.preventDefault()}>
        <div className={styles.fields}>
          <Field label="Tenant">
            <Select value={chosen} onChange={(_, d) => setTenantId(d.value)}>
              {tenants.data?.map((t) => (
                <option key={t.tenantId} value={t.tenantId}>
                  {t.displayName}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="From" hint="First day (UTC)">
            <Input type="date" value={period.from} onChange={(_, d) => setPeriod((p) => ({ ...p, from: d.value }))} />
          </Field>
          <Field label="To" hint="Last day (UTC)">
            <Input type="date" value={period.to} onChange={(_, d) => setPeriod((p) => ({ ...p, to: d.value }))} />
          </Field>
        </div>
        <div className={styles.actions}>
          <Button
            appearance="primary"
            disabled={chosen === '' || downloadCsv.busy}
            onClick={() => void downloadCsv.run()}
          >
            Download CSV
          </Button>
          <Button disabled={chosen === '' || openPrintable.busy} onClick={() => void openPrintable.run()}>
            Open printable report
          </Button>
        </div>
      </form>
      <ErrorText error={tenants.error} />
      <ErrorText error={downloadCsv.error ?? openPrintable.error} />
    </>
  );
}
