import { Button } from '@fluentui/react-components';
import { useState } from 'react';
import { ErrorText } from '../../components/ErrorText';
import { QueryList } from '../../components/QueryList';
import { useSharedStyles } from '../../components/styles';
import { useTenantReadiness, useTenants, type Tenant, type VerificationCheck } from '../../hooks/useTenants';
import { ConnectTenantDialog } from './ConnectTenantDialog';
import { EditTenantDialog } from './EditTenantDialog';
import { TenantCard } from './TenantCard';

/**
 * "Tenants" (admin): every connected tenant with its verification as a checklist, each failing
 * check with its fix; "Connect tenant", "Re-verify", the admin-consent link and "Edit".
 */
export function TenantsPage() {
  const shared = useSharedStyles();
  const tenants = useTenants();
  const readiness = useTenantReadiness();
  const [connecting, setConnecting] = useState(false);
  const [editing, setEditing] = useState<Tenant>();
  // The full checklist of verifications made here (the kept readiness names only the failing checks).
  const [verified, setVerified] = useState<ReadonlyMap<string, readonly VerificationCheck[]>>(new Map());
  const keep = async (tenantId: string, checks: readonly VerificationCheck[] | undefined) => {
    if (checks) setVerified((map) => new Map(map).set(tenantId, checks));
    await Promise.all([tenants.refresh(), readiness.refresh()]);
  };

  return (
    <>
      <h1>Tenants</h1>
      <div className={shared.toolbar}>
        <Button appearance="primary" onClick={() => setConnecting(true)}>
          Connect tenant
        </Button>
      </div>
      <ErrorText error={tenants.error} />
      <ErrorText error={readiness.error} />
      <QueryList query={tenants} loadingLabel="Loading the connected tenants" empty="No tenant is connected yet.">
        {(list) => (
          <div className={shared.stack}>
            {list.map((t) => (
              <TenantCard
                key={t.tenantId}
                tenant={t}
                readiness={readiness.data?.find((r) => r.tenantId === t.tenantId)}
                verified={verified.get(t.tenantId)}
                onVerified={(checks) => keep(t.tenantId, checks)}
                onEdit={() => setEditing(t)}
              />
            ))}
          </div>
        )}
      </QueryList>
      {connecting ? (
        <ConnectTenantDialog
          onClose={() => setConnecting(false)}
          onConnected={(tenantId, verification) => {
            setConnecting(false);
            void keep(tenantId, verification.checks);
          }}
        />
      ) : null}
      {editing ? (
        <EditTenantDialog
          tenant={editing}
          onClose={() => setEditing(undefined)}
          onSaved={(verification) => {
            const tenantId = editing.tenantId;
            setEditing(undefined);
            void keep(tenantId, verification?.checks);
          }}
        />
      ) : null}
    </>
  );
}
