import { TableCell, TableRow, Text } from '@fluentui/react-components';
import { useEffect } from 'react';
import { DataTable } from '../../components/DataTable';
import { ErrorText } from '../../components/ErrorText';
import { QueryList } from '../../components/QueryList';
import { useTemplateTenants } from '../../hooks/useTemplates';

const STATUS_WORDS = {
  inSync: 'In sync',
  drifted: 'Drifted',
  notApplied: 'Not applied',
  failed: 'Failed',
} as const;

/** One template's target in each tenant: in sync, drifted (which fields), not applied, or failed (why). */
export function TemplateTenants(props: {
  readonly templateId: string;
  readonly version: number;
  readonly revision: number;
}) {
  const tenants = useTemplateTenants(props.templateId);
  const { refresh } = tenants;
  useEffect(() => {
    void refresh();
  }, [props.revision, props.version, refresh]);
  const items = { data: tenants.data?.items, loading: tenants.loading };
  return (
    <section aria-label={`Tenants of template ${props.templateId}`}>
      <h2>Tenants of {props.templateId}</h2>
      <ErrorText error={tenants.error} />
      {tenants.data ? (
        <Text>
          {tenants.data.summary.inSync} in sync, {tenants.data.summary.drifted} drifted,{' '}
          {tenants.data.summary.notApplied} not applied, {tenants.data.summary.failed} failed (version{' '}
          {tenants.data.version})
        </Text>
      ) : null}
      <QueryList query={items} loadingLabel="Loading the tenants" empty="No tenant is in this template's scope.">
        {(list) => (
          <DataTable label={`Tenants of template ${props.templateId}`} columns={['Tenant', 'State', 'Details']}>
            {list.map((t) => (
              <TableRow key={t.tenantId}>
                <TableCell>{t.displayName}</TableCell>
                <TableCell>{STATUS_WORDS[t.status]}</TableCell>
                <TableCell>
                  {t.status === 'failed' ? t.detail : null}
                  {t.status === 'drifted' ? `Differs in ${t.driftedFields.join(', ')}` : null}
                  {t.targetVersion !== null && t.status !== 'failed' ? ` Made from version ${t.targetVersion}.` : null}
                </TableCell>
              </TableRow>
            ))}
          </DataTable>
        )}
      </QueryList>
    </section>
  );
}
