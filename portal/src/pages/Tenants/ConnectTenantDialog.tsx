import { useState } from 'react';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { FormDialog } from '../../components/FormDialog';
import { TextField } from '../../components/TextField';
import { useAction } from '../../hooks/useAction';
import { useSession } from '../../hooks/useApi';
import { useDialogClose } from '../../hooks/useDialogClose';
import { listOf } from '../../textFields';
import { ConnectionFields, useConnectionDraft } from './ConnectionFields';
import type { Verification } from '../../hooks/useTenants';

type CreateTenantBody = components['schemas']['CreateTenantBody'];

/**
 * "Connect tenant": the customer's tenant id, a name, the JIT domain and the connection (the app
 * registration's client id and secret, or federated through the service's own app). The secret
 * lives in this dialog's state only and goes to the API (which puts it in Key Vault), nowhere else.
 */
export function ConnectTenantDialog(props: {
  readonly onClose: () => void;
  readonly onConnected: (tenantId: string, verification: Verification) => void;
}) {
  const { api } = useSession();
  const dialog = useDialogClose();
  const [tenantId, setTenantId] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [jitDomain, setJitDomain] = useState('');
  const connection = useConnectionDraft({ mode: 'clientSecret', clientId: '' });
  const [tags, setTags] = useState('');
  const [protectedAccounts, setProtectedAccounts] = useState('');
  const connect = useAction(async () => {
    const body: CreateTenantBody = {
      tenantId: tenantId.trim(),
      displayName: displayName.trim(),
      jitDomain: jitDomain.trim(),
      tags: listOf(tags),
      protectedAccounts: listOf(protectedAccounts),
      connection: connection.body,
    };
    const created = unwrap(await api.POST('/tenants', { body }));
    dialog.close(() => props.onConnected(created.tenantId, created.verification));
  });

  return (
    <FormDialog
      dialog={dialog}
      title="Connect tenant"
      onClose={props.onClose}
      onSubmit={() => void connect.run()}
      busy={connect.busy}
      busyLabel="Connecting and verifying"
      submitLabel="Connect"
      error={connect.error}
    >
      <TextField
        label="Tenant id"
        required
        hint="The customer's directory (tenant) id"
        validationMessage={connect.fieldError('tenantId')}
        value={tenantId}
        onChange={setTenantId}
      />
      <TextField
        label="Display name"
        required
        validationMessage={connect.fieldError('displayName')}
        value={displayName}
        onChange={setDisplayName}
      />
      <TextField
        label="JIT domain"
        required
        hint="A managed, verified domain of the tenant for the JIT accounts"
        validationMessage={connect.fieldError('jitDomain')}
        value={jitDomain}
        onChange={setJitDomain}
      />
      <ConnectionFields draft={connection} secretLabel="Client secret" fieldError={connect.fieldError} />
      <TextField
        label="Tags"
        hint="Comma-separated, for rules scoped to a tag"
        validationMessage={connect.fieldError('tags')}
        value={tags}
        onChange={setTags}
      />
      <TextField
        label="Protected accounts"
        hint="Comma-separated user principal names the service must never touch (break-glass accounts)"
        validationMessage={connect.fieldError('protectedAccounts')}
        value={protectedAccounts}
        onChange={setProtectedAccounts}
      />
    </FormDialog>
  );
}
