import { Checkbox, Field, Select } from '@fluentui/react-components';
import { useState } from 'react';
import { unwrap } from '../../api/problem';
import { FormDialog } from '../../components/FormDialog';
import { PolicyFields, usePolicyFields } from '../../components/PolicyFields';
import { TextField } from '../../components/TextField';
import { useAction } from '../../hooks/useAction';
import { useCheckedSubmit } from '../../hooks/useCheckedSubmit';
import { useSession } from '../../hooks/useApi';
import { useDialogClose } from '../../hooks/useDialogClose';
import type { Template } from '../../hooks/useTemplates';
import { idsOf, listOf, notIdsMessage } from '../../textFields';

type ScopeKind = 'allTenants' | 'tenantTag';

/**
 * "Create template" / "Edit template": roles by template id (the same in every tenant), groups by
 * display name (looked up in each tenant when applied), the policy a target has (PolicyFields), and
 * which tenants it is for. A template scoped to chosen tenants is kept as it is when edited here.
 */
export function TemplateDialog(props: {
  readonly template?: Template;
  readonly onClose: () => void;
  readonly onSaved: () => void;
}) {
  const { template } = props;
  const { api } = useSession();
  const dialog = useDialogClose();
  const [templateId, setTemplateId] = useState(template?.templateId ?? '');
  const [name, setName] = useState(template?.name ?? '');
  const [kind, setKind] = useState<Template['kind']>(template?.kind ?? 'adminAccount');
  const [roles, setRoles] = useState(template?.roles.join(', ') ?? '');
  const [groups, setGroups] = useState(template?.groups.join(', ') ?? '');
  const policy = usePolicyFields(template, { defaultDuration: 'PT1H', minDuration: 'PT15M', maxDuration: 'PT4H' });
  const initialScope = template?.applyTo;
  const [scopeKind, setScopeKind] = useState<ScopeKind>(
    initialScope && 'tenantTag' in initialScope ? 'tenantTag' : 'allTenants',
  );
  const [tag, setTag] = useState(initialScope && 'tenantTag' in initialScope ? initialScope.tenantTag : '');
  const [applyToNewTenants, setApplyToNewTenants] = useState(template?.applyToNewTenants ?? true);
  const keepsChosenTenants = initialScope !== undefined && 'tenants' in initialScope;

  const roleIds = idsOf(roles);
  const local: Record<string, string | undefined> = {
    templateId: template || templateId.trim() ? undefined : 'A template id is required',
    name: name.trim() ? undefined : 'A name is required',
    roles: notIdsMessage(roleIds.invalid),
    ...policy.problems,
    applyTo: !keepsChosenTenants && scopeKind === 'tenantTag' && !tag.trim() ? 'A tag is required' : undefined,
  };

  const save = useAction(async () => {
    const body = {
      name: name.trim(),
      kind,
      roles: roleIds.ids,
      groups: listOf(groups),
      ...policy.body(kind),
      ...(policy.accessDetails ? { accessDetails: policy.accessDetails } : {}),
      applyTo:
        keepsChosenTenants && initialScope
          ? initialScope
          : scopeKind === 'allTenants'
            ? { allTenants: true as const }
            : { tenantTag: tag.trim() },
      applyToNewTenants,
    };
    if (template)
      unwrap(await api.PUT('/templates/{templateId}', { params: { path: { templateId: template.templateId } }, body }));
    else unwrap(await api.POST('/templates', { body: { ...body, templateId: templateId.trim() } }));
    dialog.close(props.onSaved);
  });
  const { message, submit } = useCheckedSubmit(local, save);

  return (
    <FormDialog
      dialog={dialog}
      title={template ? `Edit template ${template.templateId}` : 'Create template'}
      onClose={props.onClose}
      onSubmit={submit}
      noValidate
      busy={save.busy}
      busyLabel="Saving"
      submitLabel={template ? 'Save' : 'Create template'}
      error={save.error}
    >
      <TextField
        label="Template id"
        required
        hint="Letters, digits and dashes; also the id of the target it makes in each tenant"
        validationMessage={message('templateId')}
        disabled={template !== undefined}
        value={templateId}
        onChange={setTemplateId}
      />
      <TextField label="Name" required validationMessage={message('name')} value={name} onChange={setName} />
      <Field label="Kind">
        <Select value={kind} onChange={(_, d) => setKind(d.value === 'elevation' ? 'elevation' : 'adminAccount')}>
          <option value="adminAccount">Admin account in the tenant</option>
          <option value="elevation">Elevation of the requester's own account</option>
        </Select>
      </Field>
      <TextField
        label="Role template ids"
        hint="Comma-separated; the same in every tenant"
        validationMessage={message('roles')}
        value={roles}
        onChange={setRoles}
      />
      <TextField
        label="Group names"
        hint="Comma-separated display names, looked up in each tenant"
        validationMessage={message('groups')}
        value={groups}
        onChange={setGroups}
      />
      <PolicyFields state={policy} kind={kind} message={message} />
      {keepsChosenTenants ? null : (
        <Field label="Apply to" validationMessage={message('applyTo')}>
          <Select
            value={scopeKind}
            onChange={(_, d) => setScopeKind(d.value === 'tenantTag' ? 'tenantTag' : 'allTenants')}
          >
            <option value="allTenants">Every connected tenant</option>
            <option value="tenantTag">The tenants with a tag</option>
          </Select>
        </Field>
      )}
      {!keepsChosenTenants && scopeKind === 'tenantTag' ? (
        <TextField label="Tenant tag" required value={tag} onChange={setTag} />
      ) : null}
      <Checkbox
        label="Tenants connected later get it too"
        checked={applyToNewTenants}
        onChange={(_, d) => setApplyToNewTenants(d.checked === true)}
      />
    </FormDialog>
  );
}
