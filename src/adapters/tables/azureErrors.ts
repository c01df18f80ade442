/**
 * What the Azure SDKs (Table Storage, Key Vault, identity) throw, read structurally: each package
 * bundles its own `RestError`, so `instanceof` against one copy misses the others.
 */
export interface AzureErrorInfo {
  readonly statusCode: number | undefined;
  /** The service's error code, wherever this SDK put it (`code`, `details.errorCode`, `odata.error`). */
  readonly code: string | undefined;
}

/** Node/undici network failures that a later attempt may not meet. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'REQUEST_SEND_ERROR',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function azureErrorInfo(error: unknown): AzureErrorInfo | null {
  if (!(error instanceof Error)) return null;
  const record = error as unknown as Record<string, unknown>;
  if (error.name !== 'RestError' && typeof record.statusCode !== 'number') return null;
  const statusCode = typeof record.statusCode === 'number' ? record.statusCode : undefined;
  return { statusCode, code: serviceCode(record) };
}

function serviceCode(record: Record<string, unknown>): string | undefined {
  if (typeof record.code === 'string' && record.code !== '') return record.code;
  const details = record.details;
  if (typeof details !== 'object' || details === null) return undefined;
  const d = details as Record<string, unknown>;
  if (typeof d.errorCode === 'string') return d.errorCode;
  for (const key of ['odataError', 'odata.error', 'error']) {
    const inner = d[key];
    if (typeof inner === 'object' && inner !== null && typeof (inner as Record<string, unknown>).code === 'string') {
      return (inner as Record<string, unknown>).code as string;
    }
  }
  return undefined;
}

/** True for throttling, server errors and network failures: worth another attempt later. */
export function isTransient(info: AzureErrorInfo): boolean {
  const s = info.statusCode;
  if (s === undefined || s === 0) return info.code === undefined || NETWORK_CODES.has(info.code);
  return s === 408 || s === 429 || s >= 500;
}

/** `code` or `status n`, for messages. Never a request or response body. */
export function describeAzureError(info: AzureErrorInfo): string {
  const parts = [info.statusCode === undefined ? 'no response' : `status ${info.statusCode}`];
  if (info.code !== undefined) parts.push(info.code);
  return parts.join(' ');
}
