import { SERVICE_APP } from './seed';
import { API_SCOPE, GRAPH_RESOURCE } from './tokens';

/**
 * The `scope` of a user's sign-in (authorize, authorization_code, refresh_token), read as Entra reads
 * it: OIDC scopes, plus scopes of exactly one resource (a bare name means Microsoft Graph). The
 * service's API exposes `access_as_user`; Graph is granted `User.Read` only, as after a user's own
 * consent. (https://learn.microsoft.com/entra/identity-platform/scopes-oidc)
 */
export const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

export interface UserScopes {
  readonly oidc: readonly string[];
  /** The access token's audience and the scopes (`scp`) it carries. */
  readonly resource: { readonly audience: string; readonly scp: string; readonly requested: readonly string[] };
}

export interface ScopeError {
  readonly error: string;
  readonly code: number;
  readonly description: string;
}

function splitResourceScope(scope: string): { resource: string; name: string } {
  const slash = scope.lastIndexOf('/');
  if (slash <= 0) return { resource: GRAPH_RESOURCE, name: scope };
  return { resource: scope.slice(0, slash), name: scope.slice(slash + 1) };
}

function audienceOf(resource: string): string | undefined {
  const r = resource.replace(/\/+$/, '');
  if (r === `api://${SERVICE_APP.clientId}` || r === SERVICE_APP.clientId) return SERVICE_APP.clientId;
  if (r === GRAPH_RESOURCE || r === '00000003-0000-0000-c000-000000000000') return GRAPH_RESOURCE;
  return undefined;
}

export function parseUserScopes(scopeParam: string | null, tenantName: string): UserScopes | ScopeError {
  const all = (scopeParam ?? '').split(/\s+/).filter((s) => s !== '');
  if (all.length === 0)
    return {
      error: 'invalid_request',
      code: 900144,
      description: "The request body must contain the following parameter: 'scope'.",
    };
  const oidc = all.filter((s) => OIDC_SCOPES.has(s.toLowerCase()));
  const resourceScopes = all.filter((s) => !OIDC_SCOPES.has(s.toLowerCase()));
  if (resourceScopes.length === 0) {
    // Only OIDC scopes: Entra issues an access token for Microsoft Graph's User.Read.
    return { oidc, resource: { audience: GRAPH_RESOURCE, scp: 'User.Read', requested: [] } };
  }
  const parts = resourceScopes.map(splitResourceScope);
  const resources = new Set(parts.map((p) => p.resource.replace(/\/+$/, '')));
  if (resources.size > 1)
    return {
      error: 'invalid_scope',
      code: 28000,
      description: `Provided value for the input parameter scope '${resourceScopes.join(' ')}' is not valid because it contains more than one resource. The scope ${resourceScopes.join(' ')} is not valid.`,
    };
  const first = parts[0];
  const audience = first === undefined ? undefined : audienceOf(first.resource);
  if (first === undefined || audience === undefined)
    return {
      error: 'invalid_resource',
      code: 500011,
      description: `The resource principal named ${first?.resource ?? ''} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    };
  const offered = audience === SERVICE_APP.clientId ? API_SCOPE : 'User.Read';
  const unknown = parts.find((p) => p.name !== '.default' && p.name.toLowerCase() !== offered.toLowerCase());
  if (unknown !== undefined)
    return {
      error: 'invalid_client',
      code: 650053,
      description: `The application '${SERVICE_APP.displayName}' asked for scope '${unknown.name}' that doesn't exist on the resource '${audience}'. Contact the app vendor.`,
    };
  return { oidc, resource: { audience, scp: offered, requested: resourceScopes } };
}

export function isScopeError(value: UserScopes | ScopeError): value is ScopeError {
  return 'error' in value;
}
