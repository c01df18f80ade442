import { SYSTEM_ACTOR } from '../../domain/audit';
import { leaseStepAuditId, recordAudit } from '../audit';
import type { AppDeps } from '../deps';
import { buildCustomerReport } from './customerReport';
import { reportHtml } from './reportHtml';
import type { CustomerReport } from './reportSchemas';

/**
 * On the 1st of each month (functions/timers/monthlyReports.ts): last month's report to the
 * contact of every tenant with `reportMonthly`, as an HTML email through Graph sendMail. Each
 * (tenant, month) is sent once: claimed in the once-store before sending, so a rerun of the timer
 * (or a second instance) sends nothing twice; a failed send releases the claim for the next run.
 * A process that dies between claim and send leaves the month unsent rather than risk sending it
 * twice: the admin can still take that report from the API.
 */
const SCOPE = 'monthly-report';

export interface MonthlyReportRun {
  readonly month: string;
  readonly sent: readonly string[];
  readonly alreadySent: readonly string[];
  readonly errors: readonly string[];
}

/** The calendar month before `now` (UTC): `2026-11` and its first and last instant. */
export function previousMonth(now: Date): { month: string; from: string; to: string } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - 1);
  return { month: start.toISOString().slice(0, 7), from: start.toISOString(), to: end.toISOString() };
}

/** Plain text beside the HTML, for mail clients that show no HTML: the facts, no directory text beyond names. */
function summaryText(report: CustomerReport, month: string): string {
  return [
    `Just-in-time access report for ${report.tenant.displayName}, ${month}.`,
    `Leases: ${report.leases.length}. Configuration changes: ${report.configurationChanges.length}.`,
    `Audit chain: ${report.chain.summary}.`,
    '(Sent by Entra JIT. Do not reply: this mailbox is not read.)',
  ].join('\n');
}

export async function sendMonthlyReports(deps: AppDeps): Promise<MonthlyReportRun> {
  const { month, from, to } = previousMonth(deps.clock.now());
  const sent: string[] = [];
  const alreadySent: string[] = [];
  const errors: string[] = [];
  const due = (await deps.config.listTenants()).filter((t) => t.reportMonthly === true && t.reportContact);
  if (due.length > 0 && (deps.reportMailer ?? null) === null) {
    deps.log('warn', 'monthly_reports_no_mailbox', {
      tenants: due.length,
      detail: 'JIT_NOTIFY_MAIL_FROM is not set: monthly reports cannot be emailed',
    });
    return { month, sent, alreadySent, errors: ['JIT_NOTIFY_MAIL_FROM is not set'] };
  }
  for (const tenant of due) {
    const contact = tenant.reportContact ?? '';
    const key = `${tenant.tenantId}|${month}`;
    const claim = await deps.idempotency.claim(SCOPE, key, month);
    if (!claim.claimed) {
      alreadySent.push(tenant.tenantId);
      continue;
    }
    try {
      const report = await buildCustomerReport(deps, tenant.tenantId, { from, to, format: 'html' });
      await deps.reportMailer?.send({
        to: [contact],
        subject: `Access report: ${report.tenant.displayName.replace(/[\r\n]+/g, ' ')}, ${month}`,
        text: summaryText(report, month),
        html: reportHtml(report),
      });
      await deps.idempotency.complete(SCOPE, key, { status: 202, body: { month, to: contact } });
      await recordAudit(deps, {
        id: leaseStepAuditId(tenant.tenantId, 'report.mailed', month),
        actor: SYSTEM_ACTOR,
        action: 'report.mailed',
        tenantId: tenant.tenantId,
        details: { month, to: contact, leases: report.leases.length },
      });
      sent.push(tenant.tenantId);
    } catch (error) {
      await deps.idempotency.release(SCOPE, key);
      const detail = error instanceof Error ? error.message : String(error);
      errors.push(`${tenant.tenantId}: ${detail}`);
      deps.log('error', 'monthly_report_failed', { tenantId: tenant.tenantId, month, detail });
    }
  }
  deps.log('info', 'monthly_reports_done', { month, sent: sent.length, alreadySent: alreadySent.length });
  return { month, sent, alreadySent, errors };
}
