import { Button, TableCell, TableRow, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { unwrap } from '../../api/problem';
import { DataTable } from '../../components/DataTable';
import { ErrorText } from '../../components/ErrorText';
import { QueryList } from '../../components/QueryList';
import { useSharedStyles } from '../../components/styles';
import { durationWords } from '../../duration';
import { useAction } from '../../hooks/useAction';
import { useSession } from '../../hooks/useApi';
import { useRules, type Rule } from '../../hooks/useRules';
import { useTargets } from '../../hooks/useTargets';
import { useTenants } from '../../hooks/useTenants';
import { RuleDialog } from './RuleDialog';
import { scopeWords } from './scope';

/** "Rules" (admin): who may request what; "Create rule", "Edit", "Delete". */
export function RulesPage() {
  const shared = useSharedStyles();
  const { api } = useSession();
  const tenants = useTenants();
  const targets = useTargets(tenants.data);
  const rules = useRules();
  const [editing, setEditing] = useState<Rule | 'new'>();
  const [confirming, setConfirming] = useState<string>();
  const remove = useAction(async (ruleId: string) => {
    const result = await api.DELETE('/rules/{ruleId}', { params: { path: { ruleId } } });
    // 204 carries no body: only a failure is unwrapped (into its problem).
    if (!result.response.ok) unwrap(result);
    setConfirming(undefined);
    await rules.refresh();
  });
  const names = {
    tenant: (id: string) => tenants.data?.find((t) => t.tenantId === id)?.displayName ?? id,
    target: (tenantId: string, targetId: string) =>
      targets.data?.find((t) => t.tenantId === tenantId && t.targetId === targetId)?.name ?? targetId,
  };

  return (
    <>
      <h1>Rules</h1>
      <div className={shared.toolbar}>
        <Button appearance="primary" disabled={!tenants.data || !targets.data} onClick={() => setEditing('new')}>
          Create rule
        </Button>
      </div>
      <ErrorText error={rules.error} />
      <ErrorText error={tenants.error} />
      <ErrorText error={targets.error} />
      <QueryList query={rules} loadingLabel="Loading the rules" empty="No rule yet: nobody may request anything.">
        {(list) => (
          <DataTable label="Rules" columns={['Rule', 'Principal', 'Scope', 'Policy']} actionsColumn="Actions">
            {list.map((r) => (
              <TableRow key={r.ruleId}>
                <TableCell>
                  <Text weight="semibold">{r.ruleId}</Text>
                  {r.description ? (
                    <>
                      <br />
                      <Text size={200}>{r.description}</Text>
                    </>
                  ) : null}
                </TableCell>
                <TableCell>
                  {r.principal.type === 'group' ? 'Group' : 'User'} {r.principal.id}
                </TableCell>
                <TableCell>{scopeWords(r.scope, names)}</TableCell>
                <TableCell>
                  {r.maxDuration ? `Up to ${durationWords(r.maxDuration)}` : 'The targets’ maximum'}
                  {r.approvalRequired === true ? '; approval forced' : ''}
                  {r.approvalRequired === false ? '; approval waived' : ''}
                </TableCell>
                <TableCell>
                  <div className={shared.buttons}>
                    <Button aria-label={`Edit rule ${r.ruleId}`} onClick={() => setEditing(r)}>
                      Edit
                    </Button>
                    {confirming === r.ruleId ? (
                      <>
                        <Button appearance="primary" disabled={remove.busy} onClick={() => void remove.run(r.ruleId)}>
                          Confirm delete of {r.ruleId}
                        </Button>
                        <Button onClick={() => setConfirming(undefined)}>Keep {r.ruleId}</Button>
                      </>
                    ) : (
                      <Button aria-label={`Delete rule ${r.ruleId}`} onClick={() => setConfirming(r.ruleId)}>
                        Delete
                      </Button>
                    )}
                  </div>
                  {confirming === r.ruleId ? <ErrorText error={remove.error} /> : null}
                </TableCell>
              </TableRow>
            ))}
          </DataTable>
        )}
      </QueryList>
      {editing && tenants.data && targets.data ? (
        <RuleDialog
          tenants={tenants.data}
          targets={targets.data}
          rule={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            void rules.refresh();
          }}
        />
      ) : null}
    </>
  );
}
