import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionsWithTrigger, installFunctionsCore, triggerBinding } from '../../local/host/functionsCore';
import { HOME_USERS } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { validateJson } from '../support/jsonSchema';
import { startTestStack, type TestStack } from '../support/stack';
import { API_EXAMPLES } from './openapiExamples';
import { connectHomeTenant } from './workflowSupport';

/**
 * The OpenAPI document: served anonymously, covering every HTTP function the app registers, and
 * one example per operation (./openapiExamples.ts) sent to the live API in story order, its
 * status, headers and answer checked against the documented schema (the webhook example signed
 * here with the secret its integration example revealed, as the document says to sign it).
 */
type Json = Record<string, unknown>;

let t: TestStack;
let doc: Json;
/** The answers to the examples, by operationId, once the examples test has sent them. */
const answers = new Map<string, unknown>();

beforeAll(async () => {
  t = await startTestStack();
  // Webhook technicians are looked up in the home tenant: connected as an admin would connect it.
  await connectHomeTenant(getServices().deps);
  const response = await t.client.api<Json>('GET', '/openapi.json');
  expect(response.status, response.text).toBe(200);
  doc = response.body;
}, 60_000);

afterAll(async () => {
  await t?.stack.close();
});

function operations(): { method: string; path: string; op: Json }[] {
  const paths = doc.paths as Record<string, Record<string, Json>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

function operationById(operationId: string): { method: string; path: string; op: Json } {
  const found = operations().find((o) => o.op.operationId === operationId);
  if (found === undefined) throw new Error(`operation ${operationId} is not in the document`);
  return found;
}

function responseSchema(op: Json, status: number): Json | undefined {
  const response = (op.responses as Record<string, Json>)[String(status)];
  if (response === undefined) throw new Error(`status ${status} is not documented for ${String(op.operationId)}`);
  const content = response.content as Record<string, { schema: Json }> | undefined;
  return content === undefined ? undefined : Object.values(content)[0]?.schema;
}

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3.1 document, served without a token, with every schema a JSON Schema object', () => {
    expect(doc.openapi).toBe('3.1.0');
    const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining([
        'CreateTenantBody',
        'Tenant',
        'Verification',
        'Target',
        'Rule',
        'EntitlementCheckResult',
        'LeaseRequest',
        'Problem',
      ]),
    );
    // Generated from the zod schemas: the connection's secret is write-only, bounds come through.
    expect(JSON.stringify(schemas.Tenant)).not.toContain('secretName');
    expect(schemas.CreateTargetBody).toMatchObject({
      properties: { accessDetails: { maxLength: 400 } },
      additionalProperties: false,
    });
  });

  it('documents Idempotency-Key on submissions, the webhook signature headers, and every request status and end reason', () => {
    const headerParams = (operationId: string) =>
      Object.fromEntries(
        ((operationById(operationId).op.parameters as Json[] | undefined) ?? [])
          .filter((p) => p.in === 'header')
          .map((p) => [p.name as string, p]),
      );
    expect(headerParams('submitRequest')['Idempotency-Key']).toMatchObject({
      required: false,
      schema: { type: 'string', maxLength: 200 },
    });
    const submitted = (operationById('submitRequest').op.responses as Record<string, Json>)['202'];
    expect(submitted?.headers).toMatchObject({
      Location: { required: true },
      'Idempotent-Replayed': { required: false },
    });
    expect(headerParams('receiveWebhook')).toMatchObject({
      'X-Jit-Timestamp': { required: true },
      'X-Jit-Signature': { required: true, schema: { pattern: '^sha256=[0-9a-fA-F]{64}$' } },
    });
    const webhook = operationById('receiveWebhook').op;
    expect(webhook.security).toEqual([]);
    expect(webhook.description).toContain('HMAC-SHA256(secret, timestamp + "." + raw body)');

    const variants = ((doc.components as { schemas: Record<string, Json> }).schemas.LeaseRequest?.oneOf ??
      (doc.components as { schemas: Record<string, Json> }).schemas.LeaseRequest?.anyOf) as Json[];
    const statuses = variants.map((v) => (v.properties as Record<string, Json>).status?.const);
    expect(statuses.sort()).toEqual([
      'active',
      'ended',
      'failed',
      'pending_approval',
      'provisioning',
      'revocation_failed',
      'revoking',
      'scheduled',
    ]);
    const ended = variants.find((v) => (v.properties as Record<string, Json>).status?.const === 'ended');
    expect(((ended?.properties as Record<string, Json>).endReason?.enum as string[]).sort()).toEqual([
      'approval_expired',
      'denied',
      'entitlement_lost',
      'expired',
      'requester_offboarded',
      'revoked',
      'withdrawn',
    ]);
    const listParams = ((operationById('listRequests').op.parameters as Json[]) ?? []).map((p) => p.name);
    expect(listParams).toEqual(['status', 'tenantId', 'mine', 'awaiting', 'decidedBy', 'limit', 'continuationToken']);
  });

  it('documents every HTTP function the app registers, and nothing else', () => {
    const registered = functionsWithTrigger(installFunctionsCore(), 'httpTrigger').flatMap((fn) => {
      const { binding } = triggerBinding(fn);
      const route = `/${typeof binding.route === 'string' ? binding.route : fn.name}`;
      return (binding.methods as string[]).map((m) => `${m.toUpperCase()} ${route}`);
    });
    const documented = operations().map((o) => `${o.method} ${o.path}`);
    expect(registered.length).toBeGreaterThan(20);
    expect(documented.sort()).toEqual([...new Set(registered)].sort());
  });

  it('has one example per documented operation, each body valid against the request schema it is sent to', () => {
    const documented = operations().map(({ op }) => String(op.operationId));
    expect(API_EXAMPLES.map((e) => e.operationId).sort()).toEqual(documented.sort());
    let checked = 0;
    for (const example of API_EXAMPLES) {
      if (example.body === undefined) continue;
      const requestBody = operationById(example.operationId).op.requestBody as
        { content: Record<string, { schema: Json }> } | undefined;
      const schema = requestBody?.content['application/json']?.schema;
      expect(schema, `${example.operationId} takes no body`).toBeDefined();
      expect(validateJson(example.body, schema ?? {}, doc), example.operationId).toEqual([]);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('every documented example, sent to the live API in order, answers the documented status with the documented shape', async () => {
    const tokens = {
      admin: await t.client.token(HOME_USERS.carol.userPrincipalName),
      approver: await t.client.token(HOME_USERS.bob.userPrincipalName),
      technician: await t.client.token(HOME_USERS.alice.userPrincipalName),
    };
    const resolveParam = (value: string): string => {
      const reference = /^\$response\.(\w+)#\/(\w+)$/.exec(value);
      if (reference === null) return value;
      const body = answers.get(reference[1] ?? '') as Json | undefined;
      return String(body?.[reference[2] ?? '']);
    };
    let sent = 0;
    for (const example of API_EXAMPLES) {
      const { operationId } = example;
      const { method, path, op } = operationById(operationId);
      let url = path.replace(/\{(\w+)\}/g, (_m, name: string) =>
        encodeURIComponent(resolveParam(example.pathParams?.[name] ?? '')),
      );
      if (example.query !== undefined)
        url += `?${new URLSearchParams(Object.entries(example.query).map(([k, v]): [string, string] => [k, resolveParam(v)])).toString()}`;
      const send = () => {
        const headers: Record<string, string> = { ...(example.headers ?? {}) };
        const options = { ...(example.caller !== null ? { token: tokens[example.caller] } : {}), headers };
        if (example.signedWith === undefined)
          return t.client.api(method, url, {
            ...options,
            ...(example.body !== undefined ? { body: example.body } : {}),
          });
        // As the document says: X-Jit-Signature = sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>.
        const rawBody = JSON.stringify(example.body);
        const timestamp = String(Math.floor(Date.now() / 1000));
        const signature = `sha256=${createHmac('sha256', resolveParam(example.signedWith)).update(`${timestamp}.${rawBody}`).digest('hex')}`;
        return t.client.api(method, url, {
          ...options,
          rawBody,
          headers: {
            ...headers,
            'Content-Type': 'application/json',
            'X-Jit-Timestamp': timestamp,
            'X-Jit-Signature': signature,
          },
        });
      };
      let response = await send();
      const deadline = Date.now() + 30_000;
      while (example.retryUntilStatus === true && response.status !== example.status && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        response = await send();
      }
      expect(response.status, `${operationId}: ${method} ${url} → ${response.text.slice(0, 500)}`).toBe(example.status);
      const schema = responseSchema(op, example.status);
      if (schema === undefined) expect(response.text, operationId).toBe('');
      else
        expect(validateJson(response.body, schema, doc), `${operationId}: ${response.text.slice(0, 500)}`).toEqual([]);
      const headers = ((op.responses as Record<string, Json>)[String(example.status)]?.headers ?? {}) as Record<
        string,
        { required?: boolean }
      >;
      for (const [header, spec] of Object.entries(headers)) {
        if (spec.required === true)
          expect(response.headers.get(header), `${operationId} header ${header}`).toBeTruthy();
        else if (header !== 'Idempotent-Replayed')
          expect.fail(`${operationId}: optional response header ${header} is not checked by this test`);
      }
      if ('Idempotent-Replayed' in headers) {
        // Sent again (same key or deliveryId, same body): the first answer, marked as a replay.
        expect(response.headers.get('Idempotent-Replayed'), operationId).toBeNull();
        const replay = await send();
        expect(replay.status, `${operationId} replay: ${replay.text.slice(0, 500)}`).toBe(example.status);
        expect(replay.headers.get('Idempotent-Replayed'), `${operationId} replay`).toBe('true');
        expect(replay.body, `${operationId} replay`).toEqual(response.body);
      }
      answers.set(operationId, response.body);
      sent += 1;
    }
    expect(sent).toBe(operations().length);
  });

  it('errors answer with the documented problem shape', async () => {
    const admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
    const { op } = operationById('createTenant');
    const bad = await t.client.api('POST', '/tenants', { token: admin, body: { tenantId: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(validateJson(bad.body, responseSchema(op, 400) ?? {}, doc)).toEqual([]);
    const anonymous = await t.client.api('GET', '/tenants');
    expect(validateJson(anonymous.body, responseSchema(operationById('listTenants').op, 401) ?? {}, doc)).toEqual([]);
    // A webhook with a signature that does not match its body: the documented 401 (on an
    // integration of its own: the examples deleted theirs).
    const integration = await t.client.api<{ integrationId: string }>('POST', '/integrations', {
      token: admin,
      body: { name: 'Problem shapes' },
    });
    expect(integration.status, integration.text).toBe(201);
    const forged = await t.client.api('POST', `/webhooks/${integration.body.integrationId}`, {
      rawBody: '{}',
      headers: {
        'Content-Type': 'application/json',
        'X-Jit-Timestamp': String(Math.floor(Date.now() / 1000)),
        'X-Jit-Signature': `sha256=${'0'.repeat(64)}`,
      },
    });
    expect(forged.status, forged.text).toBe(401);
    expect(validateJson(forged.body, responseSchema(operationById('receiveWebhook').op, 401) ?? {}, doc)).toEqual([]);
  });
});
