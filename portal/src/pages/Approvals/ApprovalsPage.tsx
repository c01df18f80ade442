import { Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { ErrorText } from '../../components/ErrorText';
import { useEntitlements } from '../../hooks/useEntitlements';
import { useApprovals } from '../../hooks/useRequests';
import { useTargetNames } from '../../hooks/useTargetNames';
import { ApprovalCard } from './ApprovalCard';
import { PastDecisions, type Decision } from './PastDecisions';

const useStyles = makeStyles({
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

/**
 * "Approvals": what awaits the signed-in person's decision (GET /requests?awaiting=me: the API
 * never lists a person's own requests there), and the decisions they made.
 */
export function ApprovalsPage() {
  const styles = useStyles();
  const awaiting = useApprovals();
  const names = useTargetNames(useEntitlements().data);
  const [decided, setDecided] = useState<Decision[]>([]);

  return (
    <>
      <h1>Approvals</h1>
      <ErrorText error={awaiting.error} />
      {awaiting.loading ? <Spinner label="Loading what awaits your decision" /> : null}
      {awaiting.data?.length === 0 ? <Text>Nothing awaits your decision.</Text> : null}
      <div className={styles.list}>
        {awaiting.data?.map((r) => (
          <ApprovalCard
            key={r.id}
            request={r}
            names={names}
            onDecided={async (decision) => {
              setDecided((list) => [decision, ...list.filter((d) => d.request.id !== decision.request.id)]);
              await awaiting.refresh();
            }}
          />
        ))}
      </div>
      <PastDecisions decidedHere={decided} names={names} />
    </>
  );
}
