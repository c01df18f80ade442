import { Button, Checkbox, TableCell, TableRow, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { unwrap } from '../../api/problem';
import { DataTable } from '../../components/DataTable';
import { ErrorText } from '../../components/ErrorText';
import { QueryList } from '../../components/QueryList';
import { TextField } from '../../components/TextField';
import { useSharedStyles } from '../../components/styles';
import { fieldMessage, useAction } from '../../hooks/useAction';
import { useSession } from '../../hooks/useApi';
import { toggled } from '../../setToggle';
import { ConnectionFields, useConnectionDraft } from '../Tenants/ConnectionFields';
import {
  relationshipStatusWords,
  resultWords,
  selectable,
  useGdapCustomers,
  type ConnectCustomerItem,
  type ConnectCustomerResult,
  type GdapCustomer,
} from './useGdapCustomers';

/** POST /customers/connect takes at most this many customers per call (MAX_CUSTOMERS_PER_CONNECT). */
const CUSTOMERS_PER_CALL = 50;

/** A refused call: its problem, and the customers it carried in order, to show the problem's field errors on their rows. */
interface FailedBatch {
  readonly error: unknown;
  readonly tenantIds: readonly string[];
}

/**
 * "Customers" (admin): the MSP's customers from its GDAP relationships. The ones not connected yet
 * with an active relationship can be selected, each given its JIT domain (GDAP does not tell a
 * customer's domains, so nothing is prefilled), and connected in calls of 50 with one connection
 * mode for all, each call with its own Idempotency-Key so a retried call is answered once.
 */
export function CustomersPage() {
  const shared = useSharedStyles();
  const { api } = useSession();
  const customers = useGdapCustomers();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [jitDomains, setJitDomains] = useState<Readonly<Record<string, string>>>({});
  const [results, setResults] = useState<ReadonlyMap<string, ConnectCustomerResult>>(new Map());
  const [progress, setProgress] = useState<string>();
  const [failed, setFailed] = useState<FailedBatch>();
  const connection = useConnectionDraft({ mode: 'federated', clientId: '' });

  const connect = useAction(async () => {
    const chosen = (customers.data ?? []).filter((c) => selected.has(c.tenantId) && selectable(c));
    const items: ConnectCustomerItem[] = chosen.map((c) => ({
      tenantId: c.tenantId,
      jitDomain: (jitDomains[c.tenantId] ?? '').trim(),
      connection: connection.body,
    }));
    setFailed(undefined);
    const answered = new Map<string, ConnectCustomerResult>();
    for (let start = 0; start < items.length; start += CUSTOMERS_PER_CALL) {
      const batch = items.slice(start, start + CUSTOMERS_PER_CALL);
      setProgress(`Connecting ${start + 1}–${start + batch.length} of ${items.length} customers`);
      try {
        const answer = unwrap(
          await api.POST('/customers/connect', {
            body: { customers: batch },
            params: { header: { 'Idempotency-Key': crypto.randomUUID() } },
          }),
        );
        for (const line of answer.items) answered.set(line.tenantId, line);
        setResults(new Map(answered));
      } catch (error) {
        setFailed({ error, tenantIds: batch.map((item) => item.tenantId) });
        setProgress(`Stopped after ${answered.size} of ${items.length} customers`);
        throw error;
      }
    }
    const connected = [...answered.values()].filter((r) => r.outcome !== 'refused').length;
    setProgress(`Connected ${connected} of ${items.length} customers`);
    setSelected(new Set([...selected].filter((id) => answered.get(id)?.outcome === 'refused')));
    await customers.refresh();
  });

  /** The refused call's message about this customer's field (`customers.<i>.<field>`). */
  const rowFieldError = (tenantId: string, field: string): string | undefined => {
    const index = failed?.tenantIds.indexOf(tenantId) ?? -1;
    return index < 0 ? undefined : fieldMessage(failed?.error, `customers.${index}.${field}`);
  };
  const connectionError = (field: string): string | undefined => fieldMessage(failed?.error, field);

  const row = (c: GdapCustomer) => {
    const result = results.get(c.tenantId);
    const chosen = selected.has(c.tenantId);
    return (
      <TableRow key={c.tenantId}>
        <TableCell>
          {selectable(c) ? (
            <Checkbox
              aria-label={`Select ${c.displayName}`}
              checked={chosen}
              onChange={(_, d) => setSelected(toggled(selected, c.tenantId, d.checked === true))}
            />
          ) : null}
        </TableCell>
        <TableCell>
          <Text weight="semibold">{c.displayName}</Text>
          <br />
          <Text size={200} className={shared.breakAnywhere}>
            {c.tenantId}
          </Text>
        </TableCell>
        <TableCell>
          {c.relationships.map((r) => (
            <div key={r.id}>
              {r.displayName}: {relationshipStatusWords(r.status)}
              {r.roles.length > 0 ? `; ${r.roles.map((role) => role.name).join(', ')}` : '; no role'}
            </div>
          ))}
        </TableCell>
        <TableCell>{c.connected ? `Connected (${c.jitDomain ?? 'no JIT domain'})` : 'Not connected'}</TableCell>
        <TableCell>
          {chosen ? (
            <TextField
              label={`JIT domain of ${c.displayName}`}
              required
              hint="A verified domain of the customer's tenant"
              validationMessage={rowFieldError(c.tenantId, 'jitDomain')}
              value={jitDomains[c.tenantId] ?? ''}
              onChange={(value) => setJitDomains({ ...jitDomains, [c.tenantId]: value })}
            />
          ) : null}
          {result ? <Text>{resultWords(result)}</Text> : null}
        </TableCell>
      </TableRow>
    );
  };

  return (
    <>
      <h1>Customers</h1>
      <Text as="p">
        Your customers from GDAP. Select the ones to connect (not connected yet, with an active relationship), give each
        its JIT domain, and connect them.
      </Text>
      <ErrorText error={customers.error} />
      <QueryList query={customers} loadingLabel="Loading the GDAP customers" empty="No GDAP customer.">
        {(list) => (
          <DataTable label="Customers" columns={['Select', 'Customer', 'GDAP relationships', 'Connected', 'Connect']}>
            {list.map(row)}
          </DataTable>
        )}
      </QueryList>
      {selected.size > 0 ? (
        <div className={shared.stack}>
          <ConnectionFields
            draft={connection}
            secretLabel="Client secret (the same app for every selected customer)"
            fieldError={connectionError}
          />
          <div className={shared.buttons}>
            <Button appearance="primary" disabled={connect.busy} onClick={() => void connect.run()}>
              Connect selected ({selected.size})
            </Button>
          </div>
        </div>
      ) : null}
      {progress ? <Text role="status">{progress}</Text> : null}
      <ErrorText error={connect.error} />
    </>
  );
}
