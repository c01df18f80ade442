import { randomUUID } from 'node:crypto';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionsWithTrigger, installFunctionsCore } from '../../local/host/functionsCore';
import { CONTOSO, HOME_USERS } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { connectQuickTargets, QUICK_TARGET_ID } from '../support/quickTargets';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Hostile input against every HTTP endpoint the app registers (taken from the function registry,
 * so a new endpoint is fuzzed without touching this file): malformed and adversarial bodies, ids
 * and query strings — wrong types, huge and deep JSON, prototype-pollution keys, unicode tricks,
 * OData injection, path traversal — sent by anonymous callers, a technician and an admin.
 * Property: never a 5xx; every refusal is problem+json whose status matches; and afterwards no
 * table row and no directory object has changed. FUZZ_RUNS sets the number of requests.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
let t: TestStack;
const tokens: Record<'none' | 'technician' | 'admin', string | undefined> = {
  none: undefined,
  technician: undefined,
  admin: undefined,
};

interface Endpoint {
  readonly name: string;
  readonly route: string;
  readonly methods: readonly string[];
}

let endpoints: Endpoint[] = [];

/** Endpoints whose POST only reads (or runs idempotent housekeeping), so a 2xx is no change. */
const SAFE_POSTS = new Set(['entitlements/check', 'ops/reconcile', 'tenants/{tenantId}/verify']);

beforeAll(async () => {
  t = await startTestStack();
  await connectQuickTargets(getServices().deps, [CONTOSO]);
  tokens.technician = await t.client.token(HOME_USERS.dave.userPrincipalName);
  tokens.admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
  endpoints = functionsWithTrigger(installFunctionsCore(), 'httpTrigger').map((fn) => {
    const binding = Object.values(fn.metadata.bindings).find((b) => b.type === 'httpTrigger');
    return {
      name: fn.name,
      route: typeof binding?.route === 'string' ? binding.route : fn.name,
      methods: ((binding?.methods as string[] | undefined) ?? ['GET']).map((m) => m.toUpperCase()),
    };
  });
}, 60_000);

afterAll(async () => {
  await t?.stack.close();
});

const hostileStrings = fc.constantFrom(
  "' or 1 eq 1",
  "x' or startswith(userPrincipalName,'",
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  'a'.repeat(3000),
  '\u202egnp.exe',
  'zero\u200bwidth',
  '😀'.repeat(50),
  'null',
  '-1',
  '1e309',
  '00000000-0000-0000-0000-000000000000',
  '$filter=true',
  '<script>alert(1)</script>',
  'jit-alice@contoso.example',
  'breakglass@contoso.example',
  QUICK_TARGET_ID,
  CONTOSO.id,
);

const segment = fc.oneof(hostileStrings, fc.string({ maxLength: 40 }), fc.uuid());

const hostileJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record(
    {
      tenantId: fc.oneof(fc.uuid(), hostileStrings, fc.integer()),
      targetId: fc.oneof(hostileStrings, fc.boolean()),
      duration: fc.oneof(fc.string(), fc.integer(), fc.constant('P99999D')),
    },
    { requiredKeys: [] },
  ),
  fc.constant({ __proto__: { isAdmin: true }, constructor: { prototype: { roles: ['Jit.Admin'] } } }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}}') as unknown),
  fc.array(fc.constant({}), { maxLength: 3 }).map((a) => ({ nested: a })),
  fc.string({ maxLength: 200 }).map((s) => ({ justification: s, reason: s, comment: s })),
);

const rawBody = fc.oneof(
  hostileJson.map((v) => JSON.stringify(v) ?? 'null'),
  fc.constant('['.repeat(5000) + ']'.repeat(5000)),
  fc.constant('{"a":' + '"x"'.padEnd(70_000, 'x') + '}'),
  fc.string({ maxLength: 300 }),
  fc.constant('{"tenantId": "'),
  fc.constant(''),
);

const fuzzCase = fc.record({
  endpoint: fc.nat(),
  method: fc.nat(),
  params: fc.array(segment, { minLength: 4, maxLength: 4 }),
  query: fc.option(
    fc.dictionary(
      fc.constantFrom('status', 'tenantId', 'limit', 'continuationToken', 'force', 'awaiting', 'mine', '$filter', 'x'),
      segment,
      { maxKeys: 3 },
    ),
  ),
  body: fc.option(rawBody),
  contentType: fc.constantFrom(
    'application/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/json; charset=utf-16',
    '',
  ),
  caller: fc.constantFrom<'none' | 'technician' | 'admin'>('none', 'technician', 'admin'),
});

async function snapshot(): Promise<string> {
  const connection = t.stack.tablesConnectionString;
  const service = TableServiceClient.fromConnectionString(connection, { allowInsecureConnection: true });
  const rows: string[] = [];
  for await (const table of service.listTables()) {
    const name = table.name ?? '';
    // Refusals are audited and the task hub records its own bookkeeping: neither is a state change.
    if (/audit|hub/i.test(name)) continue;
    const client = TableClient.fromConnectionString(connection, name, { allowInsecureConnection: true });
    for await (const entity of client.listEntities()) {
      // `verify` (a safe POST) keeps each tenant's latest check result for the readiness list.
      if (/tenants$/i.test(name) && entity.partitionKey === 'verification') continue;
      rows.push(`${name}/${entity.partitionKey}/${entity.rowKey}/${entity.etag}`);
    }
  }
  const state = await t.client.state();
  return JSON.stringify({
    rows: rows.sort(),
    writes: state.tenants.map((x) => [x.id, x.calls.writes]),
    secrets: state.keyVault.secrets.length,
  });
}

describe('hostile input', () => {
  it(`${RUNS} adversarial requests: no 5xx, problem+json refusals, no state change`, async () => {
    const before = await snapshot();
    const statuses = new Map<number, number>();
    let routingMisses = 0;
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (c) => {
        const endpoint = endpoints[c.endpoint % endpoints.length];
        if (endpoint === undefined) throw new Error('no endpoints registered');
        const method = endpoint.methods[c.method % endpoint.methods.length] ?? 'GET';
        let i = 0;
        // Real ids reach deeper code, but an admin's DELETE of a real object is a legitimate change,
        // not junk: those get ids that exist nowhere.
        const params = method === 'DELETE' && c.caller === 'admin' ? c.params.map(() => randomUUID()) : c.params;
        const path = endpoint.route.replace(/\{[^}]+\}/g, () => encodeURIComponent(params[i++ % params.length] ?? 'x'));
        const query = c.query === null ? '' : `?${new URLSearchParams(c.query).toString()}`;
        const headers: Record<string, string> = {};
        const token = tokens[c.caller];
        if (token !== undefined) headers.Authorization = `Bearer ${token}`;
        if (c.contentType !== '') headers['Content-Type'] = c.contentType;
        const hasBody = c.body !== null && method !== 'GET' && method !== 'HEAD';
        const response = await t.client.api(method, `/${path}${query}`, {
          headers,
          ...(hasBody ? { rawBody: c.body ?? '' } : {}),
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const where = `${method} /${path}${query} as ${c.caller}: ${response.status} ${response.text.slice(0, 300)}`;
        expect(response.status, where).toBeLessThan(500);
        if ((response.status === 404 || response.status === 405) && response.text === '') {
          // The host's router found no function for the URL (as Azure's answers): not the app's answer.
          routingMisses++;
        } else if (response.status >= 400) {
          expect(response.headers.get('content-type') ?? '', where).toMatch(/^application\/problem\+json/);
          expect((response.body as { status?: unknown }).status, where).toBe(response.status);
        } else if (method !== 'GET' && !SAFE_POSTS.has(endpoint.route)) {
          throw new Error(`a junk request changed something: ${where}`);
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31), verbose: 1 },
    );
    expect(await snapshot()).toBe(before);
    console.log(
      `fuzz: ${RUNS} requests over ${endpoints.length} endpoints; statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${routingMisses} host routing misses`,
    );
  }, 600_000);
});
