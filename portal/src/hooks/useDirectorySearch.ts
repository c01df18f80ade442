import { useCallback, useRef } from 'react';
import { unwrap } from '../api/problem';
import type { PickerOption, PickerSearch } from '../components/SearchPicker';
import { useSession } from './useApi';

function matches(option: PickerOption, text: string): boolean {
  const needle = text.trim().toLowerCase();
  return needle === '' || option.text.toLowerCase().includes(needle);
}

/**
 * A tenant's directory roles for the Targets form (GET /tenants/{id}/role-definitions), read once
 * per tenant and filtered as the admin types. A disabled custom role cannot be chosen.
 */
export function useRoleSearch(tenantId: string): PickerSearch {
  const { api } = useSession();
  const cache = useRef(new Map<string, Promise<PickerOption[]>>());
  return useCallback(
    async (text: string) => {
      let roles = cache.current.get(tenantId);
      if (roles === undefined) {
        roles = api.GET('/tenants/{tenantId}/role-definitions', { params: { path: { tenantId } } }).then((r) =>
          unwrap(r).items.map((d) => ({
            value: d.templateId,
            text: d.displayName,
            secondary: d.isBuiltIn ? 'Built-in role' : `Custom role${d.description ? `: ${d.description}` : ''}`,
            ...(d.isEnabled ? {} : { unavailable: 'the role is disabled in the tenant' }),
          })),
        );
        // A failed read is not kept: the next keystroke tries again.
        roles.catch(() => cache.current.delete(tenantId));
        cache.current.set(tenantId, roles);
      }
      return (await roles).filter((o) => matches(o, text));
    },
    [api, tenantId],
  );
}

/**
 * A tenant's groups for the Targets form, searched as the admin types; a group Graph cannot
 * change the members of says why, and so does a group that is not role-assignable for an
 * elevation target.
 */
export function useGroupSearch(tenantId: string, kind: 'adminAccount' | 'elevation'): PickerSearch {
  const { api } = useSession();
  return useCallback(
    async (search: string) => {
      const found = unwrap(
        await api.GET('/tenants/{tenantId}/groups', { params: { path: { tenantId }, query: { search } } }),
      );
      return found.items.map((g) => {
        const unavailable =
          g.whyNot ??
          (kind === 'elevation' && !g.isAssignableToRole
            ? 'an elevation target needs role-assignable groups'
            : undefined);
        return {
          value: g.id,
          text: g.displayName,
          secondary: g.isAssignableToRole ? 'Role-assignable group' : 'Group',
          ...(unavailable !== undefined ? { unavailable } : {}),
        };
      });
    },
    [api, tenantId, kind],
  );
}

/** The home tenant's users and groups for rules and approvers; the value is `type:id`. */
export function usePrincipalSearch(only?: 'user' | 'group'): PickerSearch {
  const { api } = useSession();
  return useCallback(
    async (search: string) => {
      const found = unwrap(await api.GET('/directory/principals', { params: { query: { search } } }));
      return found.items
        .filter((p) => only === undefined || p.type === only)
        .map((p) => ({
          value: principalValue(p.type, p.id),
          text: p.displayName,
          secondary: p.type === 'user' ? `User · ${p.userPrincipalName ?? ''}` : 'Group',
        }));
    },
    [api, only],
  );
}

export function principalValue(type: 'user' | 'group', id: string): string {
  return `${type}:${id}`;
}

export function principalOf(value: string): { type: 'user' | 'group'; id: string } {
  const [type, id = ''] = value.split(':');
  return { type: type === 'user' ? 'user' : 'group', id };
}
