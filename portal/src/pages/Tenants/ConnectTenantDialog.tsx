import {
  Button,
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
import type { Verification } from '../../hooks/useTenants';

type CreateTenantBody = components['schemas']['CreateTenantBody'];

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

/** Comma- or line-separated entries of a text field, trimmed, empty ones dropped. */
export function listOf(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * "Connect tenant": the customer's tenant id, a name, the JIT domain and the connection (the app
 * registration's client id and secret, or federated through the service's own app). The secret
 * lives in this dialog's state only and goes to the API (which puts it in Key Vault), nowhere else.
 */
export function ConnectTenantDialog(props: {
  readonly onClose: () => void;
  readonly onConnected: (tenantId: string, verification: Verification) => void;
}) {
  const styles = useStyles();
  const { api } = useSession();
  const dialog = useDialogClose();
  const [tenantId, setTenantId] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [jitDomain, setJitDomain] = useState('');
  const [mode, setMode] = useState<'clientSecret' | 'federated'>('clientSecret');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [tags, setTags] = useState('');
  const [protectedAccounts, setProtectedAccounts] = useState('');
  const connect = useAction(async () => {
    const body: CreateTenantBody = {
      tenantId: tenantId.trim(),
      displayName: displayName.trim(),
      jitDomain: jitDomain.trim(),
      tags: listOf(tags),
      protectedAccounts: listOf(protectedAccounts),
      connection: mode === 'clientSecret' ? { mode, clientId: clientId.trim(), clientSecret } : { mode },
    };
    const created = unwrap(await api.POST('/tenants', { body }));
    dialog.close(() => props.onConnected(created.tenantId, created.verification));
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void connect.run();
  };
  const fieldError = connect.fieldError;

  return (
    <Dialog
      open={dialog.open}
      modalType="modal"
      onOpenChange={(_, data) => (data.open ? undefined : dialog.close(props.onClose))}
    >
      <DialogSurface>
        <form onSubmit={submit}>
          <DialogBody>
            <DialogTitle>Connect tenant</DialogTitle>
            <DialogContent className={styles.form}>
              <Field
                label="Tenant id"
                required
                hint="The customer's directory (tenant) id"
                validationMessage={fieldError('tenantId')}
              >
                <Input value={tenantId} onChange={(_, d) => setTenantId(d.value)} />
              </Field>
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
                  <Field label="Application (client) id" required validationMessage={fieldError('connection.clientId')}>
                    <Input value={clientId} onChange={(_, d) => setClientId(d.value)} />
                  </Field>
                  <Field
                    label="Client secret"
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
              <Field
                label="Tags"
                hint="Comma-separated, for rules scoped to a tag"
                validationMessage={fieldError('tags')}
              >
                <Input value={tags} onChange={(_, d) => setTags(d.value)} />
              </Field>
              <Field
                label="Protected accounts"
                hint="Comma-separated user principal names the service must never touch (break-glass accounts)"
                validationMessage={fieldError('protectedAccounts')}
              >
                <Input value={protectedAccounts} onChange={(_, d) => setProtectedAccounts(d.value)} />
              </Field>
              <ErrorText error={connect.error} />
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={() => dialog.close(props.onClose)}>
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={connect.busy}>
                {connect.busy ? <Spinner size="tiny" label="Connecting and verifying" /> : 'Connect'}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
