import { reportQueryFieldsSchema } from '../../app/reports/reportSchemas';
import { customerReportHttp, getReportSettingsHttp, putReportSettingsHttp } from '../reports';
import { ADMIN_ERRORS, defineOperation, problems, queryParameters, type HttpOperation } from './operation';

export const REPORT_OPERATIONS: readonly HttpOperation[] = [
  defineOperation({
    operationId: 'getCustomerReport',
    method: 'GET',
    route: 'tenants/{tenantId}/report',
    tag: 'reports',
    summary: "A customer tenant's access report for a period",
    description:
      "Every lease in the period (requester, target, roles, start, end, duration, approvers, ticket, end reason), the JIT account's sign-ins during each lease where the tenant's sign-in log can be read (AuditLog.Read.All and Entra ID P1/P2; otherwise the report says which is missing), every configuration change touching the tenant, and the verification of the tenant's audit chain. " +
      'As JSON, as CSV (one file in sections: the facts, Leases, Sign-ins, Configuration changes) or as a self-contained printable HTML page (print to PDF from the browser). Each report taken is audited (report.generated).',
    access: 'admin',
    durableClient: false,
    query: queryParameters(reportQueryFieldsSchema, {
      from: 'Start of the period: a day (2026-11-01, from 00:00 UTC) or a time with offset',
      to: 'End of the period: a day (to 23:59:59.999 UTC) or a time with offset; at most 366 days after from',
      format: 'json (default), csv or html',
    }),
    responses: {
      '200': {
        description: 'The report (text/csv with format=csv, text/html with format=html)',
        schema: 'CustomerReport',
        alternativeMediaTypes: ['text/csv', 'text/html'],
      },
      ...problems(400, ...ADMIN_ERRORS, 404),
    },
    handler: customerReportHttp,
  }),
  defineOperation({
    operationId: 'getReportSettings',
    method: 'GET',
    route: 'tenants/{tenantId}/report-settings',
    tag: 'reports',
    summary: "A tenant's monthly report settings",
    access: 'admin',
    durableClient: false,
    responses: {
      '200': { description: 'The settings', schema: 'ReportSettings', headers: ['ETag'] },
      ...problems(...ADMIN_ERRORS, 404),
    },
    handler: getReportSettingsHttp,
  }),
  defineOperation({
    operationId: 'putReportSettings',
    method: 'PUT',
    route: 'tenants/{tenantId}/report-settings',
    tag: 'reports',
    summary: "Set a tenant's monthly report: the customer contact, and whether they get it",
    description:
      "With reportMonthly true, last month's report goes to reportContact at 06:00 UTC on the 1st of each month, as an HTML email from JIT_NOTIFY_MAIL_FROM, once per tenant and month. Audited as tenant.report_settings_updated.",
    access: 'admin',
    durableClient: false,
    conditional: true,
    requestBody: 'ReportSettings',
    responses: {
      '200': { description: 'The settings now in force', schema: 'ReportSettings', headers: ['ETag'] },
      ...problems(400, ...ADMIN_ERRORS, 404, 409, 412, 413, 415),
    },
    handler: putReportSettingsHttp,
  }),
];
