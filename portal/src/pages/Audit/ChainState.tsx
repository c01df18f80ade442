import { Button, MessageBar, MessageBarBody, MessageBarTitle, Spinner } from '@fluentui/react-components';
import { ErrorText } from '../../components/ErrorText';
import type { ApiQuery } from '../../hooks/useApiQuery';
import type { AuditVerification } from '../../hooks/useAudit';

/** Whether the audit hash chain is intact (GET /audit/verify), the first broken link when not; "Verify chain again". */
export function ChainState(props: { readonly chain: ApiQuery<AuditVerification>; readonly scope: string | undefined }) {
  const { data, error, loading, refresh } = props.chain;
  const of = props.scope ? `${props.scope}'s audit chain` : 'The audit chain';
  return (
    <section aria-label="Audit chain">
      {loading ? <Spinner size="tiny" label="Verifying the audit chain" /> : null}
      <ErrorText error={error} />
      {data ? (
        <MessageBar intent={data.intact ? 'success' : 'error'}>
          <MessageBarBody>
            <MessageBarTitle>{data.intact ? `${of} is intact` : `${of} is broken`}</MessageBarTitle>
            {data.records} records, head {data.headSeq}
            {data.headHash ? ` (${data.headHash.slice(0, 16)}…)` : ''}.
            {data.firstBroken
              ? ` First broken link: record ${data.firstBroken.seq}${data.firstBroken.eventId ? ` (${data.firstBroken.eventId})` : ''}: ${data.firstBroken.reason}.`
              : ''}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <Button size="small" disabled={loading} onClick={() => void refresh()}>
        Verify chain again
      </Button>
    </section>
  );
}
