import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Secret, SecretVersion } from './directory';
import { delay } from './faults';
import { json, noContent, parseJsonBody, type SandboxRequest, type SandboxResponse } from './http';
import { HOME_TENANT_ID, SERVICE_APP } from './seed';
import type { SandboxStore } from './store';
import { stringClaim, VAULT_RESOURCE, verifyBearer } from './tokens';

/**
 * Azure Key Vault's secrets REST subset on the sandbox origin. The first request of a client
 * carries no token and gets the bearer challenge naming the home tenant; only the home tenant's
 * service app is authorised (RBAC "ForbiddenByRbac" otherwise). Names, bodies and error codes as
 * the service: SecretNotFound 404, BadParameter 400, Conflict/ObjectIsDeletedButRecoverable 409
 * for a soft-deleted name (ansible-collections/azure#1145, external-secrets#3519), and the
 * AKV10000 challenge text (hashicorp/terraform-provider-azurerm#19749).
 */
const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const PAGE_SIZE = 25;

class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
  ) {
    super(message);
  }
}

function errorResponse(e: VaultError, headers: Record<string, string> = {}): SandboxResponse {
  const error: Record<string, unknown> = { code: e.code, message: e.message };
  if (e.innerCode !== undefined) error.innererror = { code: e.innerCode };
  return json(e.status, { error }, headers);
}

function secretNotFound(key: string): VaultError {
  return new VaultError(
    404,
    'SecretNotFound',
    `A secret with (name/id) ${key} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );
}

/** PATCH /secrets/{name}/{version}: Key Vault's "update secret properties" (no value). */
const updateSchema = z.object({
  tags: z.record(z.string(), z.string()).nullable().optional(),
  contentType: z.string().nullable().optional(),
  attributes: z
    .object({
      enabled: z.boolean().optional(),
      exp: z.number().nullable().optional(),
      nbf: z.number().nullable().optional(),
    })
    .passthrough()
    .optional(),
});

/** PUT /secrets/{name}: a new version, with its value. */
const setSchema = updateSchema.extend({ value: z.string().max(25 * 1024) });

function attributes(v: SecretVersion): Record<string, unknown> {
  const a: Record<string, unknown> = { enabled: v.enabled };
  if (v.nbf !== null) a.nbf = v.nbf;
  if (v.exp !== null) a.exp = v.exp;
  return { ...a, created: v.created, updated: v.updated, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 };
}

function latest(secret: Secret): SecretVersion {
  const v = secret.versions[secret.versions.length - 1];
  if (v === undefined) throw secretNotFound(secret.name);
  return v;
}

class Vault {
  constructor(
    private readonly store: SandboxStore,
    private readonly url: string,
  ) {}

  private get secrets(): Secret[] {
    return this.store.state.keyVault.secrets;
  }

  private find(name: string): Secret | undefined {
    return this.secrets.find((s) => s.name.toLowerCase() === name.toLowerCase());
  }

  private bundle(secret: Secret, v: SecretVersion, withValue: boolean): Record<string, unknown> {
    const b: Record<string, unknown> = {};
    if (withValue) b.value = v.value;
    b.id = `${this.url}/secrets/${secret.name}/${v.version}`;
    if (v.contentType !== null) b.contentType = v.contentType;
    b.attributes = attributes(v);
    if (v.tags !== null) b.tags = v.tags;
    return b;
  }

  private deletedBundle(secret: Secret): Record<string, unknown> {
    return {
      recoveryId: `${this.url}/deletedsecrets/${secret.name}`,
      deletedDate: secret.deleted?.deletedDate,
      scheduledPurgeDate: secret.deleted?.scheduledPurgeDate,
      ...this.bundle(secret, latest(secret), false),
    };
  }

  set(name: string, rawBody: string): SandboxResponse {
    const body = parseVaultBody(rawBody, setSchema, 'value', 'is invalid or missing');
    let secret = this.find(name);
    if (secret !== undefined && this.stillBeingDeleted(secret))
      throw this.beingDeletedConflict(secret, ' and cannot be re-created; retry later');
    if (secret?.deleted != null) {
      throw new VaultError(
        409,
        'Conflict',
        `Secret ${secret.name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can be recovered or purged.`,
        'ObjectIsDeletedButRecoverable',
      );
    }
    if (secret === undefined) {
      secret = { name, versions: [], deleted: null };
      this.secrets.push(secret);
    }
    const now = Math.floor(Date.now() / 1000);
    const a = body.attributes;
    const version: SecretVersion = {
      version: randomBytes(16).toString('hex'),
      value: body.value,
      tags: body.tags ?? null,
      contentType: body.contentType ?? null,
      enabled: a?.enabled ?? true,
      exp: a?.exp ?? null,
      nbf: a?.nbf ?? null,
      created: now,
      updated: now,
    };
    secret.versions.push(version);
    return json(200, this.bundle(secret, version, true));
  }

  update(name: string, version: string, rawBody: string): SandboxResponse {
    const body = parseVaultBody(rawBody, updateSchema, 'attributes', 'is invalid');
    const secret = this.find(name);
    if (secret === undefined || secret.deleted !== null) throw secretNotFound(name);
    const v = secret.versions.find((x) => x.version === version);
    if (v === undefined) throw secretNotFound(`${name}/${version}`);
    const a = body.attributes;
    if (a?.enabled !== undefined) v.enabled = a.enabled;
    if (a?.exp !== undefined) v.exp = a.exp;
    if (a?.nbf !== undefined) v.nbf = a.nbf;
    if (body.tags !== undefined) v.tags = body.tags;
    if (body.contentType !== undefined) v.contentType = body.contentType;
    v.updated = Math.floor(Date.now() / 1000);
    const { value: _value, ...rest } = this.bundle(secret, v, false);
    return json(200, rest);
  }

  get(name: string, version: string | undefined): SandboxResponse {
    const secret = this.find(name);
    if (secret === undefined || secret.deleted !== null) throw secretNotFound(name);
    const v = version === undefined ? latest(secret) : secret.versions.find((x) => x.version === version);
    if (v === undefined) throw secretNotFound(`${name}/${version ?? ''}`);
    if (!v.enabled)
      throw new VaultError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
    return json(200, this.bundle(secret, v, true));
  }

  private page(items: Record<string, unknown>[], query: URLSearchParams, path: string): SandboxResponse {
    const max = Math.min(Math.max(Number(query.get('maxresults') ?? PAGE_SIZE) || PAGE_SIZE, 1), PAGE_SIZE);
    const skip = Number(query.get('$skiptoken') ?? '0') || 0;
    const next =
      skip + max < items.length
        ? `${this.url}${path}?api-version=${query.get('api-version') ?? '7.5'}&$skiptoken=${skip + max}&maxresults=${max}`
        : null;
    return json(200, { value: items.slice(skip, skip + max), nextLink: next });
  }

  list(query: URLSearchParams): SandboxResponse {
    const items = this.secrets
      .filter((s) => s.deleted === null)
      .map((s) => {
        const { value: _value, ...rest } = this.bundle(s, latest(s), false);
        return { ...rest, id: `${this.url}/secrets/${s.name}` };
      });
    return this.page(items, query, '/secrets');
  }

  listVersions(name: string, query: URLSearchParams): SandboxResponse {
    const secret = this.find(name);
    if (secret === undefined || secret.deleted !== null) throw secretNotFound(name);
    return this.page(
      secret.versions.map((v) => this.bundle(secret, v, false)),
      query,
      `/secrets/${secret.name}/versions`,
    );
  }

  delete(name: string): SandboxResponse {
    const secret = this.find(name);
    if (secret === undefined || secret.deleted !== null) throw secretNotFound(name);
    const nowMs = Date.now();
    const now = Math.floor(nowMs / 1000);
    const deletionMs = this.store.faults.for(HOME_TENANT_ID).secretDeletionMs;
    secret.deleted = {
      deletedDate: now,
      scheduledPurgeDate: now + 90 * 24 * 3600,
      ...(deletionMs > 0 ? { completesAtMs: nowMs + deletionMs } : {}),
    };
    return json(200, this.deletedBundle(secret));
  }

  /**
   * A deletion completes asynchronously in Key Vault: until it has, the deleted secret cannot be
   * read, and a purge, a recovery or a new secret at the name answer 409 "currently being deleted"
   * (Azure/azure-cli#12722, hashicorp/terraform-provider-azurerm#10454, Azure/azure-sdk-for-net#34322).
   */
  private stillBeingDeleted(secret: Secret): boolean {
    const completesAtMs = secret.deleted?.completesAtMs;
    return completesAtMs !== undefined && Date.now() < completesAtMs;
  }

  private beingDeletedConflict(secret: Secret, what: string): VaultError {
    return new VaultError(
      409,
      'Conflict',
      `Secret ${secret.name} is currently being deleted${what}.`,
      'ObjectIsBeingDeleted',
    );
  }

  private findDeleted(name: string): Secret {
    const secret = this.find(name);
    if (secret?.deleted == null) throw new VaultError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
    return secret;
  }

  /** A deleted secret whose deletion has completed, for a purge or a recovery. */
  private findSettledDeleted(name: string): Secret {
    const secret = this.findDeleted(name);
    if (this.stillBeingDeleted(secret)) throw this.beingDeletedConflict(secret, '');
    return secret;
  }

  getDeleted(name: string): SandboxResponse {
    const secret = this.findDeleted(name);
    if (this.stillBeingDeleted(secret))
      throw new VaultError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
    return json(200, this.deletedBundle(secret));
  }

  listDeleted(query: URLSearchParams): SandboxResponse {
    return this.page(
      this.secrets.filter((s) => s.deleted !== null && !this.stillBeingDeleted(s)).map((s) => this.deletedBundle(s)),
      query,
      '/deletedsecrets',
    );
  }

  purge(name: string): SandboxResponse {
    const secret = this.findSettledDeleted(name);
    this.store.state.keyVault.secrets = this.secrets.filter((s) => s !== secret);
    return noContent();
  }

  recover(name: string): SandboxResponse {
    const secret = this.findSettledDeleted(name);
    secret.deleted = null;
    return json(200, this.bundle(secret, latest(secret), false));
  }

  route(req: SandboxRequest): SandboxResponse {
    const [collection, name, third, ...extra] = req.segments;
    const m = req.method;
    if (extra.length > 0 || collection === undefined)
      throw new VaultError(404, 'NotFound', 'The requested resource was not found.');
    if (name !== undefined && !NAME.test(name))
      throw new VaultError(400, 'BadParameter', `The request URI contains an invalid name: ${name}`);
    if (collection === 'secrets') {
      if (name === undefined && m === 'GET') return this.list(req.query);
      if (name !== undefined && third === undefined && m === 'PUT') return this.set(name, req.rawBody);
      if (name !== undefined && third === undefined && m === 'DELETE') return this.delete(name);
      if (name !== undefined && third === 'versions' && m === 'GET') return this.listVersions(name, req.query);
      if (name !== undefined && third !== undefined && m === 'PATCH') return this.update(name, third, req.rawBody);
      if (name !== undefined && m === 'GET') return this.get(name, third);
    } else {
      if (name === undefined && m === 'GET') return this.listDeleted(req.query);
      if (name !== undefined && third === undefined && m === 'GET') return this.getDeleted(name);
      if (name !== undefined && third === undefined && m === 'DELETE') return this.purge(name);
      if (name !== undefined && third === 'recover' && m === 'POST') return this.recover(name);
    }
    throw new VaultError(405, 'MethodNotAllowed', `The requested method '${m}' is not allowed for this resource.`);
  }
}

/** `/secrets/...` and `/deletedsecrets/...`. */
export async function handleKeyVault(store: SandboxStore, req: SandboxRequest): Promise<SandboxResponse> {
  const challenge = {
    'WWW-Authenticate': `Bearer authorization="${store.url}/${HOME_TENANT_ID}", resource="${VAULT_RESOURCE}"`,
  };
  await delay(store.faults.for(HOME_TENANT_ID).latencyMs);
  store.state.keyVault.calls.total += 1;
  if (req.method !== 'GET') store.state.keyVault.calls.writes += 1;
  try {
    const verified = await verifyBearer(req.headers.authorization, store.keys, VAULT_RESOURCE);
    if (!verified.ok) {
      const message =
        verified.reason === 'missing'
          ? 'AKV10000: Request is missing a Bearer or PoP token.'
          : verified.reason === 'audience'
            ? `AKV10022: Invalid audience. Expected ${VAULT_RESOURCE}.`
            : verified.reason === 'expired'
              ? 'AKV10032: Token has expired.'
              : 'AKV10005: Token validation failed.';
      return errorResponse(new VaultError(401, 'Unauthorized', message), challenge);
    }
    const tid = stringClaim(verified.claims, 'tid');
    const appid = stringClaim(verified.claims, 'appid') ?? stringClaim(verified.claims, 'azp');
    if (tid !== HOME_TENANT_ID || appid !== SERVICE_APP.clientId) {
      return errorResponse(
        new VaultError(
          403,
          'Forbidden',
          `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: appid=${appid ?? ''};oid=${stringClaim(verified.claims, 'oid') ?? ''};iss=${stringClaim(verified.claims, 'iss') ?? ''}\r\nVault: sandbox;location=local`,
          'ForbiddenByRbac',
        ),
      );
    }
    return new Vault(store, store.url).route(req);
  } catch (error) {
    if (error instanceof VaultError) return errorResponse(error);
    throw error;
  } finally {
    store.save();
  }
}

/** A request body as Key Vault reads it: JSON, then the operation's schema; 400 BadParameter naming the property. */
function parseVaultBody<S extends z.ZodType>(
  rawBody: string,
  schema: S,
  property: string,
  problem: string,
): z.infer<S> {
  let body: unknown;
  try {
    body = parseJsonBody(rawBody);
  } catch {
    throw new VaultError(400, 'BadParameter', 'The request body is not valid JSON.');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path.join('.');
    throw new VaultError(400, 'BadParameter', `Property '${path || property}' ${problem}.`);
  }
  return parsed.data;
}
