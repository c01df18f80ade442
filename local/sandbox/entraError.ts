import { randomUUID } from 'node:crypto';
import { json, type SandboxResponse } from './http';

function entraTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

/**
 * An error from Entra's token endpoint, as Entra writes it: error, error_description starting with
 * the AADSTS code, error_codes, timestamp, trace_id, correlation_id, error_uri.
 */
export function entraError(
  status: number,
  error: string,
  code: number,
  description: string,
  correlationId?: string,
): SandboxResponse {
  const traceId = randomUUID();
  const correlation = correlationId ?? randomUUID();
  const timestamp = entraTimestamp(new Date());
  return json(status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlation} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlation,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  });
}
