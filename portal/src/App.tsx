import type { PublicClientApplication } from '@azure/msal-browser';
import { MsalProvider, useIsAuthenticated, useMsal } from '@azure/msal-react';
import { Button, Link, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useCallback, useMemo, useState } from 'react';
import { createApiClient } from './api/client';
import { apiToken, personOf, signIn, signOut, stepUpToken, type SignedInPerson } from './auth/msal';
import { ErrorText } from './components/ErrorText';
import type { PortalConfig } from './config';
import { unwrap } from './api/problem';
import { SessionContext, useSession } from './hooks/useApi';
import { useApiQuery } from './hooks/useApiQuery';
import { NavigateContext, PAGES, pageOfPath, useLocationPath, type PageId } from './hooks/useRoute';
import { ApprovalsPage } from './pages/Approvals/ApprovalsPage';
import { AuditPage } from './pages/Audit/AuditPage';
import { CustomersPage } from './pages/Customers/CustomersPage';
import { IntegrationsPage } from './pages/Integrations/IntegrationsPage';
import { LeasesPage } from './pages/Leases/LeasesPage';
import { ReportsPage } from './pages/Reports/ReportsPage';
import { MyAccessPage } from './pages/MyAccess/MyAccessPage';
import { RequestsPage } from './pages/Requests/RequestsPage';
import { RulesPage } from './pages/Rules/RulesPage';
import { TargetsPage } from './pages/Targets/TargetsPage';
import { TemplatesPage } from './pages/Templates/TemplatesPage';
import { TenantsPage } from './pages/Tenants/TenantsPage';

const ADMIN_ROLE = 'Jit.Admin';
const APPROVER_ROLE = 'Jit.Approver';
const ADMIN_PAGES: readonly PageId[] = [
  'tenants',
  'customers',
  'targets',
  'rules',
  'templates',
  'integrations',
  'audit',
  'leases',
  'reports',
];

const useStyles = makeStyles({
  shell: { minHeight: '100vh', display: 'flex', flexDirection: 'column' },
  header: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorNeutralBackground3,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
  },
  person: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  nav: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalL,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
  },
  current: { fontWeight: tokens.fontWeightSemibold, textDecorationLine: 'underline' },
  main: {
    padding: `0 ${tokens.spacingHorizontalL} ${tokens.spacingVerticalXXL}`,
    maxWidth: '72rem',
    width: '100%',
    boxSizing: 'border-box',
  },
  welcome: {
    padding: tokens.spacingHorizontalXXL,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    maxWidth: '40rem',
  },
});

/**
 * The pages a person may use: everyone requests; approvers decide: holders of Jit.Approver or
 * Jit.Admin, and anyone a target lists as its approver while something awaits their decision;
 * admins configure and operate.
 */
export function pagesFor(person: SignedInPerson, somethingAwaitsThem: boolean): PageId[] {
  const pages: PageId[] = ['access', 'requests'];
  if (person.roles.includes(APPROVER_ROLE) || person.roles.includes(ADMIN_ROLE) || somethingAwaitsThem)
    pages.push('approvals');
  if (person.roles.includes(ADMIN_ROLE)) pages.push(...ADMIN_PAGES);
  return pages;
}

/** Whether a person without an approver role is a target's listed approver with something to decide now. */
function useSomethingAwaits(person: SignedInPerson): boolean {
  const { api } = useSession();
  const byRole = person.roles.includes(APPROVER_ROLE) || person.roles.includes(ADMIN_ROLE);
  const read = useCallback(async () => {
    if (byRole) return false;
    const page = unwrap(await api.GET('/requests', { params: { query: { awaiting: 'me', limit: 1 } } }));
    return page.items.length > 0;
  }, [api, byRole]);
  return useApiQuery(read, 30_000).data === true;
}

export function App({ msal, config }: { readonly msal: PublicClientApplication; readonly config: PortalConfig }) {
  return (
    <MsalProvider instance={msal}>
      <Portal config={config} />
    </MsalProvider>
  );
}

function Portal({ config }: { readonly config: PortalConfig }) {
  const { instance, accounts } = useMsal();
  const signedIn = useIsAuthenticated();
  const account = instance.getActiveAccount() ?? accounts[0] ?? null;
  const styles = useStyles();
  const [error, setError] = useState<unknown>();

  const session = useMemo(
    () =>
      account
        ? {
            person: personOf(account),
            api: createApiClient(
              config.apiBaseUrl,
              () => apiToken(instance, config.scope),
              (claims) => stepUpToken(instance, config.scope, claims),
            ),
          }
        : undefined,
    [account, config, instance],
  );

  if (!signedIn || !session)
    return (
      <main className={styles.welcome}>
        <h1>Entra JIT</h1>
        <Text>Just-in-time admin access to your customers&apos; Entra ID tenants. Sign in with your work account.</Text>
        <div>
          <Button appearance="primary" onClick={() => void signIn(instance, config.scope).catch(setError)}>
            Sign in
          </Button>
        </div>
        <ErrorText error={error} />
      </main>
    );

  return (
    <SessionContext.Provider value={session}>
      <Shell person={session.person} onSignOut={() => void signOut(instance, account).catch(setError)} />
      <ErrorText error={error} />
    </SessionContext.Provider>
  );
}

function Shell({ person, onSignOut }: { readonly person: SignedInPerson; readonly onSignOut: () => void }) {
  const styles = useStyles();
  const [path, navigatePath] = useLocationPath();
  const allowed = pagesFor(person, useSomethingAwaits(person));
  const requested = pageOfPath(path);
  const page: PageId = requested && allowed.includes(requested) ? requested : 'access';
  const navigate = (to: PageId) => navigatePath(PAGES[to].path);

  return (
    <div className={styles.shell}>
      <header className={styles.header}>
        <Text as="span" size={500} weight="semibold">
          Entra JIT
        </Text>
        <div className={styles.person}>
          <Text>
            Signed in as {person.displayName} ({person.userPrincipalName})
          </Text>
          <Button onClick={onSignOut}>Sign out</Button>
        </div>
      </header>
      <nav aria-label="Portal" className={styles.nav}>
        {allowed.map((id) => (
          <Link
            key={id}
            href={PAGES[id].path}
            aria-current={id === page ? 'page' : undefined}
            className={id === page ? styles.current : undefined}
            onClick={(event) => {
              event.preventDefault();
              navigate(id);
            }}
          >
            {PAGES[id].title}
          </Link>
        ))}
      </nav>
      <main className={styles.main}>
        <NavigateContext.Provider value={navigate}>
          {page === 'access' ? <MyAccessPage /> : null}
          {page === 'requests' ? <RequestsPage /> : null}
          {page === 'approvals' ? <ApprovalsPage /> : null}
          {page === 'tenants' ? <TenantsPage /> : null}
          {page === 'customers' ? <CustomersPage /> : null}
          {page === 'targets' ? <TargetsPage /> : null}
          {page === 'rules' ? <RulesPage /> : null}
          {page === 'templates' ? <TemplatesPage /> : null}
          {page === 'integrations' ? <IntegrationsPage /> : null}
          {page === 'audit' ? <AuditPage /> : null}
          {page === 'leases' ? <LeasesPage /> : null}
          {page === 'reports' ? <ReportsPage /> : null}
        </NavigateContext.Provider>
      </main>
    </div>
  );
}
