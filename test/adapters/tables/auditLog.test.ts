import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TableClient } from '@azure/data-tables';
import { InvalidRowError } from '../../../src/adapters/tables';
import { TableSet } from '../../../src/adapters/tables';
import { TableAuditLog } from '../../../src/adapters/tables/auditLog';
import { testEnv, uniqueName } from '../../support/env';
import { auditEvent, freshStores } from './fixtures';

describe('TableAuditLog', () => {
  it('lists newest first, per tenant or across tenants, filtered and paged', async () => {
    const { audit } = freshStores();
    const contoso = randomUUID();
    const fabrikam = randomUUID();
    const requestId = randomUUID();
    const base = Date.parse('2026-03-01T12:00:00.000Z');
    const at = (minutes: number): string => new Date(base + minutes * 60_000).toISOString();
    // Appended out of order on purpose.
    const events = [
      auditEvent({ at: at(2), tenantId: contoso, requestId, action: 'lease.activated' }),
      auditEvent({ at: at(0), tenantId: contoso, requestId, action: 'request.submitted' }),
      auditEvent({ at: at(5), tenantId: fabrikam, action: 'request.submitted' }),
      auditEvent({ at: at(9), tenantId: contoso, requestId, action: 'lease.revoked', details: { cause: 'expired' } }),
      auditEvent({ at: at(7), action: 'tenant.created' }),
    ];
    for (const e of events) await audit.append(e);
    await audit.append(events[0]!); // a retried append does not duplicate

    const all = await audit.list({}, { limit: 50 });
    expect(all.items.map((e) => e.at)).toEqual([at(9), at(7), at(5), at(2), at(0)]);

    const mine = await audit.list({ tenantId: contoso }, { limit: 2 });
    expect(mine.items.map((e) => e.action)).toEqual(['lease.revoked', 'lease.activated']);
    const rest = await audit.list({ tenantId: contoso }, { limit: 2, continuationToken: mine.continuationToken });
    expect(rest.items.map((e) => e.action)).toEqual(['request.submitted']);
    expect(rest.continuationToken).toBeNull();
    expect(rest.items[0]).toEqual(events[1]);

    expect((await audit.list({ action: 'request.submitted' }, { limit: 50 })).items).toHaveLength(2);
    expect((await audit.list({ requestId, action: 'lease.revoked' }, { limit: 50 })).items.map((e) => e.details)).toEqual([{ cause: 'expired' }]);
    expect((await audit.list({ actorId: events[2]!.actor.id }, { limit: 50 })).items).toEqual([events[2]]);
  });

  it('filters by time window, both ends inclusive', async () => {
    const { audit } = freshStores();
    const base = Date.parse('2026-03-01T12:00:00.000Z');
    const at = (minutes: number): string => new Date(base + minutes * 60_000).toISOString();
    for (let m = 0; m < 6; m++) await audit.append(auditEvent({ at: at(m) }));
    const window = await audit.list({ from: at(1), to: at(3) }, { limit: 50 });
    expect(window.items.map((e) => e.at)).toEqual([at(3), at(2), at(1)]);
  });

  it('reports a row that no longer matches the schema by table and key', async () => {
    const prefix = uniqueName('t');
    const connectionString = testEnv('JIT_TEST_TABLES_CONNECTION_STRING');
    const audit = new TableAuditLog(new TableSet({ connectionString }, prefix));
    await audit.append(auditEvent({ at: new Date().toISOString() }));
    const raw = TableClient.fromConnectionString(connectionString, `${prefix}Audit`, { allowInsecureConnection: true });
    await raw.upsertEntity({ partitionKey: 'all', rowKey: '0000000000000_broken', data: '{"id":1}' });
    const failure = audit.list({}, { limit: 10 });
    await expect(failure).rejects.toBeInstanceOf(InvalidRowError);
    await expect(audit.list({}, { limit: 10 })).rejects.toThrow(/\(all, 0000000000000_broken\) of table t[0-9a-f]+Audit/);
  });
});
