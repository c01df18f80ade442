import { createContext, useContext, useEffect, useState } from 'react';

/** The portal's pages, one path each, so the browser's back button and a bookmark work. */
export const PAGES = {
  access: { path: '/access', title: 'My access' },
  requests: { path: '/requests', title: 'Requests' },
  approvals: { path: '/approvals', title: 'Approvals' },
  tenants: { path: '/tenants', title: 'Tenants' },
  customers: { path: '/customers', title: 'Customers' },
  targets: { path: '/targets', title: 'Targets' },
  rules: { path: '/rules', title: 'Rules' },
  templates: { path: '/templates', title: 'Templates' },
  integrations: { path: '/integrations', title: 'Integrations' },
  audit: { path: '/audit', title: 'Audit' },
  leases: { path: '/leases', title: 'Leases' },
  reports: { path: '/reports', title: 'Reports' },
} as const;
export type PageId = keyof typeof PAGES;

export function pageOfPath(pathname: string): PageId | undefined {
  return (Object.keys(PAGES) as PageId[]).find((id) => PAGES[id].path === pathname);
}

export function useLocationPath(): [string, (path: string) => void] {
  const [path, setPath] = useState(() => window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = (to: string) => {
    if (to !== window.location.pathname) window.history.pushState(null, '', to);
    setPath(to);
  };
  return [path, navigate];
}

export const NavigateContext = createContext<(page: PageId) => void>(() => undefined);

export function useNavigate(): (page: PageId) => void {
  return useContext(NavigateContext);
}
