import { Checkbox } from '@fluentui/react-components';
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
import type { Tenant, Verification } from '../../hooks/useTenants';

type PatchTenantBody = components['schemas']['PatchTenantBody'];

/**
 * "Edit tenant": the name, JIT domain, tags, protected accounts and, to fix a failing sign-in or
 * rotate the secret, a new connection. Only what changed is sent; the API verifies the tenant again
 * when the connection or the JIT domain changes, and that verification is shown.
 */
export function EditTenantDialog(props: {
  readonly tenant: Tenant;
  readonly onClose: () => void;
  readonly onSaved: (verification: Verification | undefined) => void;
}) {
  const { tenant } = props;
  const { api } = useSession();
  const dialog = useDialogClose();
  const [displayName, setDisplayName] = useState(tenant.displayName);
  const [jitDomain, setJitDomain] = useState(tenant.jitDomain);
  const [tags, setTags] = useState(tenant.tags.join(', '));
  const [protectedAccounts, setProtectedAccounts] = useState(tenant.protectedAccounts.join(', '));
  const [replaceConnection, setReplaceConnection] = useState(false);
  const connection = useConnectionDraft({
    mode: tenant.connection.mode,
    clientId: tenant.connection.mode === 'clientSecret' ? tenant.connection.clientId : '',
  });
  const save = useAction(async () => {
    const body: PatchTenantBody = {};
    if (displayName.trim() !== tenant.displayName) body.displayName = displayName.trim();
    if (jitDomain.trim() !== tenant.jitDomain) body.jitDomain = jitDomain.trim();
    if (listOf(tags).join(',') !== tenant.tags.join(',')) body.tags = listOf(tags);
    if (listOf(protectedAccounts).join(',') !== tenant.protectedAccounts.join(','))
      body.protectedAccounts = listOf(protectedAccounts);
    if (replaceConnection) body.connection = connection.body;
    const saved = unwrap(
      await api.PATCH('/tenants/{tenantId}', { params: { path: { tenantId: tenant.tenantId } }, body }),
    );
    dialog.close(() => props.onSaved(saved.verification));
  });

  return (
    <FormDialog
      dialog={dialog}
      title={`Edit tenant ${tenant.displayName}`}
      onClose={props.onClose}
      onSubmit={() => void save.run()}
      busy={save.busy}
      busyLabel="Saving and verifying"
      submitLabel="Save"
      error={save.error}
    >
      <TextField
        label="Display name"
        required
        validationMessage={save.fieldError('displayName')}
        value={displayName}
        onChange={setDisplayName}
      />
      <TextField
        label="JIT domain"
        required
        hint="A managed, verified domain of the tenant for the JIT accounts"
        validationMessage={save.fieldError('jitDomain')}
        value={jitDomain}
        onChange={setJitDomain}
      />
      <TextField
        label="Tags"
        hint="Comma-separated"
        validationMessage={save.fieldError('tags')}
        value={tags}
        onChange={setTags}
      />
      <TextField
        label="Protected accounts"
        hint="Comma-separated user principal names"
        validationMessage={save.fieldError('protectedAccounts')}
        value={protectedAccounts}
        onChange={setProtectedAccounts}
      />
      <Checkbox
        label="Replace the connection (a new client secret, or federated)"
        checked={replaceConnection}
        onChange={(_, d) => setReplaceConnection(d.checked === true)}
      />
      {replaceConnection ? (
        <ConnectionFields draft={connection} secretLabel="New client secret" fieldError={save.fieldError} />
      ) : null}
    </FormDialog>
  );
}
