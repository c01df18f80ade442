import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TableClient } from '@azure/data-tables';
import { InvalidRowError } from '../../../src/adapters/tables';
import { TableSet } from '../../../src/adapters/tables';
import { TableAuditLog } from '../../../src/adapters/tables/auditLog';
import { GENESIS_HASH } from '../../../src/domain/auditChain';
import { testEnv, uniqueName } from '../../support/env';
import { auditEvent, freshStores } from './fixtures';
import { TableRoundTrips } from '../../support/tableRoundTrips';

describe('TableAuditLog', () => {
  it('lists newest first, per tenant or across tenants, filtered and paged, each record chained to the one before', async () => {
    const { audit } = freshStores();
    const contoso = randomUUID();
    const fabrikam = randomUUID();
    const requestId = randomUUID();
    const base = Date.parse('2026-03-01T12:00:00.000Z');
    const at = (minutes: number): string => new Date(base + minutes * 60_000).toISOString();
    const events = [
      auditEvent({ at: at(0), tenantId: contoso, requestId, action: 'request.submitted' }),
      auditEvent({ at: at(2), tenantId: contoso, requestId, action: 'lease.activated' }),
      auditEvent({ at: at(5), tenantId: fabrikam, action: 'request.submitted' }),
      auditEvent({ at: at(7), action: 'tenant.created' }),
      auditEvent({ at: at(9), tenantId: contoso, requestId, action: 'lease.revoked', details: { cause: 'expired' } }),
    ];
    for (const e of events) await audit.append(e);
    await audit.append(events[0]!); // a retried append does not duplicate

    const all = await audit.list({}, { limit: 50 });
    expect(all.items.map((e) => e.at)).toEqual([at(9), at(7), at(5), at(2), at(0)]);
    expect(all.items.map((e) => e.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(all.items[4]?.prevHash).toBe(GENESIS_HASH);
    for (let i = 0; i < 4; i++) expect(all.items[i]?.prevHash).toBe(all.items[i + 1]?.hash);

    const mine = await audit.list({ tenantId: contoso }, { limit: 2 });
    expect(mine.items.map((e) => e.action)).toEqual(['lease.revoked', 'lease.activated']);
    expect(mine.items.map((e) => e.seq)).toEqual([3, 2]);
    const rest = await audit.list({ tenantId: contoso }, { limit: 2, continuationToken: mine.continuationToken });
    expect(rest.items.map((e) => e.action)).toEqual(['request.submitted']);
    expect(rest.continuationToken).toBeNull();
    expect(rest.items[0]).toMatchObject(events[0]!);

    expect((await audit.list({ action: 'request.submitted' }, { limit: 50 })).items).toHaveLength(2);
    expect(
      (await audit.list({ requestId, action: 'lease.revoked' }, { limit: 50 })).items.map((e) => e.details),
    ).toEqual([{ cause: 'expired' }]);
    expect((await audit.list({ actorId: events[2]!.actor.id }, { limit: 50 })).items.map((e) => e.id)).toEqual([
      events[2]!.id,
    ]);
    expect(await audit.verify({})).toMatchObject({ intact: true, records: 5, headSeq: 5, firstBroken: null });
    expect(await audit.verify({ tenantId: contoso })).toMatchObject({ intact: true, records: 3 });
  });

  it('filters by time window, both ends inclusive', async () => {
    const { audit } = freshStores();
    const base = Date.parse('2026-03-01T12:00:00.000Z');
    const at = (minutes: number): string => new Date(base + minutes * 60_000).toISOString();
    for (let m = 0; m < 6; m++) await audit.append(auditEvent({ at: at(m) }));
    const window = await audit.list({ from: at(1), to: at(3) }, { limit: 50 });
    expect(window.items.map((e) => e.at)).toEqual([at(3), at(2), at(1)]);
  });

  it('concurrent appends never fork the chain: 40 at once give 40 consecutive links', async () => {
    const { audit } = freshStores();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => audit.append(auditEvent({ at: new Date(Date.now() + i).toISOString() }))),
    );
    const verification = await audit.verify({});
    expect(verification).toMatchObject({ intact: true, records: 40, headSeq: 40 });
  });

  it('a burst goes out in groups: an event already appended, or queued twice, is still stored once', async () => {
    const { audit } = freshStores();
    const first = auditEvent({ at: new Date().toISOString() });
    await audit.append(first);
    const burst = Array.from({ length: 70 }, (_, i) => auditEvent({ at: new Date(Date.now() + i).toISOString() }));
    // The retried event lands in the same group as new ones: that transaction conflicts on its
    // marker, and the group falls back to one by one.
    await Promise.all([audit.append(first), ...burst.map((e) => audit.append(e)), audit.append(burst[5]!)]);
    expect(await audit.verify({})).toMatchObject({ intact: true, records: 71, headSeq: 71 });
    const stored = await audit.list({}, { limit: 100 });
    expect(new Set(stored.items.map((e) => e.id)).size).toBe(71);
  });

  it('two processes appending at once still leave one unbroken chain', async () => {
    const prefix = uniqueName('t');
    const connectionString = testEnv('JIT_TEST_TABLES_CONNECTION_STRING');
    const one = new TableAuditLog(new TableSet({ connectionString }, prefix));
    const other = new TableAuditLog(new TableSet({ connectionString }, prefix));
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 === 0 ? one : other).append(auditEvent({ at: new Date(Date.now() + i).toISOString() })),
      ),
    );
    expect(await one.verify({})).toMatchObject({ intact: true, records: 30, headSeq: 30 });
  });

  it('keeps the head it wrote: after the first append, appends in one process read no head', async () => {
    const prefix = uniqueName('t');
    const connectionString = testEnv('JIT_TEST_TABLES_CONNECTION_STRING');
    const audit = new TableAuditLog(new TableSet({ connectionString }, prefix));
    await audit.append(auditEvent({ at: new Date().toISOString() }));
    const trips = new TableRoundTrips(prefix);
    try {
      for (let i = 0; i < 4; i++) await audit.append(auditEvent({ at: new Date(Date.now() + i).toISOString() }));
    } finally {
      trips.close();
    }
    // One transaction per append, and nothing else: the head each one left is chained onto.
    expect(trips.requests).toEqual(Array.from({ length: 4 }, () => 'POST $batch'));
    expect(await audit.verify({})).toMatchObject({ intact: true, records: 5, headSeq: 5 });
  });

  it('a head kept in memory that another process moved on is refused by its ETag, read again, and chained onto', async () => {
    const prefix = uniqueName('t');
    const connectionString = testEnv('JIT_TEST_TABLES_CONNECTION_STRING');
    const one = new TableAuditLog(new TableSet({ connectionString }, prefix));
    const other = new TableAuditLog(new TableSet({ connectionString }, prefix));
    await one.append(auditEvent({ at: new Date().toISOString() }));
    await one.append(auditEvent({ at: new Date().toISOString() }));
    await other.append(auditEvent({ at: new Date().toISOString() }));
    await one.append(auditEvent({ at: new Date().toISOString() }));
    expect(await one.verify({})).toMatchObject({ intact: true, records: 4, headSeq: 4, firstBroken: null });
  });

  it('detects an edited record, a deleted record, and reports the first broken link', async () => {
    const prefix = uniqueName('t');
    const connectionString = testEnv('JIT_TEST_TABLES_CONNECTION_STRING');
    const audit = new TableAuditLog(new TableSet({ connectionString }, prefix));
    for (let i = 0; i < 6; i++)
      await audit.append(auditEvent({ at: new Date(Date.now() + i).toISOString(), action: 'lease.provisioned' }));
    const raw = TableClient.fromConnectionString(connectionString, `${prefix}Audit`, { allowInsecureConnection: true });
    const rows: { rowKey: string; data: string; seq: number }[] = [];
    for await (const row of raw.listEntities<{ data: string; seq: number }>({
      queryOptions: { filter: "PartitionKey eq 'all' and RowKey ge 'e_' and RowKey lt 'e`'" },
    }))
      rows.push({ rowKey: row.rowKey ?? '', data: row.data, seq: row.seq });
    const third = rows.find((r) => r.seq === 3)!;
    const fifth = rows.find((r) => r.seq === 5)!;
    await raw.updateEntity(
      { partitionKey: 'all', rowKey: fifth.rowKey, data: fifth.data.replace('lease.provisioned', 'lease.ended') },
      'Merge',
    );
    const edited = await audit.verify({});
    expect(edited).toMatchObject({ intact: false, firstBroken: { seq: 5 } });
    expect(edited.firstBroken?.reason).toMatch(/edited/);
    await raw.deleteEntity('all', third.rowKey);
    const deleted = await audit.verify({});
    expect(deleted).toMatchObject({ intact: false, firstBroken: { seq: 3 } });
    expect(deleted.firstBroken?.reason).toMatch(/missing/);
  });

  it('reports a row that no longer matches the schema by table and key', async () => {
    const prefix = uniqueName('t');
    const connectionString = testEnv('JIT_TEST_TABLES_CONNECTION_STRING');
    const audit = new TableAuditLog(new TableSet({ connectionString }, prefix));
    await audit.append(auditEvent({ at: new Date().toISOString() }));
    const raw = TableClient.fromConnectionString(connectionString, `${prefix}Audit`, { allowInsecureConnection: true });
    await raw.upsertEntity({ partitionKey: 'all', rowKey: 'e_0000000000000', data: '{"id":1}' });
    await expect(audit.list({}, { limit: 10 })).rejects.toBeInstanceOf(InvalidRowError);
    await expect(audit.list({}, { limit: 10 })).rejects.toThrow(/\(all, e_0000000000000\) of table t[0-9a-f]+Audit/);
  });
});
