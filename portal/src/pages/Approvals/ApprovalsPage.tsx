import { ErrorText } from '../../components/ErrorText';
import { QueryList } from '../../components/QueryList';
import { useSharedStyles } from '../../components/styles';
import { useEntitlements } from '../../hooks/useEntitlements';
import { useApprovals, useDecided } from '../../hooks/useRequests';
import { useTargetNames } from '../../hooks/useTargetNames';
import { ApprovalCard } from './ApprovalCard';
import { PastDecisions } from './PastDecisions';

/**
 * "Approvals": what awaits the signed-in person's decision (GET /requests?awaiting=me: the API
 * never lists a person's own requests there), and the decisions they made (GET /requests?decidedBy=me).
 */
export function ApprovalsPage() {
  const shared = useSharedStyles();
  const awaiting = useApprovals();
  const names = useTargetNames(useEntitlements().data);
  const decided = useDecided();

  return (
    <>
      <h1>Approvals</h1>
      <ErrorText error={awaiting.error} />
      <QueryList
        query={awaiting}
        loadingLabel="Loading what awaits your decision"
        empty="Nothing awaits your decision."
      >
        {(list) => (
          <div className={shared.stack}>
            {list.map((r) => (
              <ApprovalCard
                key={r.id}
                request={r}
                names={names}
                onDecided={async () => {
                  await Promise.all([awaiting.refresh(), decided.refresh()]);
                }}
              />
            ))}
          </div>
        )}
      </QueryList>
      <PastDecisions decided={decided} names={names} />
    </>
  );
}
