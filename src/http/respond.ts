import type { HttpResponseInit } from '@azure/functions';

/** Headers on every answer: JSON APIs never want sniffing, framing or caching of personal data. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
};

export function json(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): HttpResponseInit {
  return {
    status,
    body: JSON.stringify(body),
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', ...headers },
  };
}
