import { createHash } from 'node:crypto';
import type { CustomerReport, ReportLease } from './reportSchemas';

/**
 * The report as one self-contained, printable HTML page: no script, no external resource, one
 * inline style sheet allowed by its hash in the page's Content-Security-Policy (the API's
 * `default-src 'none'` otherwise), print rules so "Print → Save as PDF" gives clean pages.
 * Everything that comes from a directory, a tenant or a requester is HTML-escaped.
 */
const STYLE = `
body { font: 11pt/1.4 "Segoe UI", system-ui, sans-serif; color: #111; margin: 2rem; }
h1 { font-size: 18pt; margin: 0 0 .25rem; }
h2 { font-size: 13pt; margin: 1.5rem 0 .5rem; border-bottom: 1px solid #999; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border: 1px solid #bbb; padding: .2rem .35rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eee; }
.broken { color: #a00; font-weight: 600; }
.intact { color: #060; font-weight: 600; }
.note { color: #555; font-style: italic; }
td.signins table { margin: .2rem 0; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  h2 { break-after: avoid; }
}
`;

/** The CSP source allowing exactly the page's style sheet. */
export const REPORT_STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/**
 * The policy the page carries in a meta element too, so it holds wherever the page is opened
 * (the portal shows it from a blob URL, which has no response headers).
 */
const REPORT_PAGE_CSP = `default-src 'none'; style-src ${REPORT_STYLE_HASH}; base-uri 'none'; form-action 'none'`;

/** The Content-Security-Policy the page is served with: its own style sheet, nothing else. */
export const REPORT_HTML_CSP = `${REPORT_PAGE_CSP}; frame-ancestors 'none'`;

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function cells(values: readonly (string | number | null)[], tag: 'td' | 'th' = 'td'): string {
  return `<tr>${values.map((v) => `<${tag}>${escapeHtml(v)}</${tag}>`).join('')}</tr>`;
}

function signInsCell(lease: ReportLease): string {
  const s = lease.signIns;
  if (!s.readable) return `<td class="signins"><span class="note">Not available: ${escapeHtml(s.detail)}</span></td>`;
  if (s.entries.length === 0) return '<td class="signins"><span class="note">No sign-ins recorded</span></td>';
  const rows = s.entries
    .map((e) =>
      cells([
        e.createdDateTime,
        e.errorCode === 0 ? 'success' : `error ${e.errorCode}${e.failureReason === null ? '' : `: ${e.failureReason}`}`,
        e.appDisplayName,
        e.ipAddress,
        e.location,
        e.conditionalAccessStatus,
      ]),
    )
    .join('');
  return `<td class="signins"><table><thead>${cells(['Time', 'Result', 'Application', 'IP address', 'Location', 'Conditional Access'], 'th')}</thead><tbody>${rows}</tbody></table></td>`;
}

function leaseRow(l: ReportLease): string {
  const values = [
    l.requester,
    l.targetName === null ? l.targetId : `${l.targetName} (${l.targetId})`,
    l.roles.join(', '),
    l.account,
    l.start,
    l.end,
    l.durationMinutes === null ? null : `${l.durationMinutes} min`,
    l.approval === 'not_required'
      ? 'not required'
      : `${l.approval}${l.approvers.length > 0 ? ` by ${l.approvers.join(', ')}` : ''}`,
    l.ticket,
    l.endReason ?? l.status,
  ];
  return `<tr>${values.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}${signInsCell(l)}</tr>`;
}

export function reportHtml(report: CustomerReport): string {
  const chainClass = report.chain.intact ? 'intact' : 'broken';
  const leases =
    report.leases.length === 0
      ? '<p class="note">No access was requested or held in this period.</p>'
      : `<table><thead>${cells(['Requester', 'Target', 'Roles', 'Account', 'Start', 'End', 'Duration', 'Approval', 'Ticket', 'End reason', 'Sign-ins of the JIT account'], 'th')}</thead><tbody>${report.leases.map(leaseRow).join('')}</tbody></table>`;
  const changes =
    report.configurationChanges.length === 0
      ? '<p class="note">No configuration changes in this period.</p>'
      : `<table><thead>${cells(['Time', 'Actor', 'Action', 'Subject', 'Outcome', 'Changed fields'], 'th')}</thead><tbody>${report.configurationChanges
          .map((c) => cells([c.at, c.actor, c.action, c.subject, c.outcome, c.changedFields.join(', ')]))
          .join('')}</tbody></table>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(REPORT_PAGE_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Access report: ${escapeHtml(report.tenant.displayName)}, ${escapeHtml(report.period.from.slice(0, 10))} to ${escapeHtml(report.period.to.slice(0, 10))}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Just-in-time access report: ${escapeHtml(report.tenant.displayName)}</h1>
<dl class="facts">
<dt>Customer</dt><dd>${escapeHtml(report.tenant.displayName)} (tenant ${escapeHtml(report.tenant.tenantId)})</dd>
<dt>Period</dt><dd>${escapeHtml(report.period.from)} to ${escapeHtml(report.period.to)} (UTC)</dd>
<dt>Generated</dt><dd>${escapeHtml(report.generatedAt)}</dd>
<dt>Audit chain</dt><dd class="${chainClass}">${escapeHtml(report.chain.summary)}</dd>
<dt>Chain head</dt><dd>record ${escapeHtml(report.chain.headSeq)}, hash ${escapeHtml(report.chain.headHash ?? 'none')}</dd>
</dl>
<h2>Leases (${report.leases.length})</h2>
${leases}
<h2>Configuration changes (${report.configurationChanges.length})</h2>
${changes}
</body>
</html>
`;
}
