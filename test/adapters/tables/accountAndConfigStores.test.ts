import { randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, ConcurrencyError } from '../../../src/app/ports';
import type { Rule, TargetOfKind, Tenant } from '../../../src/domain/config';
import type { JitAccount } from '../../../src/domain/jitAccount';
import { createTableStores } from '../../../src/adapters/tables';
import { InvalidRowError } from '../../../src/adapters/tables/tableErrors';
import { testEnv, uniqueName } from '../../support/env';
import { freshStores } from './fixtures';

const now = new Date().toISOString();

function tenant(tenantId = randomUUID()): Tenant {
  return {
    tenantId,
    displayName: 'Contoso',
    jitDomain: 'contoso.example',
    connection: { mode: 'clientSecret', clientId: randomUUID(), secretName: `tenant-${tenantId}` },
    protectedAccounts: ['breakglass@contoso.example'],
    createdAt: now,
    updatedAt: now,
  };
}

function target(tenantId: string, targetId: string): TargetOfKind<'adminAccount'> {
  return {
    tenantId,
    targetId,
    name: 'Helpdesk admin',
    kind: 'adminAccount',
    roles: [{ templateId: '729827e3-9c14-49f7-bb1b-9608f156bbb8' }],
    groups: [],
    defaultDuration: 'PT4H',
    minDuration: 'PT15M',
    maxDuration: 'PT8H',
    approval: { mode: 'none' },
    requireJustification: false,
    requireTicket: false,
    credentialType: 'password',
    createdAt: now,
    updatedAt: now,
  };
}

function rule(ruleId: string, tenantId: string): Rule {
  return {
    ruleId,
    principal: { type: 'group', id: randomUUID() },
    scope: { tenants: [tenantId] },
    createdAt: now,
    updatedAt: now,
  };
}

describe('TableAccountStore', () => {
  it('upserts, reads by requester and by UPN (case-insensitively), lists and deletes', async () => {
    const { accounts } = freshStores();
    const tenantId = randomUUID();
    const account: JitAccount = {
      tenantId,
      requesterObjectId: randomUUID(),
      userPrincipalName: 'jit-alice@contoso.example',
      objectId: null,
      createdAt: now,
      lastUsedAt: now,
    };
    await accounts.upsert(account);
    const withId = { ...account, objectId: randomUUID() };
    await accounts.upsert(withId);
    await accounts.upsert({ ...account, tenantId: randomUUID(), requesterObjectId: randomUUID() });

    expect(await accounts.get(tenantId, account.requesterObjectId)).toEqual(withId);
    expect(await accounts.getByPrincipalName(tenantId, 'JIT-Alice@Contoso.example')).toEqual(withId);
    expect(await accounts.getByPrincipalName(tenantId, "jit-alice@contoso.example' or upnLower ne '")).toBeNull();
    expect(await accounts.list(tenantId)).toEqual([withId]);
    expect(await accounts.list()).toHaveLength(2);

    await accounts.delete(tenantId, account.requesterObjectId);
    await accounts.delete(tenantId, account.requesterObjectId);
    expect(await accounts.get(tenantId, account.requesterObjectId)).toBeNull();
  });

  it("answers a technician's row and the holders of names in one read", async () => {
    const { accounts } = freshStores();
    const tenantId = randomUUID();
    const row = (requesterObjectId: string, userPrincipalName: string): JitAccount => ({
      tenantId,
      requesterObjectId,
      userPrincipalName,
      objectId: randomUUID(),
      creationMarker: randomUUID().replace(/-/g, '').slice(0, 16),
      createdAt: now,
      lastUsedAt: now,
    });
    const alice = row(randomUUID(), 'jit-alice@contoso.example');
    const bob = row(randomUUID(), 'JIT-Bob@Contoso.example');
    await accounts.upsert(alice);
    await accounts.upsert(bob);
    await accounts.upsert({ ...row(randomUUID(), 'jit-carol@contoso.example'), tenantId: randomUUID() });

    const newcomer = randomUUID();
    const names = ['jit-bob@contoso.example', 'jit-carol@contoso.example', "x' or upnLower ne '"];
    const seen = await accounts.getWithNameHolders(tenantId, newcomer, names);
    expect(seen.own).toBeNull();
    expect([...seen.holders]).toEqual([['jit-bob@contoso.example', bob]]);

    const own = await accounts.getWithNameHolders(tenantId, alice.requesterObjectId, ['jit-alice@contoso.example']);
    expect(own.own).toEqual(alice);
    expect([...own.holders]).toEqual([['jit-alice@contoso.example', alice]]);
    const ownOnly = await accounts.getWithNameHolders(tenantId, bob.requesterObjectId, []);
    expect(ownOnly).toEqual({ own: bob, holders: new Map() });
  });
});

describe('TableConfigStore', () => {
  it('keeps tenants with insert-if-absent and ETag-conditional replace', async () => {
    const { config } = freshStores();
    const t = tenant();
    const created = await config.createTenant(t);
    await expect(config.createTenant(t)).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await config.getTenant(t.tenantId)).toEqual(created);

    const renamed = await config.replaceTenant({ ...t, displayName: 'Contoso Ltd' }, created.etag);
    await expect(config.replaceTenant({ ...t, displayName: 'Stale' }, created.etag)).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect((await config.getTenant(t.tenantId))?.value.displayName).toBe('Contoso Ltd');

    await config.createTenant(tenant());
    expect((await config.listTenants()).map((x) => x.tenantId)).toContain(t.tenantId);
    expect(await config.listTenants()).toHaveLength(2);

    await config.deleteTenant(t.tenantId);
    await config.deleteTenant(t.tenantId);
    expect(await config.getTenant(t.tenantId)).toBeNull();
    await expect(config.replaceTenant(t, renamed.etag)).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('keeps targets per tenant and rules', async () => {
    const { config } = freshStores();
    const a = randomUUID();
    const b = randomUUID();
    const created = await config.createTarget(target(a, 'helpdesk-admin'));
    await config.createTarget(target(a, 'exchange-admin'));
    await config.createTarget(target(b, 'helpdesk-admin'));
    await expect(config.createTarget(target(a, 'helpdesk-admin'))).rejects.toBeInstanceOf(AlreadyExistsError);

    expect((await config.listTargets(a)).map((t) => t.targetId).sort()).toEqual(['exchange-admin', 'helpdesk-admin']);
    expect(await config.listTargets()).toHaveLength(3);
    await config.replaceTarget({ ...target(a, 'helpdesk-admin'), maxDuration: 'PT2H' }, created.etag);
    expect((await config.getTarget(a, 'helpdesk-admin'))?.value.maxDuration).toBe('PT2H');
    await expect(config.replaceTarget(target(a, 'helpdesk-admin'), created.etag)).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    await config.deleteTarget(a, 'helpdesk-admin');
    expect(await config.getTarget(a, 'helpdesk-admin')).toBeNull();
    expect(await config.getTarget(b, 'helpdesk-admin')).not.toBeNull();

    const r = await config.createRule(rule('techs-contoso', a));
    await expect(config.createRule(rule('techs-contoso', a))).rejects.toBeInstanceOf(AlreadyExistsError);
    await config.replaceRule({ ...rule('techs-contoso', a), maxDuration: 'PT1H' }, r.etag);
    expect((await config.listRules()).map((x) => [x.ruleId, x.maxDuration])).toEqual([['techs-contoso', 'PT1H']]);
    await config.deleteRule('techs-contoso');
    expect(await config.getRule('techs-contoso')).toBeNull();
  });

  it('reads an elevation target stored before kinds had their own fields as an elevation target alone', async () => {
    const connectionString = testEnv('JIT_TEST_TABLES_CONNECTION_STRING');
    const prefix = uniqueName('t');
    const { config } = createTableStores({ connectionString }, prefix);
    const tenantId = randomUUID();
    const { credentialType: _credentialType, ...common } = target(tenantId, 'elevate');
    const created = await config.createTarget({ ...common, kind: 'elevation' });
    // What the flat Target wrote: credentialType (its default) on every target, and the
    // adminAccount-only fields the API then let through on elevation targets too.
    const legacy = {
      ...created.value,
      credentialType: 'password',
      temporaryAccessPassUsableOnce: true,
      cleanupAfterDaysUnused: 30,
    };
    const table = TableClient.fromConnectionString(connectionString, `${prefix}Targets`, {
      allowInsecureConnection: true,
    });
    await table.upsertEntity({ partitionKey: tenantId, rowKey: 'elevate', data: JSON.stringify(legacy) }, 'Replace');

    const read = await config.getTarget(tenantId, 'elevate');
    expect(read?.value).toEqual(created.value);
    expect(read?.value).not.toHaveProperty('credentialType');
    expect(await config.listTargets(tenantId)).toEqual([created.value]);

    // Only the other kinds' fields are forgiven: anything else wrong in a row still fails the read.
    await table.upsertEntity(
      { partitionKey: tenantId, rowKey: 'elevate', data: JSON.stringify({ ...legacy, colour: 'red' }) },
      'Replace',
    );
    await expect(config.getTarget(tenantId, 'elevate')).rejects.toBeInstanceOf(InvalidRowError);
  });
});
