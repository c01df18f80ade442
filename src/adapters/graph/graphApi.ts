import {
  Client,
  GraphError,
  MiddlewareFactory,
  RetryHandlerOptions,
  type GraphRequest,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { z } from 'zod';
import { DependencyError, TransientDependencyError } from '../../domain/errors';
import { WriteBudgetMiddleware, writeLimitReachedIn, type GraphPriority, type GraphWriteBudget } from './writeBudget';

/**
 * One customer tenant's Microsoft Graph connection, and the one place Graph failures become the
 * domain's typed errors. The client's own RetryHandler stays in the pipeline and honours
 * Retry-After on 429/503/504; we only change how long it may keep trying: up to 10 retries as
 * long as the next wait still fits a time budget per call (60 s by default), instead of a fixed 3.
 * What still fails after that surfaces as a TransientDependencyError, and the orchestration's
 * retry policy takes over.
 */
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const GRAPH_HOSTS = new Set(['graph.microsoft.com']);

/** How a 404 right after creating an object (Entra replication lag) is retried. */
export interface ReplicationRetry {
  /** Waits before each further attempt; their count is the number of retries. */
  readonly delaysInMs: readonly number[];
}

/** About 15 s in all: enough for the usual lag; beyond that the orchestration retries later. */
export const DEFAULT_REPLICATION_RETRY: ReplicationRetry = { delaysInMs: [500, 1000, 2000, 4000, 8000] };

/** How long one call may spend waiting out throttling (Retry-After) before giving up for now. */
export const DEFAULT_THROTTLE_BUDGET_MS = 60_000;
/** The RetryHandler's ceiling (RetryHandlerOptions.MAX_MAX_RETRIES). */
const MAX_THROTTLE_RETRIES = 10;
/** The RetryHandler's own default wait, in seconds, when Graph sends no Retry-After. */
const DEFAULT_RETRY_DELAY_S = 3;

export interface GraphApiOptions {
  readonly replication?: ReplicationRetry;
  readonly throttleBudgetInMs?: number;
  /** Told when the tenant's credential is refused, so the next call builds a fresh one. */
  readonly onCredentialRefused?: () => void;
  /** Client-side write limits shared by every tenant's client, and this client's priority. */
  readonly writeBudget?: { readonly budget: GraphWriteBudget; readonly priority: GraphPriority };
}

/** Builds one request, with this call's retry options attached. */
export type GraphRequestFactory = (path: string) => GraphRequest;

export interface GraphCall<T> {
  /** What the call does, for messages: "create user jit-alice@contoso.example". */
  readonly operation: string;
  /** The permission Graph wants for it, named when Graph refuses (403). */
  readonly permission: string;
  /** Retry 404s: the object was just created (or is known to exist) and may not have replicated. */
  readonly awaitReplication?: boolean;
  /** Turns an expected Graph error into a result (404 → null, "already exists" → done). */
  readonly expected?: (error: GraphError) => { readonly value: T } | undefined;
  /** The error for a 404 that means "the object the caller named does not exist". */
  readonly notFound?: () => Error;
  /**
   * The objects the call names. A 404 is not always replication lag: when one persists, each is
   * read, and one that does not exist fails the call for good (its `gone` error) instead of a
   * transient "not replicated yet" that would be retried again and again.
   */
  readonly mustExist?: readonly NamedObject[];
}

/** An object a call names, and how to tell that it is gone. */
export interface NamedObject {
  /** Where to read it: "/groups/{id}". */
  readonly path: string;
  /** The permission reading it needs, for the message should Graph refuse. */
  readonly permission: string;
  /** The permanent error when it does not exist. */
  readonly gone: () => Error;
  /**
   * It existed before this lease began (a target's group or role): a 404 for it is never
   * replication lag, so it is read at the first 404. Others (the account just created) are read
   * only once the lag allowance is spent.
   */
  readonly preexisting: boolean;
}

/**
 * One Graph request described as data, so that it can go out alone or as one item of a JSON
 * $batch (GraphApi.batch) with the same meaning: the same expected answers, retries and errors.
 */
export interface GraphStep<T> {
  readonly call: GraphCall<T>;
  readonly schema: z.ZodType<T>;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the version root, already checked and encoded: "/users/{id}". */
  readonly path: string;
  /** Query values as given (OData); encoded here. */
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** The results of a batch, in the order of its steps. */
export type StepResults<S extends readonly GraphStep<unknown>[]> = {
  -readonly [K in keyof S]: S[K] extends GraphStep<infer R> ? R : never;
};

/** One page of a collection. */
export interface GraphPage<T> {
  readonly value: T[];
  readonly '@odata.nextLink'?: string | undefined;
}

/** Graph takes at most 20 requests in one $batch. */
export const MAX_BATCH_REQUESTS = 20;
/** What the RetryHandler retries on its own, and what we retry for an item of a batch. */
const RETRYABLE_STATUSES = new Set([429, 503, 504]);

const batchResponseSchema = z.object({
  responses: z.array(
    z.object({
      id: z.string(),
      status: z.number(),
      headers: z.record(z.string(), z.string()).nullish(),
      body: z.unknown().optional(),
    }),
  ),
});
type BatchItemResponse = z.infer<typeof batchResponseSchema>['responses'][number];

type ItemOutcome =
  | { readonly kind: 'done'; readonly value: unknown }
  | { readonly kind: 'again'; readonly waitMs: number; readonly replication: boolean };

/** Raised by the token wrapper so a login failure keeps its meaning through the Graph client. */
const TOKEN_FAILED = 'JitTokenAcquisitionFailed';
const TOKEN_TRANSIENT = 'JitTokenAcquisitionTransient';

export class GraphApi {
  private readonly client: Client;
  /** Graph's base URL without a trailing slash (and without /v1.0). */
  readonly baseUrl: string;

  private readonly replication: ReplicationRetry;
  private readonly throttleBudgetInMs: number;
  private readonly onCredentialRefused: () => void;

  constructor(
    readonly tenantId: string,
    graphBaseUrl: string,
    /** The tenant's credential, for an explicit sign-in check (graphVerification.ts). */
    readonly credential: TokenCredential,
    options: GraphApiOptions = {},
  ) {
    this.replication = options.replication ?? DEFAULT_REPLICATION_RETRY;
    this.throttleBudgetInMs = options.throttleBudgetInMs ?? DEFAULT_THROTTLE_BUDGET_MS;
    this.onCredentialRefused = options.onCredentialRefused ?? (() => undefined);
    this.baseUrl = graphBaseUrl.replace(/\/+$/, '');
    const base = new URL(this.baseUrl);
    // The client attaches the token only to graph.microsoft.com and to `customHosts` (hostnames,
    // no port); for any other Graph endpoint (the local sandbox) it would silently send none.
    const customHosts = GRAPH_HOSTS.has(base.hostname) ? undefined : new Set([base.hostname]);
    const authProvider = new TokenCredentialAuthenticationProvider(new GuardedCredential(credential), {
      scopes: [GRAPH_SCOPE],
    });
    // The default chain (auth, retry, redirect, telemetry, HTTP) with the write budget just before
    // the HTTP handler, so every attempt that leaves is counted, retries included.
    const middleware = MiddlewareFactory.getDefaultMiddlewareChain(authProvider);
    if (options.writeBudget !== undefined) {
      middleware.splice(
        middleware.length - 1,
        0,
        new WriteBudgetMiddleware(options.writeBudget.budget, tenantId, options.writeBudget.priority),
      );
    }
    this.client = Client.initWithMiddleware({
      middleware,
      baseUrl: `${this.baseUrl}/`,
      defaultVersion: 'v1.0',
      ...(customHosts === undefined ? {} : { customHosts }),
    });
  }

  /** One Graph request; its result is read with `schema` (Graph answers PATCH/DELETE with no body). */
  async run<S extends z.ZodType>(
    call: GraphCall<z.output<S>>,
    schema: S,
    send: (request: GraphRequestFactory) => Promise<unknown>,
  ): Promise<z.output<S>> {
    const delays = call.awaitReplication === true ? this.replication.delaysInMs : [];
    for (let attempt = 0; ; attempt++) {
      let body: unknown;
      try {
        body = await send((path) => this.client.api(path).middlewareOptions([this.throttleRetry()]));
      } catch (error) {
        if (error instanceof GraphError) {
          const expected = call.expected?.(error);
          if (expected !== undefined) return expected.value;
          const wait = delays[attempt];
          if (isNotYetReplicated(error))
            await this.failIfGone(call, wait === undefined ? 'all' : attempt === 0 ? 'preexisting' : 'none');
          if (wait !== undefined && isNotYetReplicated(error)) {
            await sleep(wait);
            continue;
          }
          if (isNotYetReplicated(error) && delays.length > 0) throw this.stillNotReplicated(call);
          if (error.statusCode === 404 && call.notFound !== undefined) throw call.notFound();
        }
        throw this.toDirectoryError(error, call);
      }
      const parsed = schema.safeParse(body);
      if (!parsed.success) {
        throw new DependencyError(
          `Graph ${call.operation} in tenant ${this.tenantId}: unexpected response shape`,
          'graph',
          'UnexpectedResponse',
        );
      }
      return parsed.data;
    }
  }

  /** One step on its own: no $batch envelope around a single request. */
  runStep<T>(step: GraphStep<T>): Promise<T> {
    return this.run(step.call, step.schema, (request) => {
      const built = step.query === undefined ? request(step.path) : request(step.path).query(encodeQuery(step.query));
      switch (step.method) {
        case 'GET':
          return built.get();
        case 'POST':
          return built.post(step.body ?? {});
        case 'PATCH':
          return built.patch(step.body);
        case 'DELETE':
          return built.delete();
      }
    });
  }

  /**
   * Several independent steps in as few round trips as Graph allows: JSON $batch, 20 requests per
   * call. Graph answers each item on its own (a throttled item is a 429 inside an outer 200), so
   * each is settled as `run` settles a lone request: expected answers become results, an item not
   * yet replicated or throttled (429/503/504) is sent again in the next round after its wait, and
   * anything else fails the whole batch with the one error mapping. Items may run in any order and
   * in parallel: only steps that do not depend on each other belong in one batch. Every step must
   * be idempotent, as a failed batch is retried whole by the activity.
   */
  async batch<const S extends readonly GraphStep<unknown>[]>(steps: S): Promise<StepResults<S>> {
    const results: unknown[] = new Array<unknown>(steps.length);
    const only = steps.length === 1 ? steps[0] : undefined;
    if (only !== undefined) {
      results[0] = await this.runStep(only);
      return results as StepResults<S>;
    }
    const replicationRetries = steps.map(() => 0);
    const deadline = Date.now() + this.throttleBudgetInMs;
    let pending = steps.map((_, index) => index);
    for (let round = 1; pending.length > 0; round++) {
      const again: number[] = [];
      let waitMs = 0;
      for (let start = 0; start < pending.length; start += MAX_BATCH_REQUESTS) {
        const chunk = pending.slice(start, start + MAX_BATCH_REQUESTS);
        const responses = await this.sendBatch(chunk.map((index) => [index, stepAt(steps, index)] as const));
        for (const index of chunk) {
          const outcome = await this.settleItem(
            stepAt(steps, index),
            responses.get(String(index)),
            replicationRetries[index] ?? 0,
            round,
            deadline,
          );
          if (outcome.kind === 'done') {
            results[index] = outcome.value;
            continue;
          }
          again.push(index);
          waitMs = Math.max(waitMs, outcome.waitMs);
          if (outcome.replication) replicationRetries[index] = (replicationRetries[index] ?? 0) + 1;
        }
      }
      pending = again;
      if (pending.length > 0) await sleep(waitMs);
    }
    return results as StepResults<S>;
  }

  /** A step reading the first page of a collection (for a batch); `restOfList` reads the others. */
  listStep<T>(
    call: Omit<GraphCall<never>, 'expected'> & { readonly expected?: GraphCall<GraphPage<T>>['expected'] },
    itemSchema: z.ZodType<T>,
    path: string,
    query: Readonly<Record<string, string>>,
  ): GraphStep<GraphPage<T>> {
    const schema: z.ZodType<GraphPage<T>> = z.object({
      value: z.array(itemSchema),
      '@odata.nextLink': z.string().optional(),
    });
    return { call, schema, method: 'GET', path, query };
  }

  /** Every item of a collection from its first page on, following @odata.nextLink. */
  async restOfList<T>(step: GraphStep<GraphPage<T>>, first: GraphPage<T>): Promise<T[]> {
    const items = [...first.value];
    let next = first['@odata.nextLink'];
    while (next !== undefined) {
      const url = next;
      const page = await this.run(step.call, step.schema, (request) => request(url).get());
      items.push(...page.value);
      next = page['@odata.nextLink'];
    }
    return items;
  }

  /** Every page of a collection, following @odata.nextLink. */
  async listAll<T>(
    call: Omit<GraphCall<never>, 'expected'>,
    itemSchema: z.ZodType<T>,
    path: string,
    query: Readonly<Record<string, string>>,
  ): Promise<T[]> {
    const step = this.listStep(call, itemSchema, path, query);
    return this.restOfList(step, await this.runStep(step));
  }

  /** One POST /$batch; its answers by item id. The envelope itself is throttled and retried as any call. */
  private async sendBatch(
    entries: readonly (readonly [number, GraphStep<unknown>])[],
  ): Promise<Map<string, BatchItemResponse>> {
    const requests = entries.map(([index, step]) => {
      const withBody = step.method === 'POST' || step.method === 'PATCH';
      return {
        id: String(index),
        method: step.method,
        url:
          step.query === undefined
            ? step.path
            : `${step.path}?${Object.entries(encodeQuery(step.query))
                .map(([k, v]) => `${k}=${v}`)
                .join('&')}`,
        ...(withBody ? { headers: { 'Content-Type': 'application/json' }, body: step.body ?? {} } : {}),
      };
    });
    const call = {
      operation: `batch of ${entries.length} (${entries.map(([, step]) => step.call.operation).join('; ')})`,
      permission: [...new Set(entries.map(([, step]) => step.call.permission))].join('; '),
    };
    let body: unknown;
    try {
      body = await this.client.api('/$batch').middlewareOptions([this.throttleRetry()]).post({ requests });
    } catch (error) {
      throw this.toDirectoryError(error, call);
    }
    const parsed = batchResponseSchema.safeParse(body);
    if (!parsed.success)
      throw new DependencyError(
        `Graph ${call.operation} in tenant ${this.tenantId}: unexpected response shape`,
        'graph',
        'UnexpectedResponse',
      );
    return new Map(parsed.data.responses.map((item) => [item.id, item]));
  }

  /** One item's answer, settled as `run` settles a lone request's. */
  private async settleItem(
    step: GraphStep<unknown>,
    item: BatchItemResponse | undefined,
    replicationRetries: number,
    round: number,
    deadline: number,
  ): Promise<ItemOutcome> {
    const where = `Graph ${step.call.operation} in tenant ${this.tenantId}`;
    if (item === undefined)
      throw new DependencyError(`${where}: no answer for it in the batch response`, 'graph', 'UnexpectedResponse');
    if (item.status >= 200 && item.status < 300) {
      const parsed = step.schema.safeParse(item.body);
      if (!parsed.success)
        throw new DependencyError(`${where}: unexpected response shape`, 'graph', 'UnexpectedResponse');
      return { kind: 'done', value: parsed.data };
    }
    const error = batchItemError(item);
    const expected = step.call.expected?.(error);
    if (expected !== undefined) return { kind: 'done', value: expected.value };
    if (step.call.awaitReplication === true && isNotYetReplicated(error)) {
      const wait = this.replication.delaysInMs[replicationRetries];
      await this.failIfGone(step.call, wait === undefined ? 'all' : replicationRetries === 0 ? 'preexisting' : 'none');
      if (wait === undefined) throw this.stillNotReplicated(step.call);
      return { kind: 'again', waitMs: wait, replication: true };
    }
    if (RETRYABLE_STATUSES.has(item.status) && round <= MAX_THROTTLE_RETRIES) {
      const waitMs = retryAfterMs(headerOf(item.headers, 'Retry-After')) ?? handlerBackoffMs(round);
      if (Date.now() + waitMs <= deadline) return { kind: 'again', waitMs, replication: false };
    }
    if (error.statusCode === 404 && step.call.notFound !== undefined) throw step.call.notFound();
    throw this.toDirectoryError(error, step.call);
  }

  /**
   * Reads the objects a call names (`which`: only those that existed before the lease, or all of
   * them once the lag allowance is spent) and throws the `gone` error of the first that does not
   * exist. A read that fails otherwise proves nothing: the caller goes on as before.
   */
  private async failIfGone(
    call: Pick<GraphCall<unknown>, 'mustExist'>,
    which: 'none' | 'preexisting' | 'all',
  ): Promise<void> {
    if (which === 'none') return;
    for (const named of call.mustExist ?? []) {
      if (which === 'preexisting' && !named.preexisting) continue;
      let exists = true;
      try {
        exists = await this.run(
          {
            operation: `check that ${named.path} exists`,
            permission: named.permission,
            expected: (e) => (e.statusCode === 404 ? { value: false } : undefined),
          },
          z.unknown().transform((value) => value !== false),
          (request) => request(named.path).get(),
        );
      } catch {
        continue;
      }
      if (!exists) throw named.gone();
    }
  }

  private stillNotReplicated(call: Pick<GraphCall<unknown>, 'operation'>): TransientDependencyError {
    return new TransientDependencyError(
      `Graph ${call.operation} in tenant ${this.tenantId}: still not found after ${this.replication.delaysInMs.length} retries (replication lag?); try again`,
    );
  }

  /** Retry options for one request: retry while the wait Graph asks for still fits the budget. */
  private throttleRetry(): RetryHandlerOptions {
    const deadline = Date.now() + this.throttleBudgetInMs;
    return new RetryHandlerOptions(
      DEFAULT_RETRY_DELAY_S,
      MAX_THROTTLE_RETRIES,
      (_delay, retriesSoFar, _request, _options, response) => {
        const waitMs = retryAfterMs(response.headers.get('Retry-After')) ?? handlerBackoffMs(retriesSoFar + 1);
        return Date.now() + waitMs <= deadline;
      },
    );
  }

  /** The one mapping from Graph's failures to typed errors. Never includes a request body. */
  toDirectoryError(error: unknown, call: Pick<GraphCall<unknown>, 'operation' | 'permission'>): Error {
    const where = `Graph ${call.operation} in tenant ${this.tenantId}`;
    // Our own write budget refused the write before it left: not Graph's answer, passed on as is.
    const refusal = writeLimitReachedIn(error);
    if (refusal !== undefined) return refusal;
    if (!(error instanceof GraphError)) {
      return error instanceof Error ? error : new Error(`${where} failed: ${String(error)}`);
    }
    const status = error.statusCode;
    const code = error.code ?? undefined;
    if (code === TOKEN_TRANSIENT)
      return new TransientDependencyError(`${where}: the login endpoint is unavailable; try again`);
    if (code === TOKEN_FAILED) {
      this.onCredentialRefused();
      return new DependencyError(
        `${where}: the service could not sign in to the tenant (${error.message}); check the tenant's connection`,
        'login',
        aadstsCode(error.message),
      );
    }
    // No response at all (status -1): the network failed before Graph could answer.
    if (status <= 0 || status === 408 || status === 429 || status >= 500) {
      return new TransientDependencyError(
        `${where} failed (${status > 0 ? `status ${status}` : 'no response'}${code === undefined ? '' : ` ${code}`}); try again`,
      );
    }
    const graphMessage = truncate(error.message);
    if (status === 401) {
      this.onCredentialRefused();
      return new DependencyError(
        `${where}: Graph refused the service's token (${code ?? 'status 401'}): ${graphMessage}`,
        'graph',
        code ?? 'Unauthorized',
      );
    }
    if (status === 403) {
      return new DependencyError(
        `${where} was refused (${code ?? 'status 403'}): the service's app needs ${call.permission} in this tenant. ${graphMessage}`,
        'graph',
        code ?? 'Forbidden',
      );
    }
    return new DependencyError(
      `${where} failed (status ${status}${code === undefined ? '' : ` ${code}`}): ${graphMessage}`,
      'graph',
      code ?? String(status),
    );
  }
}

/**
 * The longest the RetryHandler waits before retry number `retry` when Graph sent no Retry-After
 * (a 503/504 usually has none): 3 s, then an exponential back-off on top of it, plus up to 1 s of
 * randomness. Budgeting with a flat 3 s instead let a run of 503s take well over the budget.
 */
function handlerBackoffMs(retry: number): number {
  const backoffS = retry >= 2 ? Math.round((2 ** retry - 1) / 2) : 0;
  return (backoffS + DEFAULT_RETRY_DELAY_S + 1) * 1000;
}

function retryAfterMs(header: string | null | undefined): number | undefined {
  if (header === null || header === undefined) return undefined;
  const seconds = Number(header);
  if (!Number.isNaN(seconds)) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function headerOf(headers: Readonly<Record<string, string>> | null | undefined, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === wanted)?.[1];
}

function stepAt(steps: readonly GraphStep<unknown>[], index: number): GraphStep<unknown> {
  const step = steps[index];
  if (step === undefined) throw new RangeError(`no batch step ${index}`);
  return step;
}

/** A failed batch item as the GraphError the client would have thrown for it alone. */
function batchItemError(item: BatchItemResponse): GraphError {
  const parsed = z
    .object({ error: z.object({ code: z.string().optional(), message: z.string().optional() }) })
    .safeParse(item.body);
  const error = new GraphError(
    item.status,
    parsed.success ? (parsed.data.error.message ?? '') : `status ${item.status}`,
  );
  error.code = parsed.success ? (parsed.data.error.code ?? null) : null;
  error.body = JSON.stringify(item.body ?? null);
  return error;
}

/** Entra answers 404 (sometimes Directory_ObjectNotFound) for an object not yet on this replica. */
function isNotYetReplicated(error: GraphError): boolean {
  return error.statusCode === 404 || error.code === 'Directory_ObjectNotFound';
}

/**
 * Wraps the tenant's credential so a failed token request reaches our error mapping with its
 * meaning intact: the Graph client turns anything thrown here into a GraphError whose `code` is
 * the thrown error's name.
 */
class GuardedCredential implements TokenCredential {
  constructor(private readonly inner: TokenCredential) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    try {
      return await this.inner.getToken(scopes, options);
    } catch (error) {
      const failure = new Error(describeLoginFailure(error));
      failure.name = isTransientLoginFailure(error) ? TOKEN_TRANSIENT : TOKEN_FAILED;
      throw failure;
    }
  }
}

function describeLoginFailure(error: unknown): string {
  if (error instanceof DependencyError) return error.message;
  if (!(error instanceof Error)) return 'token request failed';
  const aadsts = aadstsCode(error.message);
  return aadsts === undefined ? error.name : `${error.name} ${aadsts}`;
}

function isTransientLoginFailure(error: unknown): boolean {
  if (!(error instanceof Error) || error instanceof DependencyError) return false;
  const status = (error as unknown as Record<string, unknown>).statusCode;
  if (typeof status === 'number') return status === 429 || status >= 500;
  return /network|ECONNREFUSED|ECONNRESET|ETIMEDOUT|fetch failed|socket hang up/i.test(error.message);
}

export function aadstsCode(message: string): string | undefined {
  return /AADSTS\d+/.exec(message)?.[0];
}

/** Graph's query values go into the URL as given by the client library: encode them ourselves. */
export function encodeQuery(query: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, encodeURIComponent(v)]));
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
