import type { Rule } from '../../hooks/useRules';

export type Scope = Rule['scope'];
export type ScopeKind = 'targets' | 'tenants' | 'allTenants' | 'tenantTag';

export function scopeKind(scope: Scope): ScopeKind {
  if ('targets' in scope) return 'targets';
  if ('tenants' in scope) return 'tenants';
  if ('allTenants' in scope) return 'allTenants';
  return 'tenantTag';
}

/** The rule's scope in words, with names where they are known. */
export function scopeWords(
  scope: Scope,
  names: { target(tenantId: string, targetId: string): string; tenant(tenantId: string): string },
): string {
  if ('targets' in scope)
    return scope.targets
      .map((t) => `${names.target(t.tenantId, t.targetId)} in ${names.tenant(t.tenantId)}`)
      .join(', ');
  if ('tenants' in scope) return `Every target of ${scope.tenants.map((id) => names.tenant(id)).join(', ')}`;
  if ('allTenants' in scope) return 'Every target of every connected tenant';
  return `Every target of the tenants tagged “${scope.tenantTag}”`;
}
