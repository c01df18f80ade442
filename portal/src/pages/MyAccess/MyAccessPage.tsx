import { Badge, Button, TableCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { DataTable } from '../../components/DataTable';
import { ErrorText } from '../../components/ErrorText';
import { QueryList } from '../../components/QueryList';
import { durationWords } from '../../duration';
import { useEntitlements, type Entitlement } from '../../hooks/useEntitlements';
import { useNavigate } from '../../hooks/useRoute';
import { RequestAccessForm } from './RequestAccessForm';

// On a phone each target stacks into a block of its own: four columns do not fit 375 px.
const PHONE = '@media (max-width: 600px)';

const useStyles = makeStyles({
  table: { minWidth: '0', [PHONE]: { display: 'block' } },
  header: { [PHONE]: { display: 'none' } },
  body: { [PHONE]: { display: 'block' } },
  row: { [PHONE]: { display: 'flex', flexDirection: 'column', paddingBlock: tokens.spacingVerticalS } },
  cell: { [PHONE]: { display: 'block', height: 'auto' } },
  badges: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalXS,
    paddingBlock: tokens.spacingVerticalXS,
  },
  badge: { whiteSpace: 'nowrap' },
});

/** "My access": every target the person may request, with its policy, and "Request access". */
export function MyAccessPage() {
  const styles = useStyles();
  const entitlements = useEntitlements();
  const navigate = useNavigate();
  const [requesting, setRequesting] = useState<Entitlement>();

  return (
    <>
      <h1>My access</h1>
      <ErrorText error={entitlements.error} />
      {requesting ? (
        <RequestAccessForm
          key={`${requesting.tenantId}/${requesting.targetId}`}
          entitlement={requesting}
          onCancel={() => setRequesting(undefined)}
          onSubmitted={() => navigate('requests')}
        />
      ) : null}
      <QueryList
        query={entitlements}
        loadingLabel="Loading what you may request"
        empty="Nothing to request yet: no rule gives you access to a target. An admin adds rules."
      >
        {(list) => (
          <DataTable
            label="What you may request"
            columns={['Target', 'Tenant', 'Policy']}
            actionsColumn="Action"
            classNames={{ table: styles.table, header: styles.header, body: styles.body }}
          >
            {list.map((e) => (
              <TableRow key={`${e.tenantId}/${e.targetId}`} className={styles.row}>
                <TableCell className={styles.cell}>
                  <Text weight="semibold">{e.name}</Text>
                  <br />
                  <Text size={200}>
                    {e.kind === 'adminAccount' ? 'Admin account' : 'Elevation of your own account'}
                    {e.roles.length > 0 ? `: ${e.roles.map((r) => r.displayName ?? r.templateId).join(', ')}` : ''}
                  </Text>
                </TableCell>
                <TableCell className={styles.cell}>{e.tenantDisplayName}</TableCell>
                <TableCell className={styles.cell}>
                  <div className={styles.badges}>
                    <Badge className={styles.badge} appearance="outline">
                      Up to {durationWords(e.effectiveMaxDuration)}
                    </Badge>
                    <Badge
                      className={styles.badge}
                      appearance="outline"
                      color={e.approvalRequired ? 'warning' : 'success'}
                    >
                      {e.approvalRequired ? 'Approval required' : 'No approval'}
                    </Badge>
                    {e.requireJustification ? (
                      <Badge className={styles.badge} appearance="outline">
                        Justification required
                      </Badge>
                    ) : null}
                    {e.requireTicket ? (
                      <Badge className={styles.badge} appearance="outline">
                        Ticket required
                      </Badge>
                    ) : null}
                  </div>
                </TableCell>
                <TableCell className={styles.cell}>
                  <Button appearance="primary" onClick={() => setRequesting(e)}>
                    Request access
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </DataTable>
        )}
      </QueryList>
    </>
  );
}
