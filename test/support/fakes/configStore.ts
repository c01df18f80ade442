import type { Rule, Target, Tenant } from '../../../src/domain/config';
import type { Verification } from '../../../src/app/config/schemas';
import type { CachedConfigReads, ConfigStore, Versioned } from '../../../src/app/ports';
import { VersionedMap } from './versionedMap';

const targetKey = (tenantId: string, targetId: string): string => `${tenantId}|${targetId}`;

export class InMemoryConfigStore implements ConfigStore {
  readonly tenants = new VersionedMap<Tenant>();
  readonly targets = new VersionedMap<Target>();
  readonly rules = new VersionedMap<Rule>();
  readonly verifications = new Map<string, Verification>();
  /** In memory there is nothing to cache: the cached reads are the store's own. */
  readonly cached: CachedConfigReads = {
    revalidate: () => Promise.resolve(),
    getTenant: async (tenantId) => (await this.getTenant(tenantId))?.value ?? null,
    getTarget: async (tenantId, targetId) => (await this.getTarget(tenantId, targetId))?.value ?? null,
    listTenants: () => this.listTenants(),
    listTargets: () => this.listTargets(),
    listRules: () => this.listRules(),
  };

  getTenant(tenantId: string): Promise<Versioned<Tenant> | null> {
    return Promise.resolve(this.tenants.get(tenantId));
  }
  listTenants(): Promise<Tenant[]> {
    return Promise.resolve(this.tenants.values());
  }
  createTenant(tenant: Tenant): Promise<Versioned<Tenant>> {
    return Promise.resolve(this.tenants.create(tenant.tenantId, tenant, `tenant ${tenant.tenantId}`));
  }
  replaceTenant(tenant: Tenant, etag: string): Promise<Versioned<Tenant>> {
    return Promise.resolve(this.tenants.replace(tenant.tenantId, tenant, etag, `tenant ${tenant.tenantId}`));
  }
  deleteTenant(tenantId: string): Promise<void> {
    this.tenants.delete(tenantId);
    return Promise.resolve();
  }

  getTarget(tenantId: string, targetId: string): Promise<Versioned<Target> | null> {
    return Promise.resolve(this.targets.get(targetKey(tenantId, targetId)));
  }
  listTargets(tenantId?: string): Promise<Target[]> {
    return Promise.resolve(this.targets.values().filter((t) => tenantId === undefined || t.tenantId === tenantId));
  }
  createTarget(target: Target): Promise<Versioned<Target>> {
    const key = targetKey(target.tenantId, target.targetId);
    return Promise.resolve(this.targets.create(key, target, `target ${target.targetId}`));
  }
  replaceTarget(target: Target, etag: string): Promise<Versioned<Target>> {
    const key = targetKey(target.tenantId, target.targetId);
    return Promise.resolve(this.targets.replace(key, target, etag, `target ${target.targetId}`));
  }
  deleteTarget(tenantId: string, targetId: string): Promise<void> {
    this.targets.delete(targetKey(tenantId, targetId));
    return Promise.resolve();
  }

  getRule(ruleId: string): Promise<Versioned<Rule> | null> {
    return Promise.resolve(this.rules.get(ruleId));
  }
  listRules(): Promise<Rule[]> {
    return Promise.resolve(this.rules.values());
  }
  createRule(rule: Rule): Promise<Versioned<Rule>> {
    return Promise.resolve(this.rules.create(rule.ruleId, rule, `rule ${rule.ruleId}`));
  }
  replaceRule(rule: Rule, etag: string): Promise<Versioned<Rule>> {
    return Promise.resolve(this.rules.replace(rule.ruleId, rule, etag, `rule ${rule.ruleId}`));
  }
  deleteRule(ruleId: string): Promise<void> {
    this.rules.delete(ruleId);
    return Promise.resolve();
  }

  recordVerification(verification: Verification): Promise<void> {
    this.verifications.set(verification.tenantId, structuredClone(verification));
    return Promise.resolve();
  }
  listVerifications(): Promise<Verification[]> {
    return Promise.resolve([...this.verifications.values()].map((v) => structuredClone(v)));
  }
}
