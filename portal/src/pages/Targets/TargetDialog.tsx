import { Checkbox, Field, Select, Textarea } from '@fluentui/react-components';
import { useState } from 'react';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { FormDialog } from '../../components/FormDialog';
import { SearchPicker, type PickerOption } from '../../components/SearchPicker';
import { TextField } from '../../components/TextField';
import { useAction } from '../../hooks/useAction';
import { useCheckedSubmit } from '../../hooks/useCheckedSubmit';
import { useSession } from '../../hooks/useApi';
import { useDialogClose } from '../../hooks/useDialogClose';
import {
  principalOf,
  principalValue,
  useGroupSearch,
  usePrincipalSearch,
  useRoleSearch,
} from '../../hooks/useDirectorySearch';
import type { Target } from '../../hooks/useTargets';
import type { Tenant } from '../../hooks/useTenants';
import { isDuration } from '../../textFields';

type CreateTargetBody = components['schemas']['CreateTargetBody'];

function durationProblem(text: string): string | undefined {
  return isDuration(text.trim()) ? undefined : `Not an ISO 8601 duration (like PT30M, PT4H or P1D): ${text}`;
}

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
  const [defaultDuration, setDefaultDuration] = useState(target?.defaultDuration ?? 'PT4H');
  const [minDuration, setMinDuration] = useState(target?.minDuration ?? 'PT15M');
  const [maxDuration, setMaxDuration] = useState(target?.maxDuration ?? 'PT8H');
  const [approvalRequired, setApprovalRequired] = useState(target?.approval.mode === 'required');
  const approval = target?.approval.mode === 'required' ? target.approval : undefined;
  const [approvers, setApprovers] = useState<readonly PickerOption[]>(
    approval?.approvers.map((a) =>
      chosen(principalValue(a.type, a.id), `${a.type === 'user' ? 'User' : 'Group'} ${a.id}`),
    ) ?? [],
  );
  const [deadline, setDeadline] = useState(approval?.deadline ?? 'PT1H');
  const [requireJustification, setRequireJustification] = useState(target?.requireJustification ?? false);
  const [requireTicket, setRequireTicket] = useState(target?.requireTicket ?? false);
  const [credentialType, setCredentialType] = useState<'password' | 'temporaryAccessPass'>(
    target?.kind === 'adminAccount' ? (target.credentialType ?? 'password') : 'password',
  );
  const [accessDetails, setAccessDetails] = useState(target?.accessDetails ?? '');

  const searchRoles = useRoleSearch(tenantId);
  const searchGroups = useGroupSearch(tenantId, kind);
  const searchPrincipals = usePrincipalSearch();
  const local: Record<string, string | undefined> = {
    defaultDuration: durationProblem(defaultDuration),
    minDuration: durationProblem(minDuration),
    maxDuration: durationProblem(maxDuration),
    deadline: approvalRequired ? durationProblem(deadline) : undefined,
    targetId: target || targetId.trim() ? undefined : 'A target id is required',
    name: name.trim() ? undefined : 'A name is required',
  };

  const save = useAction(async () => {
    const body = {
      name: name.trim(),
      kind,
      roles: roles.map((r) => ({ templateId: r.value })),
      groups: groups.map((g) => ({ id: g.value })),
      defaultDuration: defaultDuration.trim(),
      minDuration: minDuration.trim(),
      maxDuration: maxDuration.trim(),
      approval: approvalRequired
        ? {
            mode: 'required' as const,
            approvers: approvers.map((a) => principalOf(a.value)),
            deadline: deadline.trim(),
          }
        : { mode: 'none' as const },
      requireJustification,
      requireTicket,
      // The credential belongs to an admin account; an elevation target has none (the API refuses it).
      ...(kind === 'adminAccount' ? { credentialType } : {}),
    };
    if (target) {
      unwrap(
        await api.PATCH('/tenants/{tenantId}/targets/{targetId}', {
          params: { path: { tenantId: target.tenantId, targetId: target.targetId } },
          body: { ...body, accessDetails: accessDetails.trim() || null },
        }),
      );
    } else {
      const created: CreateTargetBody = {
        ...body,
        targetId: targetId.trim(),
        ...(accessDetails.trim() ? { accessDetails: accessDetails.trim() } : {}),
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
      <TextField
        label="Default duration"
        hint="ISO 8601, like PT4H"
        validationMessage={message('defaultDuration')}
        value={defaultDuration}
        onChange={setDefaultDuration}
      />
      <TextField
        label="Minimum duration"
        hint="ISO 8601, like PT15M"
        validationMessage={message('minDuration')}
        value={minDuration}
        onChange={setMinDuration}
      />
      <TextField
        label="Maximum duration"
        hint="ISO 8601, at most P7D"
        validationMessage={message('maxDuration')}
        value={maxDuration}
        onChange={setMaxDuration}
      />
      <Checkbox
        label="Approval required"
        checked={approvalRequired}
        onChange={(_, d) => setApprovalRequired(d.checked === true)}
      />
      {approvalRequired ? (
        <>
          <SearchPicker
            label="Approvers"
            hint="Users or groups of the home tenant; none: any Jit.Approver"
            validationMessage={message('approval.approvers')}
            selected={approvers}
            onChange={setApprovers}
            search={searchPrincipals}
            minChars={1}
          />
          <TextField
            label="Approval deadline"
            hint="ISO 8601, like PT1H"
            validationMessage={message('deadline', 'approval.deadline')}
            value={deadline}
            onChange={setDeadline}
          />
        </>
      ) : null}
      <Checkbox
        label="Justification required"
        checked={requireJustification}
        onChange={(_, d) => setRequireJustification(d.checked === true)}
      />
      <Checkbox
        label="Ticket required"
        checked={requireTicket}
        onChange={(_, d) => setRequireTicket(d.checked === true)}
      />
      {kind === 'adminAccount' && (
        <Field label="Credential" validationMessage={message('credentialType')}>
          <Select
            value={credentialType}
            onChange={(_, d) =>
              setCredentialType(d.value === 'temporaryAccessPass' ? 'temporaryAccessPass' : 'password')
            }
          >
            <option value="password">Password</option>
            <option value="temporaryAccessPass">Temporary Access Pass</option>
          </Select>
        </Field>
      )}
      <Field
        label="Access details"
        hint="Shown to the requester with the credential"
        validationMessage={message('accessDetails')}
      >
        <Textarea value={accessDetails} onChange={(_, d) => setAccessDetails(d.value)} />
      </Field>
    </FormDialog>
  );
}
