import { csvRow, csvText } from '../../domain/csv';
import type { CustomerReport } from './reportSchemas';

/**
 * The report as one CSV file in sections (the report's facts, Leases, Sign-ins, Configuration
 * changes), each with its own header row and a blank line between them. Why sections and not one
 * row type per line: each part has different columns, and a spreadsheet user reads, sorts and
 * filters one part at a time; one wide table would leave most cells empty and its header would fit
 * no row. Sign-ins carry their lease's request id, so they can be matched to it.
 */
export function reportCsv(report: CustomerReport): string {
  const lines: string[] = [
    csvRow(['Entra JIT customer report']),
    csvRow(['Customer', report.tenant.displayName]),
    csvRow(['Tenant id', report.tenant.tenantId]),
    csvRow(['Period from', report.period.from]),
    csvRow(['Period to', report.period.to]),
    csvRow(['Generated', report.generatedAt]),
    csvRow(['Audit chain', report.chain.summary]),
    csvRow(['Audit chain head', report.chain.headSeq, report.chain.headHash]),
    '',
    csvRow(['Leases']),
    csvRow([
      'Request id',
      'Requester',
      'Target',
      'Target name',
      'Roles',
      'Account',
      'Requested',
      'Start',
      'End',
      'Duration (minutes)',
      'Approval',
      'Approvers',
      'Ticket',
      'Justification',
      'Status',
      'End reason',
      'Sign-ins',
    ]),
    ...report.leases.map((l) =>
      csvRow([
        l.requestId,
        l.requester,
        l.targetId,
        l.targetName,
        l.roles.join('; '),
        l.account,
        l.requestedAt,
        l.start,
        l.end,
        l.durationMinutes,
        l.approval,
        l.approvers.join('; '),
        l.ticket,
        l.justification,
        l.status,
        l.endReason,
        l.signIns.readable ? l.signIns.entries.length : `not read: ${l.signIns.detail}`,
      ]),
    ),
    '',
    csvRow(['Sign-ins']),
    csvRow([
      'Request id',
      'Time',
      'Account',
      'Application',
      'IP address',
      'Location',
      'Result',
      'Failure reason',
      'Conditional Access',
    ]),
    ...report.leases.flatMap((l) =>
      l.signIns.readable
        ? l.signIns.entries.map((s) =>
            csvRow([
              l.requestId,
              s.createdDateTime,
              s.userPrincipalName,
              s.appDisplayName,
              s.ipAddress,
              s.location,
              s.errorCode === 0 ? 'success' : `error ${s.errorCode}`,
              s.failureReason,
              s.conditionalAccessStatus,
            ]),
          )
        : [],
    ),
    '',
    csvRow(['Configuration changes']),
    csvRow(['Time', 'Actor', 'Action', 'Subject', 'Outcome', 'Changed fields']),
    ...report.configurationChanges.map((c) =>
      csvRow([c.at, c.actor, c.action, c.subject, c.outcome, c.changedFields.join('; ')]),
    ),
  ];
  return csvText(lines);
}
