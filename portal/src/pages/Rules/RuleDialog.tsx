import { Checkbox, Field, Select, makeStyles } from '@fluentui/react-components';
import { useState } from 'react';
import { unwrap } from '../../api/problem';
import { FormDialog } from '../../components/FormDialog';
import { SearchPicker, type PickerOption } from '../../components/SearchPicker';
import { TextField } from '../../components/TextField';
import { useAction } from '../../hooks/useAction';
import { useCheckedSubmit } from '../../hooks/useCheckedSubmit';
import { useSession } from '../../hooks/useApi';
import { useDialogClose } from '../../hooks/useDialogClose';
import { principalOf, principalValue, usePrincipalSearch } from '../../hooks/useDirectorySearch';
import type { Rule } from '../../hooks/useRules';
import type { Target } from '../../hooks/useTargets';
import type { Tenant } from '../../hooks/useTenants';
import { toggled } from '../../setToggle';
import { isDuration } from '../../textFields';
import { scopeKind, type Scope, type ScopeKind } from './scope';

const useStyles = makeStyles({
  choices: { display: 'flex', flexDirection: 'column' },
});

const key = (t: { tenantId: string; targetId: string }) => `${t.tenantId}/${t.targetId}`;

/**
 * "Create rule" / "Edit rule": IF a principal (a home-tenant user or group, picked from a search of
 * the home tenant) THEN these targets.
 */
export function RuleDialog(props: {
  readonly tenants: readonly Tenant[];
  readonly targets: readonly Target[];
  readonly rule?: Rule;
  readonly onClose: () => void;
  readonly onSaved: () => void;
}) {
  const { rule } = props;
  const styles = useStyles();
  const { api } = useSession();
  const dialog = useDialogClose();
  const initial = rule?.scope;
  const [ruleId, setRuleId] = useState(rule?.ruleId ?? '');
  const [description, setDescription] = useState(rule?.description ?? '');
  const [principal, setPrincipal] = useState<readonly PickerOption[]>(
    rule
      ? [
          {
            value: principalValue(rule.principal.type, rule.principal.id),
            text: `${rule.principal.type === 'user' ? 'User' : 'Group'} ${rule.principal.id}`,
          },
        ]
      : [],
  );
  const searchPrincipals = usePrincipalSearch();
  const [kind, setKind] = useState<ScopeKind>(initial ? scopeKind(initial) : 'targets');
  const [targets, setTargets] = useState<ReadonlySet<string>>(
    new Set(initial && 'targets' in initial ? initial.targets.map(key) : []),
  );
  const [tenants, setTenants] = useState<ReadonlySet<string>>(
    new Set(initial && 'tenants' in initial ? initial.tenants : []),
  );
  const [tag, setTag] = useState(initial && 'tenantTag' in initial ? initial.tenantTag : '');
  const [maxDuration, setMaxDuration] = useState(rule?.maxDuration ?? '');
  const [approval, setApproval] = useState(
    rule?.approvalRequired === undefined ? 'target' : rule.approvalRequired ? 'required' : 'waived',
  );

  const local: Record<string, string | undefined> = {
    ruleId: rule || ruleId.trim() ? undefined : 'A rule id is required',
    principal: principal.length === 1 ? undefined : 'Choose a user or group of the home tenant',
    scope:
      kind === 'targets' && targets.size === 0
        ? 'Choose at least one target'
        : kind === 'tenants' && tenants.size === 0
          ? 'Choose at least one tenant'
          : kind === 'tenantTag' && !tag.trim()
            ? 'A tag is required'
            : undefined,
    maxDuration:
      maxDuration.trim() && !isDuration(maxDuration.trim()) ? `Not an ISO 8601 duration: ${maxDuration}` : undefined,
  };

  const save = useAction(async () => {
    const scope: Scope =
      kind === 'targets'
        ? {
            targets: props.targets
              .filter((t) => targets.has(key(t)))
              .map((t) => ({ tenantId: t.tenantId, targetId: t.targetId })),
          }
        : kind === 'tenants'
          ? { tenants: [...tenants] }
          : kind === 'allTenants'
            ? { allTenants: true }
            : { tenantTag: tag.trim() };
    const body = {
      ...(description.trim() ? { description: description.trim() } : {}),
      principal: principalOf(principal[0]?.value ?? ''),
      scope,
      ...(maxDuration.trim() ? { maxDuration: maxDuration.trim() } : {}),
      ...(approval === 'target' ? {} : { approvalRequired: approval === 'required' }),
    };
    if (rule) unwrap(await api.PUT('/rules/{ruleId}', { params: { path: { ruleId: rule.ruleId } }, body }));
    else unwrap(await api.POST('/rules', { body: { ...body, ruleId: ruleId.trim() } }));
    dialog.close(props.onSaved);
  });
  const { message, submit } = useCheckedSubmit(local, save);
  const tenantName = (id: string) => props.tenants.find((t) => t.tenantId === id)?.displayName ?? id;

  return (
    <FormDialog
      dialog={dialog}
      title={rule ? `Edit rule ${rule.ruleId}` : 'Create rule'}
      onClose={props.onClose}
      onSubmit={submit}
      noValidate
      busy={save.busy}
      busyLabel="Saving"
      submitLabel={rule ? 'Save' : 'Create rule'}
      error={save.error}
    >
      <TextField
        label="Rule id"
        required
        hint="Letters, digits and dashes"
        validationMessage={message('ruleId')}
        disabled={rule !== undefined}
        value={ruleId}
        onChange={setRuleId}
      />
      <TextField
        label="Description"
        validationMessage={message('description')}
        value={description}
        onChange={setDescription}
      />
      <SearchPicker
        label="Principal"
        required
        single
        hint="The user or group of the home tenant this rule is for: type the start of a name or user name"
        validationMessage={message('principal')}
        selected={principal}
        onChange={setPrincipal}
        search={searchPrincipals}
        minChars={1}
      />
      <Field label="Scope" validationMessage={message('scope')}>
        <Select value={kind} onChange={(_, d) => setKind(d.value as ScopeKind)}>
          <option value="targets">These targets</option>
          <option value="tenants">Every target of these tenants</option>
          <option value="allTenants">Every target of every tenant</option>
          <option value="tenantTag">Every target of the tenants with a tag</option>
        </Select>
      </Field>
      {kind === 'targets' ? (
        <fieldset className={styles.choices}>
          <legend>Targets</legend>
          {props.targets.map((t) => (
            <Checkbox
              key={key(t)}
              label={`${t.name} in ${tenantName(t.tenantId)}`}
              checked={targets.has(key(t))}
              onChange={(_, d) => setTargets((set) => toggled(set, key(t), d.checked === true))}
            />
          ))}
        </fieldset>
      ) : null}
      {kind === 'tenants' ? (
        <fieldset className={styles.choices}>
          <legend>Tenants</legend>
          {props.tenants.map((t) => (
            <Checkbox
              key={t.tenantId}
              label={t.displayName}
              checked={tenants.has(t.tenantId)}
              onChange={(_, d) => setTenants((set) => toggled(set, t.tenantId, d.checked === true))}
            />
          ))}
        </fieldset>
      ) : null}
      {kind === 'tenantTag' ? <TextField label="Tenant tag" required value={tag} onChange={setTag} /> : null}
      <TextField
        label="Maximum duration"
        hint="Optional, ISO 8601: a tighter cap than the targets'"
        validationMessage={message('maxDuration')}
        value={maxDuration}
        onChange={setMaxDuration}
      />
      <Field label="Approval" validationMessage={message('approvalRequired')}>
        <Select value={approval} onChange={(_, d) => setApproval(d.value)}>
          <option value="target">As each target says</option>
          <option value="required">Always required</option>
          <option value="waived">Waived (only for a rule naming its targets)</option>
        </Select>
      </Field>
    </FormDialog>
  );
}
