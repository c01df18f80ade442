import { Checkbox, Field, Select, Textarea, makeStyles } from '@fluentui/react-components';
import { useState } from 'react';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { FormDialog } from '../../components/FormDialog';
import { TextField } from '../../components/TextField';
import { useAction } from '../../hooks/useAction';
import { useCheckedSubmit } from '../../hooks/useCheckedSubmit';
import { useSession } from '../../hooks/useApi';
import { useDialogClose } from '../../hooks/useDialogClose';
import type { Target } from '../../hooks/useTargets';
import type { Tenant } from '../../hooks/useTenants';
import { toggled } from '../../setToggle';
import { idsOf, isDuration, notIdsMessage } from '../../textFields';
import { BUILT_IN_ROLES } from './builtInRoles';

type CreateTargetBody = components['schemas']['CreateTargetBody'];

function durationProblem(text: string): string | undefined {
  return isDuration(text.trim()) ? undefined : `Not an ISO 8601 duration (like PT30M, PT4H or P1D): ${text}`;
}

const useStyles = makeStyles({
  roles: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(16rem, 1fr))' },
});

/**
 * "Create target" / "Edit target": what can be requested in a tenant. Roles from the built-in list
 * (or by template id), groups by object id: the API has no endpoint listing a tenant's role
 * definitions or searching its groups, so ids are typed and checked to be GUIDs here, and against
 * the tenant by the API.
 */
export function TargetDialog(props: {
  readonly tenants: readonly Tenant[];
  /** Absent: a new target. */
  readonly target?: Target;
  readonly onClose: () => void;
  readonly onSaved: () => void;
}) {
  const { target } = props;
  const styles = useStyles();
  const { api } = useSession();
  const dialog = useDialogClose();
  const builtIn = new Set(BUILT_IN_ROLES.map((r) => r.templateId));
  const [tenantId, setTenantId] = useState(target?.tenantId ?? props.tenants[0]?.tenantId ?? '');
  const [targetId, setTargetId] = useState(target?.targetId ?? '');
  const [name, setName] = useState(target?.name ?? '');
  const [kind, setKind] = useState<'adminAccount' | 'elevation'>(target?.kind ?? 'adminAccount');
  const [roles, setRoles] = useState<ReadonlySet<string>>(
    new Set(target?.roles.map((r) => r.templateId).filter((id) => builtIn.has(id))),
  );
  const [otherRoles, setOtherRoles] = useState(
    target?.roles
      .map((r) => r.templateId)
      .filter((id) => !builtIn.has(id))
      .join(', ') ?? '',
  );
  const [groups, setGroups] = useState(target?.groups.map((g) => g.id).join(', ') ?? '');
  const [defaultDuration, setDefaultDuration] = useState(target?.defaultDuration ?? 'PT4H');
  const [minDuration, setMinDuration] = useState(target?.minDuration ?? 'PT15M');
  const [maxDuration, setMaxDuration] = useState(target?.maxDuration ?? 'PT8H');
  const [approvalRequired, setApprovalRequired] = useState(target?.approval.mode === 'required');
  const approval = target?.approval.mode === 'required' ? target.approval : undefined;
  const [approverUsers, setApproverUsers] = useState(
    approval?.approvers
      .filter((a) => a.type === 'user')
      .map((a) => a.id)
      .join(', ') ?? '',
  );
  const [approverGroups, setApproverGroups] = useState(
    approval?.approvers
      .filter((a) => a.type === 'group')
      .map((a) => a.id)
      .join(', ') ?? '',
  );
  const [deadline, setDeadline] = useState(approval?.deadline ?? 'PT1H');
  const [requireJustification, setRequireJustification] = useState(target?.requireJustification ?? false);
  const [requireTicket, setRequireTicket] = useState(target?.requireTicket ?? false);
  const [credentialType, setCredentialType] = useState<'password' | 'temporaryAccessPass'>(
    target?.kind === 'adminAccount' ? (target.credentialType ?? 'password') : 'password',
  );
  const [accessDetails, setAccessDetails] = useState(target?.accessDetails ?? '');

  const other = idsOf(otherRoles);
  const groupIds = idsOf(groups);
  const users = idsOf(approverUsers);
  const approverGroupIds = idsOf(approverGroups);
  const local: Record<string, string | undefined> = {
    roles: notIdsMessage(other.invalid),
    groups: notIdsMessage(groupIds.invalid),
    approverUsers: notIdsMessage(users.invalid),
    approverGroups: notIdsMessage(approverGroupIds.invalid),
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
      roles: [...roles, ...other.ids].map((templateId) => ({ templateId })),
      groups: groupIds.ids.map((id) => ({ id })),
      defaultDuration: defaultDuration.trim(),
      minDuration: minDuration.trim(),
      maxDuration: maxDuration.trim(),
      approval: approvalRequired
        ? {
            mode: 'required' as const,
            approvers: [
              ...users.ids.map((id) => ({ type: 'user' as const, id })),
              ...approverGroupIds.ids.map((id) => ({ type: 'group' as const, id })),
            ],
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
        <Select value={tenantId} disabled={target !== undefined} onChange={(_, d) => setTenantId(d.value)}>
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
      <fieldset>
        <legend>Roles</legend>
        <div className={styles.roles}>
          {BUILT_IN_ROLES.map((r) => (
            <Checkbox
              key={r.templateId}
              label={r.displayName}
              checked={roles.has(r.templateId)}
              onChange={(_, d) => setRoles((set) => toggled(set, r.templateId, d.checked === true))}
            />
          ))}
        </div>
      </fieldset>
      <TextField
        label="Other role template ids"
        hint="Comma-separated; custom roles of the tenant"
        validationMessage={message('roles')}
        value={otherRoles}
        onChange={setOtherRoles}
      />
      <TextField
        label="Group ids"
        hint="Comma-separated object ids of groups in the tenant (role-assignable for elevation)"
        validationMessage={message('groups')}
        value={groups}
        onChange={setGroups}
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
          <TextField
            label="Approver user ids"
            hint="Comma-separated object ids of home-tenant users; none: any Jit.Approver"
            validationMessage={message('approverUsers', 'approval.approvers')}
            value={approverUsers}
            onChange={setApproverUsers}
          />
          <TextField
            label="Approver group ids"
            hint="Comma-separated object ids of home-tenant groups"
            validationMessage={message('approverGroups', 'approval.approvers')}
            value={approverGroups}
            onChange={setApproverGroups}
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
