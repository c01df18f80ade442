import { z } from 'zod';
import { ADMIN_ROLE } from '../domain/caller';
import { slugSchema } from '../domain/config';
import type { HttpOperation } from './operations/operation';
import { NAMED_SCHEMAS } from './operations/schemas';

/**
 * The OpenAPI 3.1 document, generated from the operation table (src/http/operations) and the same
 * zod schemas the handlers parse with (request bodies as input, answers as output). Example values
 * live with the tests (test/e2e/openapiExamples.ts), which send one request per operation and check
 * each answer against this document.
 */
type JsonSchema = Record<string, unknown>;

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const generated = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
  delete generated.$schema;
  return generated;
}

const GUID = { type: 'string', format: 'uuid' };
const SLUG = toJsonSchema(slugSchema, 'input');

/** What the handlers accept in each path parameter (anything else is a 404 naming the id's form). */
const PATH_PARAMETERS: Readonly<Record<string, { readonly description: string; readonly schema: JsonSchema }>> = {
  id: { description: 'The request id (a GUID)', schema: GUID },
  tenantId: { description: "The customer tenant's directory id (a GUID)", schema: GUID },
  integrationId: { description: 'The integration id (a GUID)', schema: GUID },
  targetId: { description: 'The target id, unique in its tenant', schema: SLUG },
  ruleId: { description: 'The rule id', schema: SLUG },
  templateId: { description: 'The template id (also the id of the targets it makes)', schema: SLUG },
};

function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

function operationObject(op: HttpOperation): JsonSchema {
  const parameters: JsonSchema[] = [];
  for (const name of op.path.match(/\{(\w+)\}/g) ?? []) {
    const param = name.slice(1, -1);
    const known = PATH_PARAMETERS[param];
    parameters.push({
      name: param,
      in: 'path',
      required: true,
      ...(known !== undefined ? { description: known.description } : {}),
      schema: known?.schema ?? { type: 'string' },
    });
  }
  for (const q of op.query ?? [])
    parameters.push({
      name: q.name,
      in: 'query',
      required: q.required ?? false,
      description: q.description,
      schema: q.schema,
    });
  for (const h of op.requestHeaders ?? [])
    parameters.push({
      name: h.name,
      in: 'header',
      required: h.required ?? false,
      description: h.description,
      schema: h.schema,
    });
  if (op.conditional === true) {
    parameters.push({
      name: 'If-Match',
      in: 'header',
      required: false,
      description: 'The ETag you read: the change is refused with 412 if the resource changed since',
      schema: { type: 'string' },
    });
  }
  const responses: Record<string, JsonSchema> = {};
  for (const [status, response] of Object.entries(op.responses)) {
    const body =
      response.schema === undefined
        ? undefined
        : response.schema === 'Problem'
          ? 'application/problem+json'
          : 'application/json';
    responses[status] = {
      description: response.description,
      ...(response.headers !== undefined
        ? {
            headers: Object.fromEntries(
              response.headers.map((h) =>
                typeof h === 'string'
                  ? [h, { required: true, schema: { type: 'string' } }]
                  : [h.name, { description: h.description, required: h.required, schema: { type: 'string' } }],
              ),
            ),
          }
        : {}),
      ...(body !== undefined && response.schema !== undefined
        ? {
            content: {
              [body]: { schema: ref(response.schema) },
              ...Object.fromEntries(
                (response.alternativeMediaTypes ?? []).map((type) => [type, { schema: { type: 'string' } }]),
              ),
            },
          }
        : {}),
    };
  }
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description !== undefined ? { description: op.description } : {}),
    tags: [op.tag],
    security: op.access === 'anonymous' || op.access === 'signature' ? [] : [{ entraId: [] }],
    'x-required-role': op.access === 'admin' ? ADMIN_ROLE : op.access === 'caller' ? null : undefined,
    ...(op.access === 'signature'
      ? {
          'x-authentication':
            'HMAC-SHA256 signature of the integration (see the X-Jit-Timestamp and X-Jit-Signature parameters)',
        }
      : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.requestBody !== undefined
      ? {
          requestBody: {
            required: op.requestBodyRequired ?? true,
            content: { 'application/json': { schema: ref(op.requestBody) } },
          },
        }
      : {}),
    responses,
  };
}

/** The document is the same for the life of the process: built once per table. */
const cache = new WeakMap<readonly HttpOperation[], JsonSchema>();

export function openApiDocument(operations: readonly HttpOperation[]): JsonSchema {
  const cached = cache.get(operations);
  if (cached !== undefined) return cached;
  const schemas: Record<string, JsonSchema> = {};
  for (const [name, entry] of Object.entries(NAMED_SCHEMAS)) schemas[name] = toJsonSchema(entry.schema, entry.io);
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of operations) {
    paths[op.path] ??= {};
    const item = paths[op.path];
    if (item !== undefined) item[op.method.toLowerCase()] = operationObject(op);
  }
  const document: JsonSchema = {
    openapi: '3.1.0',
    info: {
      title: 'Entra JIT',
      version: '0.1.0',
      description:
        'Just-in-time admin access to Microsoft Entra ID tenants. Callers send an Entra access token of the home tenant (Authorization: Bearer). ' +
        'Errors are RFC 9457 problem details. Configuration, audit, integration and reconciler endpoints need the Jit.Admin app role; deciding requests needs Jit.Approver ' +
        "or being one of the target's approvers. Ticketing webhooks carry no token: they are signed with their integration's secret.",
    },
    servers: [{ url: '/api' }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        entraId: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: "An Entra access token for the API's app registration, from the home tenant",
        },
      },
    },
  };
  cache.set(operations, document);
  return document;
}
