import { jwtVerify } from 'jose';
import { findTenant, type App, type Tenant } from './directory';
import { json, type SandboxRequest, type SandboxResponse } from './http';
import { authorize, logout, signIn, verify } from './authorize';
import { entraError } from './entraError';
import { HOME_TENANT_ID, SERVICE_APP } from './seed';
import { spaPreflight, withSpaCors } from './spaCors';
import { spaGrant } from './spaGrants';
import type { SandboxStore } from './store';
import {
  BOT_CONNECTOR_RESOURCE,
  GRAPH_RESOURCE,
  issuerFor,
  mintToken,
  TOKEN_LIFETIME_SECONDS,
  VAULT_RESOURCE,
} from './tokens';

/**
 * login.microsoftonline.com for the sandbox's tenants: OIDC discovery, JWKS and the v2.0 token
 * endpoint (client credentials with a client secret, or a federated client assertion; a SPA's
 * authorization code and refresh token grants in spaGrants.ts), and the interactive sign-in
 * (authorize.ts).
 * Error bodies follow Entra's: error, error_description starting with the AADSTS code,
 * error_codes, timestamp, trace_id, correlation_id, error_uri.
 */
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const FEDERATED_AUDIENCE = 'api://AzureADTokenExchange';

function tenantNotFound(tenant: string, correlationId?: string): SandboxResponse {
  // AADSTS90002, as Entra answers for an unknown tenant id or domain.
  return entraError(
    400,
    'invalid_request',
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    correlationId,
  );
}

/** The tenant's OIDC metadata; also what a browser app may be given as MSAL `authorityMetadata`. */
export function openIdConfiguration(baseUrl: string, tenant: Pick<Tenant, 'id'>): Record<string, unknown> {
  const t = `${baseUrl}/${tenant.id}`;
  return {
    token_endpoint: `${t}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${t}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: issuerFor(baseUrl, tenant.id),
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${baseUrl}/oidc/userinfo`,
    authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${t}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${t}/oauth2/v2.0/logout`,
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'ver',
      'at_hash',
      'c_hash',
      'email',
    ],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

/** Routes `/{tenant}/...`; undefined when the path is not a login path. */
export async function handleLogin(store: SandboxStore, req: SandboxRequest): Promise<SandboxResponse | undefined> {
  const [tenantKey, ...rest] = req.segments;
  if (tenantKey === undefined) return undefined;
  const path = rest.join('/');
  const tenant = findTenant(store.state, tenantKey);
  if (req.method === 'OPTIONS' && (path === 'v2.0/.well-known/openid-configuration' || path === 'discovery/v2.0/keys'))
    return spaPreflight(tenant, req);
  if (req.method === 'GET' && path === 'v2.0/.well-known/openid-configuration') {
    if (tenant === undefined)
      return entraError(
        400,
        'invalid_tenant',
        90002,
        `Tenant '${tenantKey}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      );
    return withSpaCors(tenant, req, json(200, openIdConfiguration(store.url, tenant)));
  }
  if (req.method === 'GET' && path === 'discovery/v2.0/keys') {
    if (tenant === undefined) return tenantNotFound(tenantKey);
    return withSpaCors(tenant, req, json(200, { keys: [{ ...store.keys.publicJwk, x5t: store.keys.kid }] }));
  }
  if (path === 'oauth2/v2.0/token') {
    if (req.method === 'OPTIONS') return spaPreflight(tenant, req);
    if (req.method !== 'POST')
      return entraError(400, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
    return withSpaCors(tenant, req, await tokenEndpoint(store, req, tenantKey, tenant));
  }
  if (path === 'oauth2/v2.0/authorize' && req.method === 'GET') return authorize(store, req, tenantKey, tenant);
  if (path === 'login' && req.method === 'POST') return signIn(store, req, tenant);
  if (path === 'login/verify' && req.method === 'POST') return verify(store, req, tenant);
  if (path === 'oauth2/v2.0/logout' && req.method === 'GET') return logout(req, tenant);
  return undefined;
}

async function tokenEndpoint(
  store: SandboxStore,
  req: SandboxRequest,
  tenantKey: string,
  tenant: Tenant | undefined,
): Promise<SandboxResponse> {
  const form = new URLSearchParams(req.rawBody);
  const correlationId = req.headers['client-request-id'];
  if (tenant === undefined) return tenantNotFound(tenantKey, correlationId);
  const grantType = form.get('grant_type');
  if (grantType === 'authorization_code' || grantType === 'refresh_token')
    return spaGrant(grantType, store, req, form, tenant, correlationId);
  if (grantType !== 'client_credentials') {
    return entraError(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grantType ?? ''}'.`,
      correlationId,
    );
  }
  let clientId = form.get('client_id') ?? undefined;
  let clientSecret = form.get('client_secret') ?? undefined;
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (basic !== undefined) {
    const [id, secret] = Buffer.from(basic, 'base64').toString('utf8').split(':');
    clientId ??= id !== undefined ? decodeURIComponent(id) : undefined;
    clientSecret ??= secret !== undefined ? decodeURIComponent(secret) : undefined;
  }
  if (clientId === undefined || clientId === '') {
    return entraError(
      400,
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'client_id'.",
      correlationId,
    );
  }
  const app = tenant.apps.find((a) => a.clientId === clientId);
  if (app === undefined) {
    return entraError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      correlationId,
    );
  }
  const credentialError = await checkCredential(store, form, app, tenant, clientSecret, correlationId);
  if (credentialError !== undefined) return credentialError;

  const scopes = (form.get('scope') ?? '')
    .split(' ')
    .filter((s) => s !== '' && !['openid', 'profile', 'offline_access'].includes(s));
  const scope = scopes[0];
  if (scopes.length !== 1 || scope === undefined || !scope.endsWith('/.default')) {
    return entraError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scopes.join(' ')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      correlationId,
    );
  }
  const resource = scope.slice(0, -'/.default'.length);
  const audience = resourceAudience(resource);
  if (audience === undefined) {
    return entraError(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenant.displayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      correlationId,
    );
  }
  const claims: Record<string, unknown> = {
    aud: audience,
    iss: issuerFor(store.url, tenant.id),
    tid: tenant.id,
    appid: app.clientId,
    azp: app.clientId,
    appidacr: '1',
    azpacr: '1',
    oid: app.servicePrincipalId,
    sub: app.servicePrincipalId,
    idtyp: 'app',
    ver: '2.0',
  };
  if (audience === GRAPH_RESOURCE && app.appPermissions.length > 0) claims.roles = [...app.appPermissions];
  const accessToken = await mintToken({ claims, key: store.keys, expiresInSeconds: TOKEN_LIFETIME_SECONDS });
  return json(200, {
    token_type: 'Bearer',
    expires_in: TOKEN_LIFETIME_SECONDS,
    ext_expires_in: TOKEN_LIFETIME_SECONDS,
    access_token: accessToken,
  });
}

function resourceAudience(resource: string): string | undefined {
  const r = resource.replace(/\/+$/, '');
  if (r === GRAPH_RESOURCE || r === '00000003-0000-0000-c000-000000000000') return GRAPH_RESOURCE;
  if (r === VAULT_RESOURCE || r === 'https://vault.azure.net') return VAULT_RESOURCE;
  if (r === SERVICE_APP.clientId || r === `api://${SERVICE_APP.clientId}`) return SERVICE_APP.clientId;
  // A bot's token for the Bot Connector (https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication).
  if (r === BOT_CONNECTOR_RESOURCE) return BOT_CONNECTOR_RESOURCE;
  return undefined;
}

async function checkCredential(
  store: SandboxStore,
  form: URLSearchParams,
  app: App,
  tenant: Tenant,
  clientSecret: string | undefined,
  correlationId: string | undefined,
): Promise<SandboxResponse | undefined> {
  const assertion = form.get('client_assertion');
  if (assertion !== null) {
    if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE) {
      return entraError(
        400,
        'invalid_request',
        50027,
        'Invalid JWT token. The client assertion type is not supported.',
        correlationId,
      );
    }
    // A managed identity's federated credential: only the home tenant's service app trusts it.
    try {
      const { payload } = await jwtVerify(assertion, store.keys.publicKey, {
        algorithms: ['RS256'],
        audience: FEDERATED_AUDIENCE,
      });
      if (tenant.id === HOME_TENANT_ID && app.clientId === SERVICE_APP.clientId && payload.sub === SERVICE_APP.clientId)
        return undefined;
      return entraError(
        400,
        'invalid_client',
        70021,
        'No matching federated identity record found for presented assertion. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.',
        correlationId,
      );
    } catch {
      return entraError(
        401,
        'invalid_client',
        700027,
        'The certificate with identifier used to sign the client assertion is not registered on application, or the client assertion failed signature validation.',
        correlationId,
      );
    }
  }
  if (clientSecret === undefined || clientSecret === '') {
    return entraError(
      400,
      'invalid_client',
      7000216,
      "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
      correlationId,
    );
  }
  if (clientSecret !== app.clientSecret) {
    return entraError(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
      correlationId,
    );
  }
  return undefined;
}
