import type { Rule, Target, Tenant } from '../../domain/config';
import type { Verification } from '../config/schemas';
import type { Versioned } from './versioned';

/**
 * Reads of tenants, targets and rules from a cache in this process, for the questions asked on
 * every call (entitlement checks and lists): a change written through the same store is seen at
 * once, one written by another instance within a documented bound (src/app/config/configCache.ts).
 * No ETags: nothing read here is written back. Use the store's own reads for read-modify-write.
 * Decisions that must see the very latest rows (a submission, provisioning's re-check) call
 * `revalidate()` first: one read of the version instead of a read of each row.
 */
export interface CachedConfigReads {
  /** Reads the configuration's version now: the reads that follow see every change answered before this call. */
  revalidate(): Promise<void>;
  getTenant(tenantId: string): Promise<Tenant | null>;
  getTarget(tenantId: string, targetId: string): Promise<Target | null>;
  listTenants(): Promise<readonly Tenant[]>;
  listTargets(): Promise<readonly Target[]>;
  listRules(): Promise<readonly Rule[]>;
}

export interface ConfigStore {
  readonly cached: CachedConfigReads;
  getTenant(tenantId: string): Promise<Versioned<Tenant> | null>;
  listTenants(): Promise<Tenant[]>;
  createTenant(tenant: Tenant): Promise<Versioned<Tenant>>;
  replaceTenant(tenant: Tenant, etag: string): Promise<Versioned<Tenant>>;
  deleteTenant(tenantId: string): Promise<void>;
  getTarget(tenantId: string, targetId: string): Promise<Versioned<Target> | null>;
  listTargets(tenantId?: string): Promise<Target[]>;
  createTarget(target: Target): Promise<Versioned<Target>>;
  replaceTarget(target: Target, etag: string): Promise<Versioned<Target>>;
  deleteTarget(tenantId: string, targetId: string): Promise<void>;
  getRule(ruleId: string): Promise<Versioned<Rule> | null>;
  listRules(): Promise<Rule[]>;
  createRule(rule: Rule): Promise<Versioned<Rule>>;
  replaceRule(rule: Rule, etag: string): Promise<Versioned<Rule>>;
  deleteRule(ruleId: string): Promise<void>;
  /** Keeps a tenant's latest verification (replacing the one before), for the readiness list. */
  recordVerification(verification: Verification): Promise<void>;
  /** The latest verification of every tenant verified since it was connected. */
  listVerifications(): Promise<Verification[]>;
}
