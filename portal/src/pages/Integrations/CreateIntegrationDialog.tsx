import { Field, Select, Textarea } from '@fluentui/react-components';
import { useState } from 'react';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { FormDialog } from '../../components/FormDialog';
import { TextField } from '../../components/TextField';
import { useAction } from '../../hooks/useAction';
import { useSession } from '../../hooks/useApi';
import { useDialogClose } from '../../hooks/useDialogClose';

type CreateIntegrationBody = components['schemas']['CreateIntegrationBody'];
type CreatedIntegration = components['schemas']['CreatedIntegration'];
type Kind = CreateIntegrationBody['kind'];
type Mapping = Extract<CreateIntegrationBody, { kind: 'autotask' }>['mapping'];

const MAPPING_EXAMPLE = `{
  "tenants": { "<PSA company id>": "<tenant id>" },
  "technicians": { "<PSA member>": "<user principal name>" },
  "accessRequestedStatuses": ["Access requested"],
  "target": { "fixed": "<target id>" }
}`;

/** "Create integration": a generic signed webhook, or a PSA's native one with its mapping (docs/ticketing.md). */
export function CreateIntegrationDialog(props: {
  readonly onClose: () => void;
  readonly onCreated: (created: CreatedIntegration) => void;
}) {
  const { api } = useSession();
  const dialog = useDialogClose();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Kind>('generic');
  const [mapping, setMapping] = useState('');
  const [companyId, setCompanyId] = useState('');
  const [callbackKeyOrigin, setCallbackKeyOrigin] = useState('');
  const [basicUsername, setBasicUsername] = useState('entra-jit');
  const [mappingProblem, setMappingProblem] = useState<string>();
  const create = useAction(async (body: CreateIntegrationBody) => {
    const created = unwrap(await api.POST('/integrations', { body }));
    dialog.close(() => props.onCreated(created));
  });
  const submit = () => {
    if (kind === 'generic') {
      void create.run({ name: name.trim(), kind });
      return;
    }
    let parsed: Mapping;
    try {
      parsed = JSON.parse(mapping) as Mapping;
      setMappingProblem(undefined);
    } catch (error) {
      setMappingProblem(`The mapping is not JSON: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    // The API checks the mapping's shape (its schema) and names what is wrong.
    if (kind === 'connectwise')
      void create.run({ name: name.trim(), kind, mapping: parsed, companyId: companyId.trim(), callbackKeyOrigin });
    else if (kind === 'halopsa') void create.run({ name: name.trim(), kind, mapping: parsed, basicUsername });
    else void create.run({ name: name.trim(), kind, mapping: parsed });
  };

  return (
    <FormDialog
      dialog={dialog}
      title="Create integration"
      onClose={props.onClose}
      onSubmit={submit}
      noValidate
      busy={create.busy}
      busyLabel="Creating"
      submitLabel="Create integration"
      error={create.error}
    >
      <TextField label="Name" required validationMessage={create.fieldError('name')} value={name} onChange={setName} />
      <Field label="Kind" validationMessage={create.fieldError('kind')}>
        <Select value={kind} onChange={(_, d) => setKind(d.value as Kind)}>
          <option value="generic">Generic signed webhook</option>
          <option value="connectwise">ConnectWise PSA</option>
          <option value="autotask">Autotask</option>
          <option value="halopsa">HaloPSA</option>
        </Select>
      </Field>
      {kind !== 'generic' ? (
        <Field
          label="Mapping (JSON)"
          required
          hint="How a ticket becomes an access request (docs/ticketing.md)"
          validationMessage={mappingProblem ?? create.fieldError('mapping')}
        >
          <Textarea rows={7} value={mapping} placeholder={MAPPING_EXAMPLE} onChange={(_, d) => setMapping(d.value)} />
        </Field>
      ) : null}
      {kind === 'connectwise' ? (
        <>
          <TextField
            label="Company id"
            required
            validationMessage={create.fieldError('companyId')}
            value={companyId}
            onChange={setCompanyId}
          />
          <TextField
            label="Callback key origin"
            required
            hint="The PSA site's origin, like https://na.myconnectwise.net"
            validationMessage={create.fieldError('callbackKeyOrigin')}
            value={callbackKeyOrigin}
            onChange={setCallbackKeyOrigin}
          />
        </>
      ) : null}
      {kind === 'halopsa' ? (
        <TextField
          label="Basic user name"
          validationMessage={create.fieldError('basicUsername')}
          value={basicUsername}
          onChange={setBasicUsername}
        />
      ) : null}
    </FormDialog>
  );
}
