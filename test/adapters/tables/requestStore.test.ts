import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, ConcurrencyError } from '../../../src/app/ports';
import { PayloadTooLargeError, ValidationError } from '../../../src/domain/errors';
import { transition } from '../../../src/domain/lease';
import type { LeaseRequest } from '../../../src/domain/request';
import { TableSet } from '../../../src/adapters/tables';
import { TableRequestStore } from '../../../src/adapters/tables/requestStore';
import { testEnv, uniqueName } from '../../support/env';
import { freshStores, provisioningRequest } from './fixtures';

describe('TableRequestStore', () => {
  it('creates, reads back and refuses a second create with the same id', async () => {
    const { requests } = freshStores();
    const request = provisioningRequest();
    const created = await requests.create(request);
    expect(created.value).toEqual(request);
    expect(created.etag).toMatch(/^W\/"/);

    const read = await requests.get(request.id);
    expect(read).toEqual(created);
    await expect(requests.create(request)).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await requests.get(randomUUID())).toBeNull();
  });

  it('replaces under the current ETag and refuses a stale one', async () => {
    const { requests } = freshStores();
    const request = provisioningRequest();
    const created = await requests.create(request);
    const active = transition(
      request,
      {
        type: 'provisioned',
        account: { userPrincipalName: 'jit-alice@contoso.example', objectId: randomUUID() },
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
      new Date(),
    );

    const replaced = await requests.replace(active, created.etag);
    expect(replaced.etag).not.toBe(created.etag);
    expect((await requests.get(request.id))?.value.status).toBe('active');

    await expect(requests.replace(active, created.etag)).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(requests.replace(provisioningRequest(), created.etag)).rejects.toBeInstanceOf(ConcurrencyError);
    // The listing row moved with it: the request is listed once, with its new status.
    const listed = await requests.list({ tenantId: request.tenantId }, { limit: 10 });
    expect(listed.items.map((r) => [r.id, r.status])).toEqual([[request.id, 'active']]);
  });

  it('remembers the last version it wrote (lastWrittenHere), never one another process wrote or a refused write', async () => {
    const prefix = uniqueName('t');
    const connectionString = testEnv('JIT_TEST_TABLES_CONNECTION_STRING');
    const here = new TableRequestStore(new TableSet({ connectionString }, prefix));
    const elsewhere = new TableRequestStore(new TableSet({ connectionString }, prefix));
    const request = provisioningRequest();
    const created = await here.create(request);
    expect(here.lastWrittenHere(request.id)).toEqual(created);
    expect(elsewhere.lastWrittenHere(request.id)).toBeNull();

    const active = transition(
      request,
      {
        type: 'provisioned',
        account: { userPrincipalName: 'jit-alice@contoso.example', objectId: randomUUID() },
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
      new Date(),
    );
    await elsewhere.replace(active, created.etag);
    // Written elsewhere: this process still holds its own (older) version, which is why readers check its status.
    expect(here.lastWrittenHere(request.id)?.value.status).toBe('provisioning');
    expect(elsewhere.lastWrittenHere(request.id)?.value.status).toBe('active');
    await expect(here.replace({ ...request, justification: 'stale' }, created.etag)).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect(here.lastWrittenHere(request.id)?.value.justification).toBe(request.justification);
  });

  it('lists newest first, filtered by requester, tenant and status, in pages', async () => {
    const { requests } = freshStores();
    const tenantId = randomUUID();
    const alice = randomUUID();
    const bob = randomUUID();
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    const made: LeaseRequest[] = [];
    for (let i = 0; i < 7; i++) {
      const r = provisioningRequest({
        tenantId,
        requesterObjectId: i % 2 === 0 ? alice : bob,
        createdAt: new Date(base + i * 60_000).toISOString(),
      });
      made.push(r);
      await requests.create(r);
    }
    await requests.create(provisioningRequest({ requesterObjectId: alice })); // another tenant
    const aliceInTenant = made
      .filter((r) => r.requester.objectId === alice)
      .reverse()
      .map((r) => r.id);

    const first = await requests.list({ tenantId, requesterObjectId: alice }, { limit: 3 });
    expect(first.items.map((r) => r.id)).toEqual(aliceInTenant.slice(0, 3));
    expect(first.continuationToken).not.toBeNull();
    const second = await requests.list(
      { tenantId, requesterObjectId: alice },
      { limit: 3, continuationToken: first.continuationToken },
    );
    expect(second.items.map((r) => r.id)).toEqual(aliceInTenant.slice(3));
    expect(second.continuationToken).toBeNull();

    expect((await requests.list({ requesterObjectId: alice }, { limit: 100 })).items).toHaveLength(5);
    expect(
      (await requests.list({ tenantId, statuses: ['active', 'provisioning'] }, { limit: 100 })).items,
    ).toHaveLength(7);
    expect((await requests.list({ tenantId, statuses: ['active'] }, { limit: 100 })).items).toHaveLength(0);
  });

  it('escapes filter values instead of splicing them into the query', async () => {
    const { requests } = freshStores();
    await requests.create(provisioningRequest());
    const page = await requests.list({ tenantId: "x' or PartitionKey ne 'y" }, { limit: 10 });
    expect(page.items).toEqual([]);
  });

  it('refuses a foreign continuation token and a bad limit', async () => {
    const { requests } = freshStores();
    await expect(requests.list({}, { limit: 10, continuationToken: 'not-a-token' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    const foreign = Buffer.from(JSON.stringify({ k: 'audit', c: 'x' })).toString('base64url');
    await expect(requests.list({}, { limit: 10, continuationToken: foreign })).rejects.toBeInstanceOf(ValidationError);
    await expect(requests.list({}, { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses a request too large for one Table Storage property, saying so', async () => {
    const { requests } = freshStores();
    const huge = { ...provisioningRequest(), justification: 'x'.repeat(40_000) };
    await expect(requests.create(huge)).rejects.toThrow(PayloadTooLargeError);
    await expect(requests.create(huge)).rejects.toThrow(/64 KiB/);
  });
});
