/** Where the Durable management API lives on the host (the extension's webhook path). */
export const WEBHOOK_PATH = '/runtime/webhooks/durabletask';
export const INSTANCE_ID_PLACEHOLDER = 'INSTANCEID';

function managementUrls(baseUrl: string, taskHub: string): Record<string, string> {
  const webhooks = `${baseUrl}${WEBHOOK_PATH}`;
  const qs = `taskHub=${encodeURIComponent(taskHub)}&connection=Storage`;
  const instance = `${webhooks}/instances/${INSTANCE_ID_PLACEHOLDER}`;
  return {
    statusQueryGetUri: `${instance}?${qs}`,
    sendEventPostUri: `${instance}/raiseEvent/{eventName}?${qs}`,
    terminatePostUri: `${instance}/terminate?reason={text}&${qs}`,
    rewindPostUri: `${instance}/rewind?reason={text}&${qs}`,
    purgeHistoryDeleteUri: `${instance}?${qs}`,
    restartPostUri: `${instance}/restart?${qs}`,
    suspendPostUri: `${instance}/suspend?reason={text}&${qs}`,
    resumePostUri: `${instance}/resume?reason={text}&${qs}`,
  };
}

/**
 * The value the Durable extension binds to a `durableClient` input: what `df.getClient(context)`
 * reads. `rpcBaseUrl` points at this host, so every client call reaches the local runner.
 */
export function durableClientBindingData(baseUrl: string, taskHub: string): Record<string, unknown> {
  const webhooks = `${baseUrl}${WEBHOOK_PATH}`;
  const qs = `taskHub=${encodeURIComponent(taskHub)}&connection=Storage`;
  return {
    taskHubName: taskHub,
    creationUrls: {
      createNewInstancePostUri: `${webhooks}/orchestrators/{functionName}[/{instanceId}]?${qs}`,
      createAndWaitOnNewInstancePostUri: `${webhooks}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${qs}`,
    },
    managementUrls: { id: INSTANCE_ID_PLACEHOLDER, ...managementUrls(baseUrl, taskHub) },
    baseUrl: webhooks,
    requiredQueryStringParameters: qs,
    rpcBaseUrl: `${webhooks}/`,
    httpBaseUrl: webhooks,
  };
}

/** The management links for one instance, as the extension returns them from a start request. */
export function instanceManagementPayload(
  baseUrl: string,
  taskHub: string,
  instanceId: string,
): Record<string, string> {
  const payload: Record<string, string> = { id: instanceId };
  for (const [key, url] of Object.entries(managementUrls(baseUrl, taskHub)))
    payload[key] = url.replace(INSTANCE_ID_PLACEHOLDER, encodeURIComponent(instanceId));
  return payload;
}
