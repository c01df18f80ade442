import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Radio,
  RadioGroup,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { ErrorText } from '../../components/ErrorText';
import { useAction } from '../../hooks/useAction';
import { useSession } from '../../hooks/useApi';
import { useDialogClose } from '../../hooks/useDialogClose';
import type { Tenant, Verification } from '../../hooks/useTenants';
import { listOf } from './ConnectTenantDialog';

type PatchTenantBody = components['schemas']['PatchTenantBody'];

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

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
  const styles = useStyles();
  const { api } = useSession();
  const dialog = useDialogClose();
  const [displayName, setDisplayName] = useState(tenant.displayName);
  const [jitDomain, setJitDomain] = useState(tenant.jitDomain);
  const [tags, setTags] = useState(tenant.tags.join(', '));
  const [protectedAccounts, setProtectedAccounts] = useState(tenant.protectedAccounts.join(', '));
  const [replaceConnection, setReplaceConnection] = useState(false);
  const [mode, setMode] = useState<'clientSecret' | 'federated'>(tenant.connection.mode);
  const [clientId, setClientId] = useState(tenant.connection.mode === 'clientSecret' ? tenant.connection.clientId : '');
  const [clientSecret, setClientSecret] = useState('');
  const save = useAction(async () => {
    const body: PatchTenantBody = {};
    if (displayName.trim() !== tenant.displayName) body.displayName = displayName.trim();
    if (jitDomain.trim() !== tenant.jitDomain) body.jitDomain = jitDomain.trim();
    if (listOf(tags).join(',') !== tenant.tags.join(',')) body.tags = listOf(tags);
    if (listOf(protectedAccounts).join(',') !== tenant.protectedAccounts.join(','))
      body.protectedAccounts = listOf(protectedAccounts);
    if (replaceConnection)
      body.connection = mode === 'clientSecret' ? { mode, clientId: clientId.trim(), clientSecret } : { mode };
    const saved = unwrap(
      await api.PATCH('/tenants/{tenantId}', { params: { path: { tenantId: tenant.tenantId } }, body }),
    );
    dialog.close(() => props.onSaved(saved.verification));
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.run();
  };
  const fieldError = save.fieldError;

  return (
    <Dialog
      open={dialog.open}
      modalType="modal"
      onOpenChange={(_, data) => (data.open ? undefined : dialog.close(props.onClose))}
    >
      <DialogSurface>
        <form onSubmit={submit}>
          <DialogBody>
            <DialogTitle>Edit tenant {tenant.displayName}</DialogTitle>
            <DialogContent className={styles.form}>
              <Field label="Display name" required validationMessage={fieldError('displayName')}>
                <Input value={displayName} onChange={(_, d) => setDisplayName(d.value)} />
              </Field>
              <Field
                label="JIT domain"
                required
                hint="A managed, verified domain of the tenant for the JIT accounts"
                validationMessage={fieldError('jitDomain')}
              >
                <Input value={jitDomain} onChange={(_, d) => setJitDomain(d.value)} />
              </Field>
              <Field label="Tags" hint="Comma-separated" validationMessage={fieldError('tags')}>
                <Input value={tags} onChange={(_, d) => setTags(d.value)} />
              </Field>
              <Field
                label="Protected accounts"
                hint="Comma-separated user principal names"
                validationMessage={fieldError('protectedAccounts')}
              >
                <Input value={protectedAccounts} onChange={(_, d) => setProtectedAccounts(d.value)} />
              </Field>
              <Checkbox
                label="Replace the connection (a new client secret, or federated)"
                checked={replaceConnection}
                onChange={(_, d) => setReplaceConnection(d.checked === true)}
              />
              {replaceConnection ? (
                <>
                  <Field label="Connection" validationMessage={fieldError('connection.mode')}>
                    <RadioGroup
                      value={mode}
                      onChange={(_, d) => setMode(d.value === 'federated' ? 'federated' : 'clientSecret')}
                    >
                      <Radio value="clientSecret" label="Client secret of an app registration in the tenant" />
                      <Radio value="federated" label="Federated: the service's own app, after admin consent" />
                    </RadioGroup>
                  </Field>
                  {mode === 'clientSecret' ? (
                    <>
                      <Field
                        label="Application (client) id"
                        required
                        validationMessage={fieldError('connection.clientId')}
                      >
                        <Input value={clientId} onChange={(_, d) => setClientId(d.value)} />
                      </Field>
                      <Field
                        label="New client secret"
                        required
                        hint="Its value (not its id); stored in Key Vault, never shown again"
                        validationMessage={fieldError('connection.clientSecret')}
                      >
                        <Input
                          type="password"
                          autoComplete="off"
                          value={clientSecret}
                          onChange={(_, d) => setClientSecret(d.value)}
                        />
                      </Field>
                    </>
                  ) : null}
                </>
              ) : null}
              <ErrorText error={save.error} />
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={() => dialog.close(props.onClose)}>
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={save.busy}>
                {save.busy ? <Spinner size="tiny" label="Saving and verifying" /> : 'Save'}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
