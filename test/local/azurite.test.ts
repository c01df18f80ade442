import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { claimStackAccount } from '../support/stackAccounts';

/**
 * The run's one Azurite serves a storage account per test stack (test/globalSetup.ts,
 * `extraAccounts`): what makes sharing it safe is that two stacks using the same table names never
 * see each other's rows.
 */
describe('Azurite with extra accounts', () => {
  it('gives each account its own tables under the same names, and never the same account twice', async () => {
    const first = await claimStackAccount();
    const second = await claimStackAccount();
    expect(first).not.toBe(second);
    const tableOf = (connectionString: string): TableClient =>
      TableClient.fromConnectionString(connectionString, 'jitRequests', { allowInsecureConnection: true });
    for (const [connection, owner] of [
      [first, 'first'],
      [second, 'second'],
    ] as const) {
      const table = tableOf(connection);
      await table.createTable();
      await table.createEntity({ partitionKey: 'p', rowKey: 'r', owner });
    }
    expect((await tableOf(first).getEntity<{ owner: string }>('p', 'r')).owner).toBe('first');
    expect((await tableOf(second).getEntity<{ owner: string }>('p', 'r')).owner).toBe('second');
  });

  it('refuses an account it does not serve: a stack with a wrong account fails instead of sharing tables', async () => {
    const unknown = (await claimStackAccount()).replaceAll(/jitstack\d+/g, 'nosuchaccount');
    const table = TableClient.fromConnectionString(unknown, 'jitRequests', { allowInsecureConnection: true });
    const refused = await table.createTable().catch((e: unknown) => e);
    // Azurite answers 404 (in Azure the account's host name does not resolve): no table appears.
    expect(refused).toMatchObject({ name: 'RestError', statusCode: 404 });
  });
});
