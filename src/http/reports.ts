import type { HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import { customerReportFor } from '../app/reports/customerReport';
import { sendMonthlyReports } from '../app/reports/monthlyReports';
import { getReportSettings, putReportSettings, reportSettingsSchema } from '../app/reports/reportSettings';
import { getServices } from '../composition';
import { reportCsv } from '../app/reports/reportCsv';
import { REPORT_HTML_CSP, reportHtml } from '../app/reports/reportHtml';
import { reportQuerySchema } from '../app/reports/reportSchemas';
import { etagHeader, preconditionOf, tenantIdOf } from './admin/conditional';
import { readJsonBody } from './parse';
import type { AuthenticatedCall } from './operations/operation';
import { readQuery } from './query';
import { json, SECURITY_HEADERS } from './respond';

/** A name for the downloaded file: the tenant id and the period's days, nothing from the directory. */
function fileName(tenantId: string, from: string, to: string, extension: string): string {
  return `entra-jit-report-${tenantId}-${from.slice(0, 10)}-${to.slice(0, 10)}.${extension}`;
}

/** `GET /tenants/{tenantId}/report?from&to&format`: JSON, CSV (a download) or a printable page. */
export async function customerReportHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  const tenantId = tenantIdOf(request);
  const query = readQuery(request, reportQuerySchema);
  const report = await customerReportFor(services.deps, caller, tenantId, query);
  switch (query.format) {
    case 'json':
      return json(200, report);
    case 'csv':
      return {
        status: 200,
        // A byte-order mark, so Excel reads the file as UTF-8 (names with accents stay readable).
        body: `\uFEFF${reportCsv(report)}`,
        headers: {
          ...SECURITY_HEADERS,
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="${fileName(tenantId, query.from, query.to, 'csv')}"`,
        },
      };
    case 'html':
      return {
        status: 200,
        body: reportHtml(report),
        headers: {
          ...SECURITY_HEADERS,
          'Content-Security-Policy': REPORT_HTML_CSP,
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Disposition': `inline; filename="${fileName(tenantId, query.from, query.to, 'html')}"`,
        },
      };
  }
}

/** `GET /tenants/{tenantId}/report-settings` */
export async function getReportSettingsHttp({
  request,
  caller,
  services,
}: AuthenticatedCall): Promise<HttpResponseInit> {
  const settings = await getReportSettings(services.deps, caller, tenantIdOf(request));
  return json(200, settings.value, etagHeader(settings.etag));
}

/** `PUT /tenants/{tenantId}/report-settings` (If-Match optional) */
export async function putReportSettingsHttp({
  request,
  caller,
  services,
}: AuthenticatedCall): Promise<HttpResponseInit> {
  const tenantId = tenantIdOf(request);
  const body = await readJsonBody(request, reportSettingsSchema);
  const settings = await putReportSettings(services.deps, caller, tenantId, body, preconditionOf(request));
  return json(200, settings.value, etagHeader(settings.etag));
}

/** The monthly reports on their schedule (06:00 UTC on the 1st). */
export async function monthlyReportsTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const run = await sendMonthlyReports(getServices().deps);
  context.log(
    JSON.stringify({
      event: 'monthly_reports_done',
      invocationId: context.invocationId,
      month: run.month,
      sent: run.sent.length,
      alreadySent: run.alreadySent.length,
      errors: run.errors.length,
    }),
  );
}
