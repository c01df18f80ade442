import { odata } from '@azure/data-tables';
import type { ConfigStore, Versioned } from '../../app/ports';
import { ruleSchema, storedTargetSchema, tenantSchema, type Rule, type Target, type Tenant } from '../../domain/config';
import { verificationSchema, type Verification } from '../../domain/tenantVerification';
import { DocumentTable } from './documentTable';
import type { TableSet } from './tableSet';

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
 */
const TENANT_PARTITION = 'tenant';
const VERIFICATION_PARTITION = 'verification';
const RULE_PARTITION = 'rule';

export class TableConfigStore implements ConfigStore {
  private readonly tenants: DocumentTable<typeof tenantSchema>;
  private readonly targets: DocumentTable<typeof storedTargetSchema>;
  private readonly rules: DocumentTable<typeof ruleSchema>;
  private readonly verifications: DocumentTable<typeof verificationSchema>;

  constructor(tables: TableSet) {
    this.tenants = new DocumentTable(tables.table('Tenants'), tenantSchema, 'tenant');
    this.targets = new DocumentTable(tables.table('Targets'), storedTargetSchema, 'target');
    this.rules = new DocumentTable(tables.table('Rules'), ruleSchema, 'rule');
    this.verifications = new DocumentTable(tables.table('Tenants'), verificationSchema, 'verification');
  }

  getTenant(tenantId: string): Promise<Versioned<Tenant> | null> {
    return this.tenants.get(TENANT_PARTITION, tenantId);
  }

  listTenants(): Promise<Tenant[]> {
    return this.tenants.list(odata`PartitionKey eq ${TENANT_PARTITION}`);
  }

  createTenant(tenant: Tenant): Promise<Versioned<Tenant>> {
    return this.tenants.create({ partitionKey: TENANT_PARTITION, rowKey: tenant.tenantId }, tenant);
  }

  replaceTenant(tenant: Tenant, etag: string): Promise<Versioned<Tenant>> {
    return this.tenants.replace({ partitionKey: TENANT_PARTITION, rowKey: tenant.tenantId }, tenant, etag);
  }

  async deleteTenant(tenantId: string): Promise<void> {
    await this.tenants.delete(TENANT_PARTITION, tenantId);
    await this.verifications.delete(VERIFICATION_PARTITION, tenantId);
  }

  getTarget(tenantId: string, targetId: string): Promise<Versioned<Target> | null> {
    return this.targets.get(tenantId, targetId);
  }

  listTargets(tenantId?: string): Promise<Target[]> {
    return this.targets.list(tenantId === undefined ? undefined : odata`PartitionKey eq ${tenantId}`);
  }

  createTarget(target: Target): Promise<Versioned<Target>> {
    return this.targets.create({ partitionKey: target.tenantId, rowKey: target.targetId }, target);
  }

  replaceTarget(target: Target, etag: string): Promise<Versioned<Target>> {
    return this.targets.replace({ partitionKey: target.tenantId, rowKey: target.targetId }, target, etag);
  }

  deleteTarget(tenantId: string, targetId: string): Promise<void> {
    return this.targets.delete(tenantId, targetId);
  }

  getRule(ruleId: string): Promise<Versioned<Rule> | null> {
    return this.rules.get(RULE_PARTITION, ruleId);
  }

  listRules(): Promise<Rule[]> {
    return this.rules.list(odata`PartitionKey eq ${RULE_PARTITION}`);
  }

  createRule(rule: Rule): Promise<Versioned<Rule>> {
    return this.rules.create({ partitionKey: RULE_PARTITION, rowKey: rule.ruleId }, rule);
  }

  replaceRule(rule: Rule, etag: string): Promise<Versioned<Rule>> {
    return this.rules.replace({ partitionKey: RULE_PARTITION, rowKey: rule.ruleId }, rule, etag);
  }

  deleteRule(ruleId: string): Promise<void> {
    return this.rules.delete(RULE_PARTITION, ruleId);
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
}
