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

export async function readBody(req: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
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

/**
 * Converts what an HTTP handler returned into the wire response, as the worker's `toRpcHttp` and
 * the host do: HttpResponse or HttpResponseInit (status, body, jsonBody, headers, cookies).
 * Returning nothing yields 204 without a body.
 */
export async function writeHandlerResult(res: ServerResponse, result: unknown): Promise<void> {
  if (result === undefined || result === null) {
    res.writeHead(204).end();
    return;
  }
  if (!isResponseInit(result))
    throw new TypeError(
      'The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".',
    );
  const response = result instanceof HttpResponse ? result : new HttpResponse(result);
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers.entries()) headers[name] = value;
  const setCookies = response.headers.getSetCookie();
  const cookies = [...setCookies, ...response.cookies.map(serializeCookie)];
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  headers['content-length'] = String(body.length);
  res.writeHead(response.status, headers);
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
