import { reportQueryFieldsSchema } from '../../app/reports/reportSchemas';
import { customerReportHttp } from '../reports';
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
];
