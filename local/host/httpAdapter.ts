import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpRequest, HttpResponse, type Cookie, type HttpResponseInit } from '@azure/functions';

/** The Functions host refuses request bodies above 100 MB. */
export const MAX_REQUEST_BODY_BYTES = 100 * 1024 * 1024;

export class RequestTooLargeError extends Error {
  constructor() {
    super(`The request body exceeds ${MAX_REQUEST_BODY_BYTES} bytes`);
    this.name = 'RequestTooLargeError';
  }
}

const EMPTY_BODY = Buffer.alloc(0);

export async function readBody(req: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
  // HTTP/1.1 (RFC 9112 §6.3): without Content-Length or Transfer-Encoding a request has no body, so
  // there is no stream to iterate (Node drains the empty message when the response ends).
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return EMPTY_BODY;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new RequestTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limit) throw new RequestTooLargeError();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Request headers as one value per name (repeated headers joined with ", ", as fetch does). */
export function requestHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export function toHttpRequest(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  params: Record<string, string>,
): HttpRequest {
  return new HttpRequest({
    method: req.method ?? 'GET',
    url: url.toString(),
    headers: requestHeaders(req),
    body: body.length > 0 ? { bytes: body } : undefined,
    params,
  });
}

function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain !== undefined) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path !== undefined) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure === true) parts.push('Secure');
  if (cookie.httpOnly === true) parts.push('HttpOnly');
  if (cookie.sameSite !== undefined) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}

function isResponseInit(value: unknown): value is HttpResponseInit {
  return typeof value === 'object' && value !== null;
}

/** A response as it goes on the wire: lower-case header names, the body's bytes (or its UTF-8 text). */
export interface WireResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer | string;
}

/**
 * Converts what an HTTP handler returned into the wire response, as the worker's `toRpcHttp` and
 * the host do: HttpResponse or HttpResponseInit (status, body, jsonBody, headers, cookies).
 * Returning nothing yields 204 without a body.
 */
export async function toWireResponse(result: unknown): Promise<WireResponse> {
  if (result === undefined || result === null) return { status: 204, headers: {}, body: '' };
  if (!isResponseInit(result))
    throw new TypeError(
      'The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".',
    );
  return plainWireResponse(result) ?? (await viaHttpResponse(result));
}

/** What `new HttpResponse(result)` makes of it, read back as the worker reads it. */
async function viaHttpResponse(result: HttpResponseInit | HttpResponse): Promise<WireResponse> {
  const response = result instanceof HttpResponse ? result : new HttpResponse(result);
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers.entries()) headers[name] = value;
  const setCookies = response.headers.getSetCookie();
  const cookies = [...setCookies, ...response.cookies.map(serializeCookie)];
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  return { status: response.status, headers, body };
}

/** Statuses a fetch Response carries no body for (HttpResponse drops it): left to HttpResponse. */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([204, 205, 304]);
/** A header value fetch's Headers would keep as is: no leading or trailing HTTP whitespace. */
const UNPADDED = /^(?![\t\n\r ])[^]*(?<![\t\n\r ])$/;

/**
 * The common answer (a plain HttpResponseInit with a string body or none, string headers, no
 * cookies) written without building an undici Response and reading its body stream back: what
 * HttpResponse would give, byte for byte (httpAdapter.test.ts compares them). Anything else
 * (undefined when it is not that case) goes through HttpResponse.
 */
function plainWireResponse(init: HttpResponseInit): WireResponse | undefined {
  if (init instanceof HttpResponse) return undefined;
  const { status = 200, body, headers, cookies } = init;
  if ((init.jsonBody as unknown) !== undefined || (cookies !== undefined && cookies.length > 0)) return undefined;
  if (body !== undefined && body !== null && typeof body !== 'string') return undefined;
  if (!Number.isInteger(status) || status < 200 || status > 599 || NULL_BODY_STATUSES.has(status)) return undefined;
  if (headers !== undefined && (typeof headers !== 'object' || Array.isArray(headers) || headers instanceof Headers))
    return undefined;
  const wire: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (typeof value !== 'string' || lower in wire || lower === 'set-cookie' || !UNPADDED.test(value)) return undefined;
    wire[lower] = value;
  }
  const text = body ?? '';
  // fetch's Response: a string body without a content-type is text/plain;charset=UTF-8.
  if (typeof body === 'string' && !('content-type' in wire)) wire['content-type'] = 'text/plain;charset=UTF-8';
  return { status, headers: wire, body: text };
}

/** Writes what an HTTP handler returned (see toWireResponse), with its content-length. */
export async function writeHandlerResult(res: ServerResponse, result: unknown): Promise<void> {
  if (result === undefined || result === null) {
    res.writeHead(204).end();
    return;
  }
  const { status, headers, body } = await toWireResponse(result);
  headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  res.writeHead(status, headers);
  // A string goes out in one write with the headers; a Buffer in a second chunk.
  res.end(body);
}

export function writePlain(res: ServerResponse, status: number, headers: Record<string, string> = {}, body = ''): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

export function writeJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  writePlain(res, status, { 'content-type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(value));
}
