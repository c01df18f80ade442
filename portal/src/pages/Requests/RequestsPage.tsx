import { Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import { ErrorText } from '../../components/ErrorText';
import { useEntitlements } from '../../hooks/useEntitlements';
import { useRequests } from '../../hooks/useRequests';
import { useTargetNames } from '../../hooks/useTargetNames';
import { RequestCard } from './RequestCard';

const useStyles = makeStyles({
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

/** "Requests": the person's own requests, their status kept current by polling, newest first. */
export function RequestsPage() {
  const styles = useStyles();
  const requests = useRequests();
  const names = useTargetNames(useEntitlements().data);
  return (
    <>
      <h1>Requests</h1>
      <ErrorText error={requests.error} />
      {requests.loading ? <Spinner label="Loading your requests" /> : null}
      {requests.data?.length === 0 ? <Text>You have not requested access yet.</Text> : null}
      <div className={styles.list}>
        {requests.data?.map((r) => (
          <RequestCard key={r.id} request={r} names={names} onChanged={requests.refresh} />
        ))}
      </div>
    </>
  );
}
