import { Checkbox, Field, Select, Textarea } from '@fluentui/react-components';
import { useState } from 'react';
import type { components } from '../api/schema';
import { principalOf, principalValue, usePrincipalSearch } from '../hooks/useDirectorySearch';
import { isDuration } from '../textFields';
import { SearchPicker, type PickerOption } from './SearchPicker';
import { TextField } from './TextField';

type ApprovalPolicy = components['schemas']['Target']['approval'];
type CredentialType = 'password' | 'temporaryAccessPass';

/** What a target and a template share: durations, approval, what the requester must give, the credential. */
export interface Policy {
  readonly defaultDuration: string;
  readonly minDuration: string;
  readonly maxDuration: string;
  readonly approval: ApprovalPolicy;
  readonly requireJustification: boolean;
  readonly requireTicket: boolean;
  readonly credentialType?: CredentialType;
  readonly accessDetails?: string;
}

/** The request body's policy part, as the targets and templates APIs take it. */
export interface PolicyBody {
  readonly defaultDuration: string;
  readonly minDuration: string;
  readonly maxDuration: string;
  readonly approval: ApprovalPolicy;
  readonly requireJustification: boolean;
  readonly requireTicket: boolean;
  readonly credentialType?: CredentialType;
}

export type PolicyFieldsState = ReturnType<typeof usePolicyFields>;

function durationProblem(text: string): string | undefined {
  return isDuration(text.trim()) ? undefined : `Not an ISO 8601 duration (like PT30M, PT4H or P1D): ${text}`;
}

/**
 * The policy fields' state, from a stored target or template (`initial`) or the defaults for a new
 * one. `problems` are the fields' own checks; `body(kind)` is what to send (an elevation has no
 * credential: the API refuses one).
 */
export function usePolicyFields(
  initial: Policy | undefined,
  defaults: Pick<Policy, 'defaultDuration' | 'minDuration' | 'maxDuration'>,
) {
  const [defaultDuration, setDefaultDuration] = useState(initial?.defaultDuration ?? defaults.defaultDuration);
  const [minDuration, setMinDuration] = useState(initial?.minDuration ?? defaults.minDuration);
  const [maxDuration, setMaxDuration] = useState(initial?.maxDuration ?? defaults.maxDuration);
  const approval = initial?.approval.mode === 'required' ? initial.approval : undefined;
  const [approvalRequired, setApprovalRequired] = useState(approval !== undefined);
  const [approvers, setApprovers] = useState<readonly PickerOption[]>(
    approval?.approvers.map((a) => ({
      value: principalValue(a.type, a.id),
      text: `${a.type === 'user' ? 'User' : 'Group'} ${a.id}`,
    })) ?? [],
  );
  const [deadline, setDeadline] = useState(approval?.deadline ?? 'PT1H');
  const [requireJustification, setRequireJustification] = useState(initial?.requireJustification ?? false);
  const [requireTicket, setRequireTicket] = useState(initial?.requireTicket ?? false);
  const [credentialType, setCredentialType] = useState<CredentialType>(initial?.credentialType ?? 'password');
  const [accessDetails, setAccessDetails] = useState(initial?.accessDetails ?? '');

  const problems: Record<string, string | undefined> = {
    defaultDuration: durationProblem(defaultDuration),
    minDuration: durationProblem(minDuration),
    maxDuration: durationProblem(maxDuration),
    deadline: approvalRequired ? durationProblem(deadline) : undefined,
  };
  const body = (kind: string): PolicyBody => ({
    defaultDuration: defaultDuration.trim(),
    minDuration: minDuration.trim(),
    maxDuration: maxDuration.trim(),
    approval: approvalRequired
      ? { mode: 'required', approvers: approvers.map((a) => principalOf(a.value)), deadline: deadline.trim() }
      : { mode: 'none' },
    requireJustification,
    requireTicket,
    ...(kind === 'adminAccount' ? { credentialType } : {}),
  });
  return {
    values: {
      defaultDuration,
      minDuration,
      maxDuration,
      approvalRequired,
      approvers,
      deadline,
      requireJustification,
      requireTicket,
      credentialType,
      accessDetails,
    },
    set: {
      defaultDuration: setDefaultDuration,
      minDuration: setMinDuration,
      maxDuration: setMaxDuration,
      approvalRequired: setApprovalRequired,
      approvers: setApprovers,
      deadline: setDeadline,
      requireJustification: setRequireJustification,
      requireTicket: setRequireTicket,
      credentialType: setCredentialType,
      accessDetails: setAccessDetails,
    },
    /** The access details as they are sent: trimmed, '' when none. */
    accessDetails: accessDetails.trim(),
    problems,
    body,
  };
}

/**
 * The policy fields of the target and template dialogs: durations, approval (approvers searched in
 * the home tenant, a deadline), justification and ticket, the credential of an admin account, and
 * the access details shown with it.
 */
export function PolicyFields(props: {
  readonly state: PolicyFieldsState;
  readonly kind: string;
  readonly message: (field: string, apiField?: string) => string | undefined;
}) {
  const { values, set } = props.state;
  const { message } = props;
  const searchPrincipals = usePrincipalSearch();
  return (
    <>
      <TextField
        label="Default duration"
        hint="ISO 8601, like PT4H"
        validationMessage={message('defaultDuration')}
        value={values.defaultDuration}
        onChange={set.defaultDuration}
      />
      <TextField
        label="Minimum duration"
        hint="ISO 8601, like PT15M"
        validationMessage={message('minDuration')}
        value={values.minDuration}
        onChange={set.minDuration}
      />
      <TextField
        label="Maximum duration"
        hint="ISO 8601, at most P7D"
        validationMessage={message('maxDuration')}
        value={values.maxDuration}
        onChange={set.maxDuration}
      />
      <Checkbox
        label="Approval required"
        checked={values.approvalRequired}
        onChange={(_, d) => set.approvalRequired(d.checked === true)}
      />
      {values.approvalRequired ? (
        <>
          <SearchPicker
            label="Approvers"
            hint="Users or groups of the home tenant; none: any Jit.Approver"
            validationMessage={message('approval.approvers')}
            selected={values.approvers}
            onChange={set.approvers}
            search={searchPrincipals}
            minChars={1}
          />
          <TextField
            label="Approval deadline"
            hint="ISO 8601, like PT1H"
            validationMessage={message('deadline', 'approval.deadline')}
            value={values.deadline}
            onChange={set.deadline}
          />
        </>
      ) : null}
      <Checkbox
        label="Justification required"
        checked={values.requireJustification}
        onChange={(_, d) => set.requireJustification(d.checked === true)}
      />
      <Checkbox
        label="Ticket required"
        checked={values.requireTicket}
        onChange={(_, d) => set.requireTicket(d.checked === true)}
      />
      {props.kind === 'adminAccount' ? (
        <Field label="Credential" validationMessage={message('credentialType')}>
          <Select
            value={values.credentialType}
            onChange={(_, d) =>
              set.credentialType(d.value === 'temporaryAccessPass' ? 'temporaryAccessPass' : 'password')
            }
          >
            <option value="password">Password</option>
            <option value="temporaryAccessPass">Temporary Access Pass</option>
          </Select>
        </Field>
      ) : null}
      <Field
        label="Access details"
        hint="Shown to the requester with the credential"
        validationMessage={message('accessDetails')}
      >
        <Textarea value={values.accessDetails} onChange={(_, d) => set.accessDetails(d.value)} />
      </Field>
    </>
  );
}
