import type { AuditEvent } from '../../hooks/useAudit';

const COLUMNS = [
  'seq',
  'at',
  'action',
  'outcome',
  'actor',
  'tenantId',
  'targetId',
  'requestId',
  'ticket',
  'details',
  'hash',
];

/** A field as RFC 4180 wants it, and never read as a formula by a spreadsheet (a leading =, +, - or @ is quoted away). */
function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The events as CSV (RFC 4180, CRLF), one row each, details as JSON. */
export function auditCsv(events: readonly AuditEvent[]): string {
  const rows = events.map((e) =>
    [
      String(e.seq),
      e.at,
      e.action,
      e.outcome,
      e.actor.userPrincipalName ?? `${e.actor.type}:${e.actor.id}`,
      e.tenantId ?? '',
      e.targetId ?? '',
      e.requestId ?? '',
      e.ticket ?? '',
      JSON.stringify(e.details),
      e.hash,
    ]
      .map(field)
      .join(','),
  );
  return [COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}
