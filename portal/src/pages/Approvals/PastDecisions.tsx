import { TableCell, TableRow } from '@fluentui/react-components';
import { DataTable } from '../../components/DataTable';
import { QueryList } from '../../components/QueryList';
import { useSession } from '../../hooks/useApi';
import type { ApiQuery } from '../../hooks/useApiQuery';
import type { LeaseRequest } from '../../hooks/useRequests';
import type { TargetNames } from '../../hooks/useTargetNames';
import { namesOf } from './ApprovalFacts';
import { statusOf } from '../Requests/status';

/** What the signed-in person decided on a request, and their comment: their approval, or the deny that ended it. */
function decisionOf(r: LeaseRequest, upn: string): { verdict: string; comment: string } {
  const me = upn.toLowerCase();
  const approval = r.approval?.approvals.find((a) => a.by.toLowerCase() === me);
  if (approval !== undefined) return { verdict: 'Approved', comment: approval.comment ?? '' };
  if (r.decision && r.decision.by?.toLowerCase() === me)
    return { verdict: r.decision.approved ? 'Approved' : 'Denied', comment: r.decision.comment ?? '' };
  return { verdict: 'Decided', comment: '' };
}

/** The decisions the signed-in person made, from the API (GET /requests?decidedBy=me), wherever they made them. */
export function PastDecisions(props: { readonly decided: ApiQuery<LeaseRequest[]>; readonly names: TargetNames }) {
  const { person } = useSession();
  return (
    <section aria-labelledby="past-decisions">
      <h2 id="past-decisions">Past decisions</h2>
      <QueryList query={props.decided} loadingLabel="Loading your past decisions" empty="You have decided nothing yet.">
        {(list) => (
          <DataTable
            labelledBy="past-decisions"
            columns={['Requester', 'Target', 'Decision', 'Comment', 'Approvals', 'Status']}
          >
            {list.map((r) => {
              const names = namesOf(r, props.names);
              const decision = decisionOf(r, person.userPrincipalName);
              return (
                <TableRow key={r.id}>
                  <TableCell>{r.requester.userPrincipalName}</TableCell>
                  <TableCell>
                    {names.target} in {names.tenant}
                  </TableCell>
                  <TableCell>{decision.verdict}</TableCell>
                  <TableCell>{decision.comment}</TableCell>
                  <TableCell>{r.approval ? `${r.approval.received} of ${r.approval.required}` : ''}</TableCell>
                  <TableCell>{statusOf(r).text}</TableCell>
                </TableRow>
              );
            })}
          </DataTable>
        )}
      </QueryList>
    </section>
  );
}
