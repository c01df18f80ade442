import { odata } from '@azure/data-tables';
import {
  CONFIG_CACHE_MAX_AGE_MS,
  CONFIG_CACHE_VERSION_CHECK_INTERVAL_MS,
  ConfigCache,
  type ConfigCacheOptions,
  type ConfigVersion,
} from '../../app/config/configCache';
import type { CachedConfigReads, ConfigStore, Versioned } from '../../app/ports';
import { ruleSchema, storedTargetSchema, tenantSchema, type Rule, type Target, type Tenant } from '../../domain/config';
import { verificationSchema, type Verification } from '../../domain/tenantVerification';
import { DocumentTable } from './documentTable';
import { tableStatus, toTableError } from './tableErrors';
import type { TableRef, TableSet } from './tableSet';

/**
 * Configuration: a handful to a few thousand rows, read far more often than written.
 * - tenants: one partition ('tenant'), row key = tenant id. A single partition lists all tenants
 *   in one query and the volume is tiny.
 * - targets: partition = tenant id, row key = target id. Targets are always addressed within their
 *   tenant, and listing a tenant's targets is one partition scan.
 * - rules: one partition ('rule'), row key = rule id; the entitlement check reads them all.
 * - verifications: in the tenants table, one partition ('verification'), row key = tenant id: the
 *   latest result of each tenant's onboarding checks, listed in one query for the readiness view
 *   and deleted with the tenant.
 * - the configuration's version: in the tenants table, row ('configVersion', 'current'), rewritten
 *   after every write of a tenant, target or rule; its ETag is the version that the cached reads of
 *   every instance compare (src/app/config/configCache.ts).
 */
const TENANT_PARTITION = 'tenant';
const VERIFICATION_PARTITION = 'verification';
const RULE_PARTITION = 'rule';
const VERSION_PARTITION = 'configVersion';
const VERSION_ROW = 'current';

const TENANTS_KEY = 'tenants';
const TARGETS_KEY = 'targets';
const targetKey = (tenantId: string, targetId: string): string => `\u0000${tenantId}\u0000${targetId}`;

/** Every row, and the same indexed by key: a check after a listing needs no round trip. */
interface Listing<T> {
  readonly list: readonly T[];
  readonly byKey: ReadonlyMap<string, T>;
}

function listing<T>(list: readonly T[], keyOf: (item: T) => string): Listing<T> {
  return { list, byKey: new Map(list.map((item) => [keyOf(item), item])) };
}

export type TableConfigStoreOptions = Partial<Omit<ConfigCacheOptions, 'now'>>;

export class TableConfigStore implements ConfigStore {
  private readonly tenants: DocumentTable<typeof tenantSchema>;
  private readonly targets: DocumentTable<typeof storedTargetSchema>;
  private readonly rules: DocumentTable<typeof ruleSchema>;
  private readonly verifications: DocumentTable<typeof verificationSchema>;
  private readonly versionTable: TableRef;
  private readonly cache: ConfigCache;
  readonly cached: CachedConfigReads;

  constructor(tables: TableSet, options: TableConfigStoreOptions = {}) {
    this.tenants = new DocumentTable(tables.table('Tenants'), tenantSchema, 'tenant');
    this.targets = new DocumentTable(tables.table('Targets'), storedTargetSchema, 'target');
    this.rules = new DocumentTable(tables.table('Rules'), ruleSchema, 'rule');
    this.verifications = new DocumentTable(tables.table('Tenants'), verificationSchema, 'verification');
    this.versionTable = tables.table('Tenants');
    this.cache = new ConfigCache(() => this.readVersion(), {
      versionCheckIntervalMs: options.versionCheckIntervalMs ?? CONFIG_CACHE_VERSION_CHECK_INTERVAL_MS,
      maxAgeMs: options.maxAgeMs ?? CONFIG_CACHE_MAX_AGE_MS,
    });
    this.cached = {
      revalidate: () => this.cache.revalidate(),
      // One tenant or target: from the listing when GET /entitlements loaded it already, else one point read.
      getTenant: async (tenantId) => {
        const listing = await this.cache.loaded<Listing<Tenant>>(TENANTS_KEY);
        if (listing !== undefined) return listing.byKey.get(tenantId) ?? null;
        return this.cache.get(`tenant\u0000${tenantId}`, async () => (await this.getTenant(tenantId))?.value ?? null);
      },
      getTarget: async (tenantId, targetId) => {
        const listing = await this.cache.loaded<Listing<Target>>(TARGETS_KEY);
        if (listing !== undefined) return listing.byKey.get(targetKey(tenantId, targetId)) ?? null;
        return this.cache.get(
          `target${targetKey(tenantId, targetId)}`,
          async () => (await this.getTarget(tenantId, targetId))?.value ?? null,
        );
      },
      listTenants: async () =>
        (await this.cache.get(TENANTS_KEY, async () => listing(await this.listTenants(), (t) => t.tenantId))).list,
      listTargets: async () =>
        (
          await this.cache.get(TARGETS_KEY, async () =>
            listing(await this.listTargets(), (t) => targetKey(t.tenantId, t.targetId)),
          )
        ).list,
      listRules: () => this.cache.get('rules', () => this.listRules()),
    };
  }

  getTenant(tenantId: string): Promise<Versioned<Tenant> | null> {
    return this.tenants.get(TENANT_PARTITION, tenantId);
  }

  listTenants(): Promise<Tenant[]> {
    return this.tenants.list(odata`PartitionKey eq ${TENANT_PARTITION}`);
  }

  createTenant(tenant: Tenant): Promise<Versioned<Tenant>> {
    return this.changing(() =>
      this.tenants.create({ partitionKey: TENANT_PARTITION, rowKey: tenant.tenantId }, tenant),
    );
  }

  replaceTenant(tenant: Tenant, etag: string): Promise<Versioned<Tenant>> {
    return this.changing(() =>
      this.tenants.replace({ partitionKey: TENANT_PARTITION, rowKey: tenant.tenantId }, tenant, etag),
    );
  }

  async deleteTenant(tenantId: string): Promise<void> {
    await this.changing(() => this.tenants.delete(TENANT_PARTITION, tenantId));
    await this.verifications.delete(VERIFICATION_PARTITION, tenantId);
  }

  getTarget(tenantId: string, targetId: string): Promise<Versioned<Target> | null> {
    return this.targets.get(tenantId, targetId);
  }

  listTargets(tenantId?: string): Promise<Target[]> {
    return this.targets.list(tenantId === undefined ? undefined : odata`PartitionKey eq ${tenantId}`);
  }

  createTarget(target: Target): Promise<Versioned<Target>> {
    return this.changing(() => this.targets.create({ partitionKey: target.tenantId, rowKey: target.targetId }, target));
  }

  replaceTarget(target: Target, etag: string): Promise<Versioned<Target>> {
    return this.changing(() =>
      this.targets.replace({ partitionKey: target.tenantId, rowKey: target.targetId }, target, etag),
    );
  }

  deleteTarget(tenantId: string, targetId: string): Promise<void> {
    return this.changing(() => this.targets.delete(tenantId, targetId));
  }

  getRule(ruleId: string): Promise<Versioned<Rule> | null> {
    return this.rules.get(RULE_PARTITION, ruleId);
  }

  listRules(): Promise<Rule[]> {
    return this.rules.list(odata`PartitionKey eq ${RULE_PARTITION}`);
  }

  createRule(rule: Rule): Promise<Versioned<Rule>> {
    return this.changing(() => this.rules.create({ partitionKey: RULE_PARTITION, rowKey: rule.ruleId }, rule));
  }

  replaceRule(rule: Rule, etag: string): Promise<Versioned<Rule>> {
    return this.changing(() => this.rules.replace({ partitionKey: RULE_PARTITION, rowKey: rule.ruleId }, rule, etag));
  }

  deleteRule(ruleId: string): Promise<void> {
    return this.changing(() => this.rules.delete(RULE_PARTITION, ruleId));
  }

  recordVerification(verification: Verification): Promise<void> {
    return this.verifications.upsert(
      { partitionKey: VERIFICATION_PARTITION, rowKey: verification.tenantId },
      verification,
    );
  }

  listVerifications(): Promise<Verification[]> {
    return this.verifications.list(odata`PartitionKey eq ${VERIFICATION_PARTITION}`);
  }

  /**
   * A write of a tenant, target or rule, then the version bump that tells every instance's cache.
   * This process's cache is dropped as soon as the write is done. A failed write is bumped for too
   * (it may have landed before the error), without letting the bump's failure hide the write's.
   */
  private async changing<T>(write: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await write();
    } catch (error) {
      this.cache.invalidate();
      await this.bumpVersion().catch(() => undefined);
      throw error;
    }
    this.cache.invalidate();
    await this.bumpVersion();
    return result;
  }

  private async bumpVersion(): Promise<void> {
    const client = await this.versionTable.client();
    try {
      await client.upsertEntity(
        { partitionKey: VERSION_PARTITION, rowKey: VERSION_ROW, changedAt: new Date().toISOString() },
        'Replace',
      );
    } catch (error) {
      throw toTableError(error, 'record the configuration change');
    }
  }

  /** The version row's ETag: a new one after every write (Table Storage gives each write its own). */
  private async readVersion(): Promise<ConfigVersion> {
    const client = await this.versionTable.client();
    try {
      const row = await client.getEntity(VERSION_PARTITION, VERSION_ROW, { queryOptions: { select: ['changedAt'] } });
      return row.etag;
    } catch (error) {
      if (tableStatus(error) === 404) return null;
      throw toTableError(error, 'read the configuration version');
    }
  }
}
