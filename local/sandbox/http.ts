import type { IncomingMessage } from 'node:http';

/** One request as every part of the sandbox sees it (also used for the items of a Graph $batch). */
export interface SandboxRequest {
  readonly method: string;
  /** Path segments after the origin, already percent-decoded. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The raw body text ('' when none). */
  readonly rawBody: string;
}

export interface SandboxResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON-serialisable value, a preformatted string, or undefined for no body. */
  body?: unknown;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers }, body };
}

export function noContent(headers: Record<string, string> = {}): SandboxResponse {
  return { status: 204, headers };
}

const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Splits a path into decoded segments; undefined when the percent-encoding is broken. */
export function splitPath(pathname: string): string[] | undefined {
  try {
    return pathname
      .split('/')
      .filter((s) => s.length > 0)
      .map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

export function headerRecord(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(req.headers))
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** Parses a JSON body; undefined for an empty body, a SyntaxError for malformed JSON. */
export function parseJsonBody(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  return JSON.parse(raw) as unknown;
}
