import { Field, Input } from '@fluentui/react-components';
import { useState } from 'react';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { FormDialog } from '../../components/FormDialog';
import { listOf } from '../../textFields';
import { useAction } from '../../hooks/useAction';
import { useSession } from '../../hooks/useApi';
import { useDialogClose } from '../../hooks/useDialogClose';
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
      <Field
        label="Tenant id"
        required
        hint="The customer's directory (tenant) id"
        validationMessage={connect.fieldError('tenantId')}
      >
        <Input value={tenantId} onChange={(_, d) => setTenantId(d.value)} />
      </Field>
      <Field label="Display name" required validationMessage={connect.fieldError('displayName')}>
        <Input value={displayName} onChange={(_, d) => setDisplayName(d.value)} />
      </Field>
      <Field
        label="JIT domain"
        required
        hint="A managed, verified domain of the tenant for the JIT accounts"
        validationMessage={connect.fieldError('jitDomain')}
      >
        <Input value={jitDomain} onChange={(_, d) => setJitDomain(d.value)} />
      </Field>
      <ConnectionFields draft={connection} secretLabel="Client secret" fieldError={connect.fieldError} />
      <Field
        label="Tags"
        hint="Comma-separated, for rules scoped to a tag"
        validationMessage={connect.fieldError('tags')}
      >
        <Input value={tags} onChange={(_, d) => setTags(d.value)} />
      </Field>
      <Field
        label="Protected accounts"
        hint="Comma-separated user principal names the service must never touch (break-glass accounts)"
        validationMessage={connect.fieldError('protectedAccounts')}
      >
        <Input value={protectedAccounts} onChange={(_, d) => setProtectedAccounts(d.value)} />
      </Field>
    </FormDialog>
  );
}
