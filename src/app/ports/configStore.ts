import type { Rule, Target, Tenant } from '../../domain/config';
import type { Verification } from '../config/schemas';
import type { Versioned } from './versioned';

export interface ConfigStore {
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
