import {} from '@fluentui/react-components';
import { ErrorText } from '../../components/ErrorText';
import { QueryList } from '../../components/QueryList';
import { useSharedStyles } from '../../components/styles';
import { useEntitlements } from '../../hooks/useEntitlements';
import { useRequests } from '../../hooks/useRequests';
import { useTargetNames } from '../../hooks/useTargetNames';
import { RequestCard } from './RequestCard';

/** "Requests": the person's own requests, their status kept current by polling, newest first. */
export function RequestsPage() {
  const shared = useSharedStyles();
  const requests = useRequests();
  const names = useTargetNames(useEntitlements().data);
  return (
    <>
      <h1>Requests</h1>
      <ErrorText error={requests.error} />
      <QueryList query={requests} loadingLabel="Loading your requests" empty="You have not requested access yet.">
        {(list) => (
          <div className={shared.stack}>
            {list.map((r) => (
              <RequestCard key={r.id} request={r} names={names} onChanged={requests.refresh} />
            ))}
          </div>
        )}
      </QueryList>
    </>
  );
}
