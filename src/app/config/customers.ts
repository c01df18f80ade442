import type { Caller } from '../../domain/caller';
import { ConflictError, messageOf, NotFoundError } from '../../domain/errors';
import type { AppDeps } from '../deps';
import { homeDirectory, roleNames } from '../gdap';
import type { GdapRelationship, Versioned } from '../ports';
import type { Tenant } from '../../domain/config';
import { requireAdmin } from './adminChange';
import type { ConnectCustomerItem, ConnectCustomersBody, GdapCustomerList, GdapCustomerView } from './customerSchemas';
import type { Verification } from './schemas';
import { createTenant, type OnboardingSettings } from './tenants';

/** How many customers of one bulk connect are connected and verified at the same time. */
const CONNECT_CONCURRENCY = 4;

/**
 * The MSP's customers as its GDAP relationships show them (Graph's delegatedAdminCustomers and
 * delegatedAdminRelationships of the home tenant), each with its relationships' states and roles
 * and whether it is connected here. Customers in no active relationship are listed too (expired,
 * waiting for approval), so an admin sees why one cannot be connected.
 */
export async function listGdapCustomers(deps: AppDeps, caller: Caller): Promise<GdapCustomerList> {
  requireAdmin(caller);
  const directory = await homeDirectory(deps);
  const [customers, relationships, names, tenants] = await Promise.all([
    directory.listGdapCustomers(),
    directory.listGdapRelationships(),
    roleNames(directory),
    deps.config.listTenants(),
  ]);
  const connected = new Map(tenants.map((t) => [t.tenantId.toLowerCase(), t]));
  const activeCustomers = new Set(customers.map((c) => c.tenantId));
  const byTenant = new Map<string, { displayName: string; relationships: GdapRelationship[] }>();
  for (const c of customers) byTenant.set(c.tenantId, { displayName: c.displayName, relationships: [] });
  for (const r of relationships) {
    const entry = byTenant.get(r.customer.tenantId) ?? { displayName: r.customer.displayName, relationships: [] };
    entry.relationships.push(r);
    byTenant.set(r.customer.tenantId, entry);
  }
  const items: GdapCustomerView[] = [...byTenant.entries()]
    .map(([tenantId, entry]) => {
      const tenant = connected.get(tenantId);
      const active = activeCustomers.has(tenantId) || entry.relationships.some((r) => r.status === 'active');
      return {
        tenantId,
        displayName: entry.displayName,
        status: active ? ('active' as const) : ('inactive' as const),
        relationships: entry.relationships.map((r) => ({
          id: r.id,
          displayName: r.displayName,
          status: r.status,
          roles: r.roleTemplateIds.map((templateId) => ({ templateId, name: names.get(templateId) ?? templateId })),
          endDateTime: r.endDateTime,
          autoExtendDuration: r.autoExtendDuration,
        })),
        connected: tenant !== undefined,
        jitDomain: tenant?.jitDomain ?? null,
      };
    })
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
  return {
    items,
    summary: {
      customers: items.length,
      active: items.filter((c) => c.status === 'active').length,
      connected: items.filter((c) => c.connected).length,
    },
  };
}

export type ConnectCustomerOutcome =
  | {
      readonly tenantId: string;
      readonly outcome: 'connected';
      readonly tenant: Versioned<Tenant>;
      readonly verification: Verification;
    }
  | { readonly tenantId: string; readonly outcome: 'alreadyConnected'; readonly tenant: Versioned<Tenant> }
  | { readonly tenantId: string; readonly outcome: 'refused'; readonly error: unknown };

/**
 * Connects many GDAP customers at once, each on its own: one refused does not stop the others.
 * A customer must be in an active GDAP relationship with the home tenant (Graph read once for the
 * whole call). One already connected is reported as such and left unchanged, so a retried call
 * connects only what the first did not. Each connection is created, audited and verified as
 * POST /tenants does it.
 */
export async function connectGdapCustomers(
  deps: AppDeps,
  caller: Caller,
  body: ConnectCustomersBody,
  settings: OnboardingSettings,
): Promise<ConnectCustomerOutcome[]> {
  requireAdmin(caller);
  const relationships = await (await homeDirectory(deps)).listGdapRelationships();
  const connectOne = async (item: ConnectCustomerItem): Promise<ConnectCustomerOutcome> => {
    const tenantId = item.tenantId.toLowerCase();
    try {
      const existing = await deps.config.getTenant(tenantId);
      if (existing !== null) return { tenantId, outcome: 'alreadyConnected', tenant: existing };
      const ofCustomer = relationships.filter((r) => r.customer.tenantId === tenantId);
      if (ofCustomer.length === 0)
        throw new NotFoundError(
          `tenant ${tenantId} is not a GDAP customer of the home tenant ${deps.workflow.homeTenantId}`,
        );
      const active = ofCustomer.find((r) => r.status === 'active');
      if (active === undefined)
        throw new ConflictError(
          `tenant ${tenantId} has no active GDAP relationship (${ofCustomer.map((r) => `'${r.displayName}' is ${r.status}`).join(', ')})`,
        );
      const { tenant, verification } = await createTenant(
        deps,
        caller,
        { ...item, tenantId, displayName: item.displayName ?? active.customer.displayName },
        settings,
      );
      return { tenantId, outcome: 'connected', tenant, verification };
    } catch (error) {
      deps.log('warn', 'gdap_customer_connect_refused', { tenantId, error: messageOf(error) });
      return { tenantId, outcome: 'refused', error };
    }
  };
  return mapConcurrently(body.customers, CONNECT_CONCURRENCY, connectOne);
}

async function mapConcurrently<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
