import { Field, Select } from '@fluentui/react-components';
import { useState } from 'react';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { FormDialog } from '../../components/FormDialog';
import { PolicyFields, usePolicyFields } from '../../components/PolicyFields';
import { SearchPicker, type PickerOption } from '../../components/SearchPicker';
import { TextField } from '../../components/TextField';
import { useAction } from '../../hooks/useAction';
import { useCheckedSubmit } from '../../hooks/useCheckedSubmit';
import { useSession } from '../../hooks/useApi';
import { useDialogClose } from '../../hooks/useDialogClose';
import { useGroupSearch, useRoleSearch } from '../../hooks/useDirectorySearch';
import type { Target } from '../../hooks/useTargets';
import type { Tenant } from '../../hooks/useTenants';

type CreateTargetBody = components['schemas']['CreateTargetBody'];

/** A stored reference as a picker shows it: its name when the API gave one, else its id. */
function chosen(id: string, displayName?: string): PickerOption {
  return { value: id, text: displayName ?? id };
}

/**
 * "Create target" / "Edit target": what can be requested in a tenant. Roles are picked from the
 * tenant's own role definitions by name (the target stores template ids), groups from a search of
 * the tenant's groups (those Graph cannot change the members of say why), approvers from a search
 * of the home tenant's users and groups.
 */
export function TargetDialog(props: {
  readonly tenants: readonly Tenant[];
  /** Absent: a new target. */
  readonly target?: Target;
  readonly onClose: () => void;
  readonly onSaved: () => void;
}) {
  const { target } = props;
  const { api } = useSession();
  const dialog = useDialogClose();
  const [tenantId, setTenantId] = useState(target?.tenantId ?? props.tenants[0]?.tenantId ?? '');
  const [targetId, setTargetId] = useState(target?.targetId ?? '');
  const [name, setName] = useState(target?.name ?? '');
  const [kind, setKind] = useState<'adminAccount' | 'elevation'>(
    target?.kind === 'elevation' ? 'elevation' : 'adminAccount',
  );
  const [roles, setRoles] = useState<readonly PickerOption[]>(
    target?.roles.map((r) => chosen(r.templateId, r.displayName)) ?? [],
  );
  const [groups, setGroups] = useState<readonly PickerOption[]>(
    target?.groups.map((g) => chosen(g.id, g.displayName)) ?? [],
  );
  const policy = usePolicyFields(target, { defaultDuration: 'PT4H', minDuration: 'PT15M', maxDuration: 'PT8H' });

  const searchRoles = useRoleSearch(tenantId);
  const searchGroups = useGroupSearch(tenantId, kind);
  const local: Record<string, string | undefined> = {
    ...policy.problems,
    targetId: target || targetId.trim() ? undefined : 'A target id is required',
    name: name.trim() ? undefined : 'A name is required',
  };

  const save = useAction(async () => {
    const body = {
      name: name.trim(),
      kind,
      roles: roles.map((r) => ({ templateId: r.value })),
      groups: groups.map((g) => ({ id: g.value })),
      ...policy.body(kind),
    };
    if (target) {
      unwrap(
        await api.PATCH('/tenants/{tenantId}/targets/{targetId}', {
          params: { path: { tenantId: target.tenantId, targetId: target.targetId } },
          body: { ...body, accessDetails: policy.accessDetails || null },
        }),
      );
    } else {
      const created: CreateTargetBody = {
        ...body,
        targetId: targetId.trim(),
        ...(policy.accessDetails ? { accessDetails: policy.accessDetails } : {}),
      };
      unwrap(await api.POST('/tenants/{tenantId}/targets', { params: { path: { tenantId } }, body: created }));
    }
    dialog.close(props.onSaved);
  });
  const { message, submit } = useCheckedSubmit(local, save);

  const title = target ? `Edit target ${target.name}` : 'Create target';

  return (
    <FormDialog
      dialog={dialog}
      title={title}
      onClose={props.onClose}
      onSubmit={submit}
      noValidate
      busy={save.busy}
      busyLabel="Saving"
      submitLabel={target ? 'Save' : 'Create target'}
      error={save.error}
    >
      <Field label="Tenant" required>
        <Select
          value={tenantId}
          disabled={target !== undefined}
          onChange={(_, d) => {
            // Roles and groups belong to a tenant: another tenant starts without them.
            setTenantId(d.value);
            setRoles([]);
            setGroups([]);
          }}
        >
          {props.tenants.map((t) => (
            <option key={t.tenantId} value={t.tenantId}>
              {t.displayName}
            </option>
          ))}
        </Select>
      </Field>
      <TextField
        label="Target id"
        required
        hint="Letters, digits and dashes"
        validationMessage={message('targetId')}
        disabled={target !== undefined}
        value={targetId}
        onChange={setTargetId}
      />
      <TextField label="Name" required validationMessage={message('name')} value={name} onChange={setName} />
      <Field label="Kind" validationMessage={message('kind')}>
        <Select value={kind} onChange={(_, d) => setKind(d.value === 'elevation' ? 'elevation' : 'adminAccount')}>
          <option value="adminAccount">Admin account (a JIT account in the tenant)</option>
          <option value="elevation">Elevation of the technician&apos;s own account</option>
        </Select>
      </Field>
      <SearchPicker
        label="Roles"
        hint="The tenant's directory roles, built-in and custom: type part of a name"
        validationMessage={message('roles')}
        selected={roles}
        onChange={setRoles}
        search={searchRoles}
      />
      <SearchPicker
        label="Groups"
        hint={`Groups of the tenant: type the start of a word of the name${kind === 'elevation' ? ' (role-assignable only)' : ''}`}
        validationMessage={message('groups')}
        selected={groups}
        onChange={setGroups}
        search={searchGroups}
        minChars={1}
      />
      <PolicyFields state={policy} kind={kind} message={message} />
    </FormDialog>
  );
}
