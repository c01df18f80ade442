import { TableCell, TableRow } from '@fluentui/react-components';
import { DataTable } from '../../components/DataTable';
import type { LeaseRequest } from '../../hooks/useRequests';
import type { TargetNames } from '../../hooks/useTargetNames';

/** A decision made in this session: the verdict as sent (the answer may predate its recording). */
export interface Decision {
  readonly request: LeaseRequest;
  readonly approved: boolean;
  readonly comment: string;
}

/**
 * The decisions made here. The API lists a non-admin's own requests only, so decisions made
 * elsewhere by an approver who is not an admin are not listed (the audit log has them).
 */
export function PastDecisions(props: { readonly decidedHere: readonly Decision[]; readonly names: TargetNames }) {
  const decided = props.decidedHere;
  return (
    <section aria-labelledby="past-decisions">
      <h2 id="past-decisions">Past decisions</h2>
      {decided.length === 0 ? (
        <p>No decisions made in this session.</p>
      ) : (
        <DataTable labelledBy="past-decisions" columns={['Requester', 'Target', 'Decision', 'Comment']}>
          {decided.map(({ request: r, approved, comment }) => (
            <TableRow key={r.id}>
              <TableCell>{r.requester.userPrincipalName}</TableCell>
              <TableCell>
                {props.names.target(r.tenantId, r.targetId)} in {props.names.tenant(r.tenantId)}
              </TableCell>
              <TableCell>{approved ? 'Approved' : 'Denied'}</TableCell>
              <TableCell>{comment}</TableCell>
            </TableRow>
          ))}
        </DataTable>
      )}
    </section>
  );
}
