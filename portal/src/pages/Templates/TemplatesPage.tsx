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
import { useTemplates, type Template } from '../../hooks/useTemplates';
import { TemplateDialog } from './TemplateDialog';
import { TemplateTenants } from './TemplateTenants';

/** The order outcomes are told in, whatever order the tenants came in. */
const OUTCOMES = ['created', 'updated', 'unchanged', 'failed'] as const;

function scopeWords(scope: Template['applyTo']): string {
  if ('allTenants' in scope) return 'Every connected tenant';
  if ('tenantTag' in scope) return `Tenants tagged ${scope.tenantTag}`;
  return `${scope.tenants.length} chosen tenant(s)`;
}

/**
 * "Templates" (admin): one target definition for many tenants. "Apply" creates or updates its
 * target in every tenant it is for, batch after batch with the progress shown; "Tenants" shows
 * each tenant's state (drift).
 */
export function TemplatesPage() {
  const shared = useSharedStyles();
  const { api } = useSession();
  const templates = useTemplates();
  const [editing, setEditing] = useState<Template | 'new'>();
  const [shown, setShown] = useState<Template>();
  const [revision, setRevision] = useState(0);
  const [applyProgress, setApplyProgress] = useState<string>();
  const [confirming, setConfirming] = useState<string>();

  const apply = useAction(async (template: Template) => {
    setShown(template);
    let continuationToken: string | null = null;
    const counts: Record<string, number> = {};
    do {
      const body: { continuationToken?: string } = continuationToken === null ? {} : { continuationToken };
      const answer = unwrap(
        await api.POST('/templates/{templateId}/apply', {
          params: { path: { templateId: template.templateId } },
          body,
        }),
      );
      for (const r of answer.results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
      setApplyProgress(
        `Applied ${template.templateId} to ${answer.progress.done} of ${answer.progress.total} tenants: ` +
          OUTCOMES.filter((outcome) => counts[outcome] !== undefined)
            .map((outcome) => `${counts[outcome]} ${outcome}`)
            .join(', '),
      );
      continuationToken = answer.continuationToken;
    } while (continuationToken !== null);
    setRevision((n) => n + 1);
  });
  const remove = useAction(async (templateId: string) => {
    const answer = unwrap(await api.DELETE('/templates/{templateId}', { params: { path: { templateId } } }));
    setApplyProgress(
      `Deleted template ${templateId}; the ${answer.targetsKept.length} target(s) it made are kept as they are.`,
    );
    setConfirming(undefined);
    if (shown?.templateId === templateId) setShown(undefined);
    await templates.refresh();
  });

  return (
    <>
      <h1>Templates</h1>
      <div className={shared.toolbar}>
        <Button appearance="primary" onClick={() => setEditing('new')}>
          Create template
        </Button>
      </div>
      <ErrorText error={templates.error} />
      <ErrorText error={apply.error} />
      <ErrorText error={remove.error} />
      {applyProgress ? <Text role="status">{applyProgress}</Text> : null}
      <QueryList query={templates} loadingLabel="Loading the templates" empty="No template yet.">
        {(list) => (
          <DataTable label="Templates" columns={['Template', 'Grants', 'Policy', 'Applies to']} actionsColumn="Actions">
            {list.map((t) => (
              <TableRow key={t.templateId}>
                <TableCell>
                  <Text weight="semibold">{t.name}</Text>
                  <br />
                  <Text size={200}>
                    {t.templateId}, version {t.version}
                  </Text>
                </TableCell>
                <TableCell>
                  {t.roles.length} role(s){t.groups.length > 0 ? `; groups ${t.groups.join(', ')}` : ''}
                </TableCell>
                <TableCell>
                  Up to {durationWords(t.maxDuration)}
                  {t.approval.mode === 'required' ? '; approval required' : ''}
                </TableCell>
                <TableCell>
                  {scopeWords(t.applyTo)}
                  {t.applyToNewTenants ? ', and tenants connected later' : ''}
                </TableCell>
                <TableCell>
                  <div className={shared.buttons}>
                    <Button
                      aria-label={`Apply template ${t.templateId}`}
                      disabled={apply.busy}
                      onClick={() => void apply.run(t)}
                    >
                      Apply
                    </Button>
                    <Button
                      aria-label={`Tenants of template ${t.templateId}`}
                      onClick={() => {
                        setShown(t);
                        setRevision((n) => n + 1);
                      }}
                    >
                      Tenants
                    </Button>
                    <Button aria-label={`Edit template ${t.templateId}`} onClick={() => setEditing(t)}>
                      Edit
                    </Button>
                    {confirming === t.templateId ? (
                      <Button appearance="primary" disabled={remove.busy} onClick={() => void remove.run(t.templateId)}>
                        Confirm delete of {t.templateId} (its targets stay)
                      </Button>
                    ) : (
                      <Button
                        aria-label={`Delete template ${t.templateId}`}
                        onClick={() => setConfirming(t.templateId)}
                      >
                        Delete
                      </Button>
                    )}
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </DataTable>
        )}
      </QueryList>
      {shown ? <TemplateTenants templateId={shown.templateId} version={shown.version} revision={revision} /> : null}
      {editing ? (
        <TemplateDialog
          template={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            setRevision((n) => n + 1);
            void templates.refresh();
          }}
        />
      ) : null}
    </>
  );
}
