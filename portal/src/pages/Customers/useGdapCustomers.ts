import { useCallback } from 'react';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { useApiQuery, type ApiQuery } from '../../hooks/useApiQuery';
import { useSession } from '../../hooks/useApi';

export type GdapCustomer = components['schemas']['GdapCustomerList']['items'][number];
export type ConnectCustomerItem = components['schemas']['ConnectCustomersBody']['customers'][number];
export type ConnectCustomerResult = components['schemas']['ConnectCustomersResult']['items'][number];

/** The MSP's GDAP customers (GET /customers), by name as the API sorts them. */
export function useGdapCustomers(): ApiQuery<GdapCustomer[]> {
  const { api } = useSession();
  const read = useCallback(async () => unwrap(await api.GET('/customers')).items, [api]);
  return useApiQuery(read);
}

/** A customer may be selected for connecting when it is not connected yet and a relationship is active. */
export function selectable(customer: GdapCustomer): boolean {
  return !customer.connected && customer.status === 'active';
}

/** Graph's delegatedAdminRelationshipStatus values in words; an unknown one as Graph spells it. */
const RELATIONSHIP_STATUS_WORDS: Readonly<Record<string, string>> = {
  active: 'Active',
  approvalPending: 'Waiting for the customer to approve',
  activating: 'Activating',
  created: 'Created, not yet sent to the customer',
  expired: 'Expired',
  expiring: 'Expiring',
  terminated: 'Terminated',
  terminating: 'Terminating',
  terminationRequested: 'Termination requested',
};

export function relationshipStatusWords(status: string): string {
  return RELATIONSHIP_STATUS_WORDS[status] ?? status;
}

/** One connect result line in words: connected, already connected, or why not. */
export function resultWords(result: ConnectCustomerResult): string {
  if (result.outcome === 'connected') return 'Connected';
  if (result.outcome === 'alreadyConnected') return 'Already connected';
  return `Not connected: ${result.detail ?? `refused (${result.status})`}`;
}
