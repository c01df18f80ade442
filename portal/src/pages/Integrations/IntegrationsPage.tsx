import { Badge, Button, TableCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { DataTable } from '../../components/DataTable';
import { TextField } from '../../components/TextField';
import { ErrorText } from '../../components/ErrorText';
import { QueryList } from '../../components/QueryList';
import { useSharedStyles } from '../../components/styles';
import { useAction } from '../../hooks/useAction';
import { useSession } from '../../hooks/useApi';
import { useIntegrations, type Integration } from '../../hooks/useIntegrations';
import { CreateIntegrationDialog } from './CreateIntegrationDialog';
import { SecretShownOnce } from './SecretShownOnce';

type WithSecret = components['schemas']['CreatedIntegration'];

const useStyles = makeStyles({
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'end' },
  overlap: { maxWidth: '10rem' },
});

/**
 * "Integrations" (admin): the ticketing webhooks; "Create integration" and "Rotate secret" show the
 * new secret once (kept in this page's state only until "Done"), "Disable"/"Enable", "Delete"; a
 * PSA integration that writes back to its tickets says on which events (set through the API: README).
 */
export function IntegrationsPage() {
  const shared = useSharedStyles();
  const integrations = useIntegrations();
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<WithSecret>();

  return (
    <>
      <h1>Integrations</h1>
      <div className={shared.toolbar}>
        <Button appearance="primary" onClick={() => setCreating(true)}>
          Create integration
        </Button>
      </div>
      {shown ? <SecretShownOnce answer={shown} onDone={() => setShown(undefined)} /> : null}
      <ErrorText error={integrations.error} />
      <QueryList query={integrations} loadingLabel="Loading the integrations" empty="No integration yet.">
        {(list) => (
          <DataTable label="Integrations" columns={['Integration', 'State', 'Webhook']} actionsColumn="Actions">
            {list.map((i) => (
              <IntegrationRow
                key={i.integrationId}
                integration={i}
                onSecret={setShown}
                onChanged={() => integrations.refresh()}
              />
            ))}
          </DataTable>
        )}
      </QueryList>
      {creating ? (
        <CreateIntegrationDialog
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            setShown(created);
            void integrations.refresh();
          }}
        />
      ) : null}
    </>
  );
}

const KINDS = { generic: 'Generic', connectwise: 'ConnectWise', autotask: 'Autotask', halopsa: 'HaloPSA' } as const;

function IntegrationRow(props: {
  readonly integration: Integration;
  readonly onSecret: (answer: WithSecret) => void;
  readonly onChanged: () => Promise<void>;
}) {
  const { integration: i } = props;
  const styles = useStyles();
  const { api } = useSession();
  const [overlap, setOverlap] = useState('');
  const [confirming, setConfirming] = useState(false);
  const path = { params: { path: { integrationId: i.integrationId } } };
  const rotate = useAction(async () => {
    const body = { rotateSecret: overlap.trim() ? { overlap: overlap.trim() } : {} };
    props.onSecret(unwrap(await api.PATCH('/integrations/{integrationId}', { ...path, body })));
    setOverlap('');
    await props.onChanged();
  });
  const toggle = useAction(async () => {
    unwrap(await api.PATCH('/integrations/{integrationId}', { ...path, body: { enabled: !i.enabled } }));
    await props.onChanged();
  });
  const remove = useAction(async () => {
    const result = await api.DELETE('/integrations/{integrationId}', path);
    if (!result.response.ok) unwrap(result);
    await props.onChanged();
  });

  return (
    <TableRow>
      <TableCell>
        <Text weight="semibold">{i.name}</Text>
        <br />
        <Text size={200}>
          {KINDS[i.kind]}, created by {i.createdBy}
        </Text>
      </TableCell>
      <TableCell>
        <Badge appearance="outline" color={i.enabled ? 'success' : 'danger'}>
          {i.enabled ? 'Enabled' : 'Disabled'}
        </Badge>
        {i.previousSecretValidUntil ? (
          <Text size={200}>
            <br />
            Old secret accepted until {new Date(i.previousSecretValidUntil).toLocaleString()}
          </Text>
        ) : null}
        {'writeBack' in i && i.writeBack ? (
          <Text size={200}>
            <br />
            Writes back to tickets on {i.writeBack.events.join(', ')}
          </Text>
        ) : null}
      </TableCell>
      <TableCell>
        <Text size={200}>{i.webhookPath}</Text>
      </TableCell>
      <TableCell>
        <div className={styles.actions}>
          <TextField
            label={`Overlap for ${i.name}`}
            hint="Optional, like PT1H"
            className={styles.overlap}
            value={overlap}
            onChange={setOverlap}
          />
          <Button disabled={rotate.busy} onClick={() => void rotate.run()}>
            Rotate secret of {i.name}
          </Button>
          <Button disabled={toggle.busy} onClick={() => void toggle.run()}>
            {i.enabled ? 'Disable' : 'Enable'} {i.name}
          </Button>
          {confirming ? (
            <>
              <Button appearance="primary" disabled={remove.busy} onClick={() => void remove.run()}>
                Confirm delete of {i.name}
              </Button>
              <Button onClick={() => setConfirming(false)}>Keep {i.name}</Button>
            </>
          ) : (
            <Button onClick={() => setConfirming(true)}>Delete {i.name}</Button>
          )}
        </div>
        <ErrorText error={rotate.error} />
        <ErrorText error={toggle.error} />
        <ErrorText error={remove.error} />
      </TableCell>
    </TableRow>
  );
}
