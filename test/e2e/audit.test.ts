import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_USERS } from '../../local/sandbox/seed';
import { chainHash, type AuditRecord } from '../../src/domain/auditChain';
import { DEMO_TARGET_ID } from '../../local/seedDemo';
import { startTestStack, type TestStack } from '../support/stack';
import { newTechnician } from './workflowSupport';

/** The audit log through the API: every step of a lease, filters, paging, and the hash chain. */
let t: TestStack;

beforeAll(async () => {
  t = await startTestStack();
}, 90_000);

afterAll(async () => {
  await t?.stack.close();
});

interface Record_ {
  id: string;
  seq: number;
  action: string;
  outcome: string;
  at: string;
  requestId: string | null;
  actor: { type: string; id: string };
}

describe('GET /audit', () => {
  it('records every step of a lease with actor, time and outcome; filters and pages; admins only', async () => {
    const tech = await newTechnician(t.client, 'aud');
    const token = await t.client.token(tech.upn);
    const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID, duration: 'PT1H' },
    });
    const id = String(submit.body.id);
    await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    expect((await t.client.api('POST', `/requests/${id}/credential`, { token })).status).toBe(200);
    expect((await t.client.api('POST', `/requests/${id}/revoke`, { token, body: { reason: 'done' } })).status).toBe(
      202,
    );
    await t.client.waitForRequest(id, token, (r) => r.status === 'ended');

    const trail = await t.client.api<{ items: Record_[] }>('GET', `/audit?requestId=${id}`, { token: carol });
    expect(trail.status, trail.text).toBe(200);
    expect(trail.body.items.map((e) => e.action).reverse()).toEqual([
      'request.submitted',
      'lease.provisioned',
      'credential.revealed',
      'request.revoke_requested',
      'lease.ended',
    ]);
    expect(trail.body.items.every((e) => e.outcome === 'success' && e.at !== '' && e.actor.id !== '')).toBe(true);
    expect(trail.body.items.find((e) => e.action === 'credential.revealed')?.actor).toMatchObject({
      type: 'user',
      id: tech.id,
    });

    const byRequester = await t.client.api<{ items: Record_[] }>(
      'GET',
      `/audit?requester=${tech.id}&action=lease.ended`,
      { token: carol },
    );
    expect(byRequester.body.items.map((e) => e.requestId)).toEqual([id]);
    const byTenant = await t.client.api<{ items: Record_[]; continuationToken: string | null }>(
      'GET',
      `/audit?tenantId=${CONTOSO.id}&limit=2`,
      { token: carol },
    );
    expect(byTenant.body.items).toHaveLength(2);
    expect(byTenant.body.continuationToken).not.toBeNull();
    const next = await t.client.api<{ items: Record_[] }>(
      'GET',
      `/audit?tenantId=${CONTOSO.id}&limit=2&continuationToken=${encodeURIComponent(byTenant.body.continuationToken ?? '')}`,
      { token: carol },
    );
    expect(next.body.items[0]?.seq).toBe((byTenant.body.items[1]?.seq ?? 0) - 1);
    const future = await t.client.api<{ items: Record_[] }>(
      'GET',
      `/audit?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      { token: carol },
    );
    expect(future.body.items).toEqual([]);

    expect((await t.client.api('GET', '/audit', { token })).status).toBe(403);
    for (const query of ['from=yesterday', 'limit=0', 'tenantId=x', 'action=DROP TABLE', 'foo=bar']) {
      expect((await t.client.api('GET', `/audit?${query}`, { token: carol })).status, query).toBe(400);
    }
  });

  it('GET /audit/verify finds the chain intact, then finds a record tampered with directly in Azurite', async () => {
    const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const intact = await t.client.api('GET', '/audit/verify', { token: carol });
    expect(intact.status, intact.text).toBe(200);
    expect(intact.body).toMatchObject({ intact: true, firstBroken: null });
    expect(Number(intact.body.records)).toBeGreaterThan(3);
    expect((await t.client.api('GET', `/audit/verify?tenantId=${CONTOSO.id}`, { token: carol })).body).toMatchObject({
      intact: true,
    });

    // Someone with storage access rewrites who revealed a credential.
    const table = TableClient.fromConnectionString(t.stack.tablesConnectionString, 'jitAudit', {
      allowInsecureConnection: true,
    });
    let victim: { rowKey: string; data: string; seq: number } | undefined;
    for await (const row of table.listEntities<{ data: string; seq: number; action: string }>({
      queryOptions: { filter: "PartitionKey eq 'all' and action eq 'credential.revealed'" },
    })) {
      victim = { rowKey: row.rowKey ?? '', data: row.data, seq: row.seq };
    }
    expect(victim).toBeDefined();
    const forged = JSON.parse(victim!.data) as { actor: { id: string } };
    forged.actor.id = HOME_USERS.erin.id;
    await table.updateEntity({ partitionKey: 'all', rowKey: victim!.rowKey, data: JSON.stringify(forged) }, 'Merge');

    const broken = await t.client.api('GET', '/audit/verify', { token: carol });
    expect(broken.status).toBe(200);
    expect(broken.body).toMatchObject({ intact: false, firstBroken: { seq: victim!.seq } });
    expect(JSON.stringify(broken.body.firstBroken)).toMatch(/edited/);
    // The tenant's own chain (a separate partition) is untouched.
    expect((await t.client.api('GET', `/audit/verify?tenantId=${CONTOSO.id}`, { token: carol })).body).toMatchObject({
      intact: true,
    });
    expect(
      (await t.client.api('GET', '/audit/verify', { token: await t.client.token(HOME_USERS.bob.userPrincipalName) }))
        .status,
    ).toBe(403);
  });

  it('catches a chain rebuilt from scratch with an anchor: the head the reconciler logs on every run', async () => {
    const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
    expect((await t.client.api('POST', '/ops/reconcile', { token: carol })).status).toBe(200);
    // The line Application Insights keeps: the reconciler's invocation logs it at Information.
    const anchorLine = t.logs.map((l) => l.message).find((l) => l.includes('"event":"audit_anchor"'));
    expect(anchorLine).toBeDefined();
    const logged = JSON.parse(anchorLine ?? '{}') as { partition: string; seq: number; hash: string };
    expect(logged).toMatchObject({
      partition: 'all',
      seq: expect.any(Number) as number,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
    });

    // The tenant's chain: note its head as an anchor, as an operator would from a verification.
    const partition = `tenant_${CONTOSO.id}`;
    const before = await t.client.api('GET', `/audit/verify?tenantId=${CONTOSO.id}`, { token: carol });
    expect(before.body).toMatchObject({ intact: true, anchorMatches: null });
    const anchor = { seq: Number(before.body.headSeq), hash: String(before.body.headHash) };
    const anchored = await t.client.api(
      'GET',
      `/audit/verify?tenantId=${CONTOSO.id}&anchorSeq=${anchor.seq}&anchorHash=${anchor.hash}`,
      { token: carol },
    );
    expect(anchored.body).toMatchObject({ intact: true, anchorMatches: true });

    // Someone with storage access forges record 2 and re-hashes it and every later one, head included.
    const table = TableClient.fromConnectionString(t.stack.tablesConnectionString, 'jitAudit', {
      allowInsecureConnection: true,
    });
    const rows: { rowKey: string; record: AuditRecord }[] = [];
    for await (const row of table.listEntities<{ data: string }>({
      queryOptions: { filter: `PartitionKey eq '${partition}' and RowKey ge 'e_' and RowKey lt 'e\`'` },
    })) {
      rows.push({ rowKey: row.rowKey ?? '', record: JSON.parse(row.data) as AuditRecord });
    }
    rows.sort((a, b) => a.record.seq - b.record.seq);
    let prev = rows[0]!.record.hash;
    for (const row of rows.slice(1)) {
      const forged: AuditRecord = {
        ...row.record,
        prevHash: prev,
        ...(row.record.seq === 2 ? { actor: { type: 'user', id: HOME_USERS.erin.id } } : {}),
      };
      const hash = chainHash(prev, forged.seq, forged);
      await table.updateEntity(
        { partitionKey: partition, rowKey: row.rowKey, data: JSON.stringify({ ...forged, hash }) },
        'Merge',
      );
      prev = hash;
    }
    await table.updateEntity({ partitionKey: partition, rowKey: 'head', hash: prev }, 'Merge');

    const rebuilt = await t.client.api('GET', `/audit/verify?tenantId=${CONTOSO.id}`, { token: carol });
    expect(rebuilt.body).toMatchObject({ intact: true });
    const caught = await t.client.api(
      'GET',
      `/audit/verify?tenantId=${CONTOSO.id}&anchorSeq=${anchor.seq}&anchorHash=${anchor.hash}`,
      { token: carol },
    );
    expect(caught.body).toMatchObject({ intact: false, anchorMatches: false, firstBroken: { seq: anchor.seq } });
    expect(String((caught.body.firstBroken as { reason: string }).reason)).toMatch(/rewritten/);

    for (const query of [
      `anchorSeq=${anchor.seq}`,
      `anchorHash=${anchor.hash}`,
      'anchorSeq=0&anchorHash=' + anchor.hash,
      `anchorSeq=1&anchorHash=XYZ`,
    ]) {
      expect((await t.client.api('GET', `/audit/verify?${query}`, { token: carol })).status, query).toBe(400);
    }
  });
});
