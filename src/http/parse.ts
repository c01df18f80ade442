import type { HttpRequest } from '@azure/functions';
import type { z } from 'zod';
import { fieldProblemsOf, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../domain/errors';

/** Bodies are small JSON documents; anything bigger is refused before it is parsed. */
export const MAX_BODY_BYTES = 64 * 1024;
const MAX_JSON_DEPTH = 32;

/** Reads, size-checks, parses and validates a JSON body; an absent body counts as `{}`. */
export async function readJsonBody<S extends z.ZodType>(request: HttpRequest, schema: S): Promise<z.infer<S>> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw new PayloadTooLargeError(`the body must be at most ${MAX_BODY_BYTES} bytes`);
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`the body must be at most ${MAX_BODY_BYTES} bytes`);
  let value: unknown = {};
  if (bytes.length > 0) {
    const contentType = request.headers.get('content-type') ?? '';
    if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType)) {
      throw new UnsupportedMediaTypeError('send the body as JSON with "Content-Type: application/json"');
    }
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    try {
      value = JSON.parse(text);
    } catch {
      throw new ValidationError([{ field: '(body)', message: 'is not valid JSON' }]);
    }
    if (depthOf(value) > MAX_JSON_DEPTH)
      throw new ValidationError([{ field: '(body)', message: `is nested deeper than ${MAX_JSON_DEPTH} levels` }]);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(fieldProblemsOf(parsed.error));
  return parsed.data;
}

function depthOf(value: unknown, depth = 0): number {
  if (depth > MAX_JSON_DEPTH) return depth;
  if (value === null || typeof value !== 'object') return depth;
  let max = depth + 1;
  for (const child of Object.values(value)) max = Math.max(max, depthOf(child, depth + 1));
  return max;
}

/** A path parameter that must be a GUID (request ids): anything else is a 404, not a lookup. */
export function guidParam(request: HttpRequest, name: string): string | null {
  const value = request.params[name];
  return value !== undefined && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
    ? value.toLowerCase()
    : null;
}
