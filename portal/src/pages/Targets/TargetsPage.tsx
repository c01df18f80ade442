import { Button, TableCell, TableRow, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { DataTable } from '../../components/DataTable';
import { ErrorText } from '../../components/ErrorText';
import { QueryList } from '../../components/QueryList';
import { useSharedStyles } from '../../components/styles';
import { durationWords } from '../../duration';
import { useTargets, type Target } from '../../hooks/useTargets';
import { useTenants } from '../../hooks/useTenants';
import { TargetDialog } from './TargetDialog';

const KIND_NAMES: Record<Target['kind'], string> = {
  adminAccount: 'Admin account',
  elevation: 'Elevation',
  gdapGroup: 'GDAP group',
};

/** "Targets" (admin): what can be requested in each tenant; "Create target", "Edit". */
export function TargetsPage() {
  const shared = useSharedStyles();
  const tenants = useTenants();
  const targets = useTargets(tenants.data);
  const [editing, setEditing] = useState<Target | 'new'>();
  const tenantName = (id: string) => tenants.data?.find((t) => t.tenantId === id)?.displayName ?? id;

  return (
    <>
      <h1>Targets</h1>
      <div className={shared.toolbar}>
        <Button appearance="primary" disabled={(tenants.data?.length ?? 0) === 0} onClick={() => setEditing('new')}>
          Create target
        </Button>
      </div>
      {tenants.data?.length === 0 ? <Text>Connect a tenant first (Tenants).</Text> : null}
      <ErrorText error={tenants.error} />
      <ErrorText error={targets.error} />
      <QueryList query={targets} loadingLabel="Loading the targets" empty="No target yet.">
        {(list) => (
          <DataTable label="Targets" columns={['Target', 'Tenant', 'Grants', 'Policy']} actionsColumn="Action">
            {list.map((t) => (
              <TableRow key={`${t.tenantId}/${t.targetId}`}>
                <TableCell>
                  <Text weight="semibold">{t.name}</Text>
                  <br />
                  <Text size={200}>{t.targetId}</Text>
                </TableCell>
                <TableCell>{tenantName(t.tenantId)}</TableCell>
                <TableCell>
                  {KIND_NAMES[t.kind]}
                  {t.roles.length > 0 ? `: ${t.roles.map((r) => r.displayName ?? r.templateId).join(', ')}` : ''}
                  {t.groups.length > 0 ? `; groups ${t.groups.map((g) => g.displayName ?? g.id).join(', ')}` : ''}
                </TableCell>
                <TableCell>
                  {durationWords(t.minDuration)} to {durationWords(t.maxDuration)} (default{' '}
                  {durationWords(t.defaultDuration)}){t.approval.mode === 'required' ? '; approval required' : ''}
                  {t.requireJustification ? '; justification' : ''}
                  {t.requireTicket ? '; ticket' : ''}
                </TableCell>
                <TableCell>
                  {t.kind === 'gdapGroup' ? (
                    <Text size={200}>Edit through the API (PATCH /targets)</Text>
                  ) : (
                    <Button aria-label={`Edit ${t.name} in ${tenantName(t.tenantId)}`} onClick={() => setEditing(t)}>
                      Edit
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </DataTable>
        )}
      </QueryList>
      {editing && tenants.data ? (
        <TargetDialog
          tenants={tenants.data}
          target={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            void targets.refresh();
          }}
        />
      ) : null}
    </>
  );
}
