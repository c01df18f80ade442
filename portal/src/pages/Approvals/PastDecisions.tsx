import {
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
} from '@fluentui/react-components';
import type { LeaseRequest } from '../../hooks/useRequests';
import type { TargetNames } from '../../hooks/useTargetNames';

/** A decision made in this session: the verdict as sent (the answer may predate its recording). */
export interface Decision {
  readonly request: LeaseRequest;
  readonly approved: boolean;
  readonly comment: string;
}

const useStyles = makeStyles({ wrap: { overflowX: 'auto' } });

/**
 * The decisions made here. The API lists a non-admin's own requests only, so decisions made
 * elsewhere by an approver who is not an admin are not listed (the audit log has them).
 */
export function PastDecisions(props: { readonly decidedHere: readonly Decision[]; readonly names: TargetNames }) {
  const styles = useStyles();
  const decided = props.decidedHere;
  return (
    <section aria-labelledby="past-decisions">
      <h2 id="past-decisions">Past decisions</h2>
      {decided.length === 0 ? (
        <p>No decisions made in this session.</p>
      ) : (
        <div className={styles.wrap}>
          <Table aria-labelledby="past-decisions">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Requester</TableHeaderCell>
                <TableHeaderCell>Target</TableHeaderCell>
                <TableHeaderCell>Decision</TableHeaderCell>
                <TableHeaderCell>Comment</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
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
            </TableBody>
          </Table>
        </div>
      )}
    </section>
  );
}
