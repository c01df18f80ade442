import { useState } from 'react';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { FormDialog } from '../../components/FormDialog';
import { TextField } from '../../components/TextField';
import { useAction } from '../../hooks/useAction';
import { useSession } from '../../hooks/useApi';
import { useDialogClose } from '../../hooks/useDialogClose';
import { ConnectionFields, useConnectionDraft } from './ConnectionFields';
import { TenantFields, useTenantDraft } from './TenantFields';
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
  const tenant = useTenantDraft({ displayName: '', jitDomain: '', tags: [], protectedAccounts: [] });
  const connection = useConnectionDraft({ mode: 'clientSecret', clientId: '' });
  const connect = useAction(async () => {
    const body: CreateTenantBody = {
      tenantId: tenantId.trim(),
      ...tenant.values,
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
      <TenantFields draft={tenant} fieldError={connect.fieldError} />
      <ConnectionFields draft={connection} secretLabel="Client secret" fieldError={connect.fieldError} />
    </FormDialog>
  );
}
