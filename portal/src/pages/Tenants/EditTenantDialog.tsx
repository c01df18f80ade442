import { Checkbox } from '@fluentui/react-components';
import { useState } from 'react';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { FormDialog } from '../../components/FormDialog';
import { useAction } from '../../hooks/useAction';
import { useSession } from '../../hooks/useApi';
import { useDialogClose } from '../../hooks/useDialogClose';
import { ConnectionFields, useConnectionDraft } from './ConnectionFields';
import { TenantFields, useTenantDraft } from './TenantFields';
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
  const draft = useTenantDraft(tenant);
  const [replaceConnection, setReplaceConnection] = useState(false);
  const connection = useConnectionDraft({
    mode: tenant.connection.mode,
    clientId: tenant.connection.mode === 'clientSecret' ? tenant.connection.clientId : '',
  });
  const save = useAction(async () => {
    const body: PatchTenantBody = {};
    const { values } = draft;
    if (values.displayName !== tenant.displayName) body.displayName = values.displayName;
    if (values.jitDomain !== tenant.jitDomain) body.jitDomain = values.jitDomain;
    if (values.tags.join(',') !== tenant.tags.join(',')) body.tags = values.tags;
    if (values.protectedAccounts.join(',') !== tenant.protectedAccounts.join(','))
      body.protectedAccounts = values.protectedAccounts;
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
      <TenantFields draft={draft} fieldError={save.fieldError} />
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
