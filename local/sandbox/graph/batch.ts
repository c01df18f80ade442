import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { json, parseJsonBody, splitPath, type SandboxRequest, type SandboxResponse } from '../http';
import { GraphError } from './context';

/**
 * POST /v1.0/$batch: up to 20 requests, each answered on its own (its own status, counted and
 * faulted on its own: a throttled item is a 429 inside an outer 200, as Graph does). Graph promises
 * no order between items that do not name each other in `dependsOn`, and may answer them in any
 * order (learn.microsoft.com/en-us/graph/json-batching: "Individual requests can be executed in any
 * order", "responses can appear in a different order"): the sandbox runs and answers them in a
 * shuffled order that respects dependsOn, so nothing can come to rely on the order they were sent
 * in. An item whose dependency failed gets 424 Failed Dependency.
 */
export const MAX_BATCH_REQUESTS = 20;

const itemSchema = z.object({
  id: z.string().min(1),
  method: z.string().min(1),
  url: z.string().min(1),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
  dependsOn: z.array(z.string()).optional(),
});

const batchSchema = z.object({ requests: z.array(itemSchema) });

type Execute = (item: SandboxRequest) => Promise<SandboxResponse>;

function itemRequest(item: z.infer<typeof itemSchema>): SandboxRequest | undefined {
  if (/^[a-z]+:\/\//i.test(item.url)) return undefined;
  const url = new URL(item.url.startsWith('/') ? item.url : `/${item.url}`, 'https://graph.invalid');
  const segments = splitPath(url.pathname);
  if (segments === undefined) return undefined;
  // The SDK strips only the host, so items may still carry the version segment.
  const inner = segments[0]?.toLowerCase() === 'v1.0' ? segments.slice(1) : segments;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(item.headers ?? {})) headers[k.toLowerCase()] = v;
  const rawBody = item.body === undefined ? '' : typeof item.body === 'string' ? item.body : JSON.stringify(item.body);
  return { method: item.method.toUpperCase(), segments: inner, query: url.searchParams, headers, rawBody };
}

/** A random order of the items in which each item comes after every item it depends on. */
function shuffledRespectingDependencies<
  T extends { readonly id: string; readonly dependsOn?: readonly string[] | undefined },
>(items: readonly T[]): T[] {
  const order: T[] = [];
  const done = new Set<string>();
  let waiting = [...items];
  while (waiting.length > 0) {
    const ready = waiting.filter((item) => (item.dependsOn ?? []).every((dep) => done.has(dep)));
    const next = ready[randomInt(ready.length)];
    if (next === undefined) break;
    order.push(next);
    done.add(next.id);
    waiting = waiting.filter((item) => item !== next);
  }
  return order;
}

export async function handleBatch(req: SandboxRequest, execute: Execute): Promise<SandboxResponse> {
  let payload: unknown;
  try {
    payload = parseJsonBody(req.rawBody);
  } catch {
    throw new GraphError(400, 'BadRequest', 'Invalid batch payload format.');
  }
  const parsed = batchSchema.safeParse(payload);
  if (!parsed.success) throw new GraphError(400, 'BadRequest', 'Invalid batch payload format.');
  const items = parsed.data.requests;
  if (items.length > MAX_BATCH_REQUESTS)
    throw new GraphError(
      400,
      'BadRequest',
      `Number of requests in a batch request exceeds the limit of ${MAX_BATCH_REQUESTS}.`,
    );
  const ids = new Set<string>();
  for (const item of items) {
    if (ids.has(item.id))
      throw new GraphError(400, 'BadRequest', `Batch request contains a duplicate request id '${item.id}'.`);
    for (const dep of item.dependsOn ?? []) {
      if (!ids.has(dep))
        throw new GraphError(
          400,
          'BadRequest',
          `Request '${item.id}' depends on '${dep}', which is not an earlier request in the batch.`,
        );
    }
    ids.add(item.id);
  }
  const statuses = new Map<string, number>();
  const responses: Record<string, unknown>[] = [];
  for (const item of shuffledRespectingDependencies(items)) {
    const failedDependency = (item.dependsOn ?? []).some((dep) => {
      const status = statuses.get(dep) ?? 0;
      return status < 200 || status >= 300;
    });
    let res: SandboxResponse;
    const request = itemRequest(item);
    if (failedDependency) {
      res = json(424, {
        error: {
          code: 'FailedDependency',
          message: 'The request could not be performed because a request it depends on failed.',
        },
      });
    } else if (request === undefined) {
      res = json(400, { error: { code: 'BadRequest', message: 'Invalid request URI.' } });
    } else {
      res = await execute(request);
    }
    statuses.set(item.id, res.status);
    const entry: Record<string, unknown> = { id: item.id, status: res.status, headers: res.headers };
    if (res.body !== undefined) entry.body = res.body;
    responses.push(entry);
  }
  return json(200, { responses });
}
