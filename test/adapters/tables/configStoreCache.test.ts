import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CONFIG_CACHE_VERSION_CHECK_INTERVAL_MS } from '../../../src/app/config/configCache';
import { createTableStores } from '../../../src/adapters/tables';
import type { Rule, TargetOfKind } from '../../../src/domain/config';
import { testEnv, uniqueName } from '../../support/env';

const now = new Date().toISOString();

function rule(ruleId: string, tenantId: string): Rule {
  return {
    ruleId,
    principal: { type: 'group', id: randomUUID() },
    scope: { tenants: [tenantId] },
    createdAt: now,
    updatedAt: now,
  };
}

function target(tenantId: string, targetId: string, maxDuration = 'PT8H'): TargetOfKind<'adminAccount'> {
  return {
    tenantId,
    targetId,
    name: 'Helpdesk admin',
    kind: 'adminAccount',
    roles: [{ templateId: '729827e3-9c14-49f7-bb1b-9608f156bbb8' }],
    groups: [],
    defaultDuration: 'PT4H',
    minDuration: 'PT15M',
    maxDuration,
    approval: { mode: 'none' },
    requireJustification: false,
    requireTicket: false,
    credentialType: 'password',
    createdAt: now,
    updatedAt: now,
  };
}

/** Two instances of the app: two config stores, each with its own cache, over the same tables. */
function twoInstances() {
  const connectionString = testEnv('JIT_TEST_TABLES_CONNECTION_STRING');
  const prefix = uniqueName('t');
  return [
    createTableStores({ connectionString }, prefix).config,
    createTableStores({ connectionString }, prefix).config,
  ] as const;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TableConfigStore cached reads', () => {
  it("answer this instance's own change at the next read", async () => {
    const [a] = twoInstances();
    const tenantId = randomUUID();
    expect(await a.cached.listRules()).toEqual([]);
    expect(await a.cached.getTarget(tenantId, 'helpdesk-admin')).toBeNull();
    await a.createRule(rule('techs', tenantId));
    const created = await a.createTarget(target(tenantId, 'helpdesk-admin'));
    expect((await a.cached.listRules()).map((r) => r.ruleId)).toEqual(['techs']);
    expect((await a.cached.getTarget(tenantId, 'helpdesk-admin'))?.maxDuration).toBe('PT8H');
    await a.replaceTarget(target(tenantId, 'helpdesk-admin', 'PT1H'), created.etag);
    expect((await a.cached.getTarget(tenantId, 'helpdesk-admin'))?.maxDuration).toBe('PT1H');
    // Once listed, single targets come from the listing: the same answers.
    expect((await a.cached.listTargets()).map((t) => t.targetId)).toEqual(['helpdesk-admin']);
    expect((await a.cached.getTarget(tenantId, 'helpdesk-admin'))?.maxDuration).toBe('PT1H');
    expect(await a.cached.getTarget(tenantId, 'exchange-admin')).toBeNull();
    expect(await a.cached.getTarget(randomUUID(), 'helpdesk-admin')).toBeNull();
    await a.deleteTarget(tenantId, 'helpdesk-admin');
    expect(await a.cached.getTarget(tenantId, 'helpdesk-admin')).toBeNull();
    await a.deleteRule('techs');
    expect(await a.cached.listRules()).toEqual([]);
  });

  it(`answer another instance's change within ${CONFIG_CACHE_VERSION_CHECK_INTERVAL_MS} ms of it being written`, async () => {
    const [a, b] = twoInstances();
    const tenantId = randomUUID();
    await a.createRule(rule('techs', tenantId));
    await a.createTarget(target(tenantId, 'helpdesk-admin'));
    expect((await b.cached.listRules()).map((r) => r.ruleId)).toEqual(['techs']);
    expect(await b.cached.getTarget(tenantId, 'helpdesk-admin')).not.toBeNull();
    expect(await b.cached.listTargets()).toHaveLength(1);

    await a.deleteRule('techs');
    await a.deleteTarget(tenantId, 'helpdesk-admin');
    const written = performance.now();
    // b's cache still answers from memory right after (that is what saves the round trips) …
    const early = await b.cached.listRules();
    if (performance.now() - written < CONFIG_CACHE_VERSION_CHECK_INTERVAL_MS / 2)
      expect(early.map((r) => r.ruleId)).toEqual(['techs']);
    // … and no longer once the bound has passed.
    await sleep(CONFIG_CACHE_VERSION_CHECK_INTERVAL_MS - (performance.now() - written) + 1);
    expect(await b.cached.listRules()).toEqual([]);
    expect(await b.cached.getTarget(tenantId, 'helpdesk-admin')).toBeNull();
    expect(await b.cached.listTargets()).toEqual([]);
  });

  it("after revalidate, answer another instance's change at once (what a submission and provisioning read)", async () => {
    const [a, b] = twoInstances();
    const tenantId = randomUUID();
    await a.createRule(rule('techs', tenantId));
    expect((await b.cached.listRules()).map((r) => r.ruleId)).toEqual(['techs']);
    await a.deleteRule('techs');
    await b.cached.revalidate();
    expect(await b.cached.listRules()).toEqual([]);
  });
});
