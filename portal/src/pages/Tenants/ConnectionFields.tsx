import { Field, Radio, RadioGroup } from '@fluentui/react-components';
import { useState } from 'react';
import { TextField } from '../../components/TextField';
import type { components } from '../../api/schema';

type Connection = components['schemas']['CreateTenantBody']['connection'];
type Mode = Connection['mode'];

/**
 * The tenant's connection as typed in "Connect tenant" and "Edit tenant": the app registration's
 * client id and secret, or federated. The secret lives in the dialog's state only and goes to the
 * API (which puts it in Key Vault), nowhere else.
 */
export function useConnectionDraft(initial: { readonly mode: Mode; readonly clientId: string }) {
  const [mode, setMode] = useState<Mode>(initial.mode);
  const [clientId, setClientId] = useState(initial.clientId);
  const [clientSecret, setClientSecret] = useState('');
  const body: Connection = mode === 'clientSecret' ? { mode, clientId: clientId.trim(), clientSecret } : { mode };
  return { mode, setMode, clientId, setClientId, clientSecret, setClientSecret, body };
}

export type ConnectionDraft = ReturnType<typeof useConnectionDraft>;

/** The connection's fields; the client id and secret only for a client-secret connection. */
export function ConnectionFields(props: {
  readonly draft: ConnectionDraft;
  readonly secretLabel: string;
  readonly fieldError: (field: string) => string | undefined;
}) {
  const { draft, fieldError } = props;
  return (
    <>
      <Field label="Connection" validationMessage={fieldError('connection.mode')}>
        <RadioGroup
          value={draft.mode}
          onChange={(_, d) => draft.setMode(d.value === 'federated' ? 'federated' : 'clientSecret')}
        >
          <Radio value="clientSecret" label="Client secret of an app registration in the tenant" />
          <Radio value="federated" label="Federated: the service's own app, after admin consent" />
        </RadioGroup>
      </Field>
      {draft.mode === 'clientSecret' ? (
        <>
          <TextField
            label="Application (client) id"
            required
            validationMessage={fieldError('connection.clientId')}
            value={draft.clientId}
            onChange={draft.setClientId}
          />
          <TextField
            label={props.secretLabel}
            required
            hint="Its value (not its id); stored in Key Vault, never shown again"
            validationMessage={fieldError('connection.clientSecret')}
            secret
            value={draft.clientSecret}
            onChange={draft.setClientSecret}
          />
        </>
      ) : null}
    </>
  );
}
