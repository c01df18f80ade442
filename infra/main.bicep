targetScope = 'subscription'

metadata description = 'Entra JIT: just-in-time admin access to Microsoft Entra ID tenants. One resource group with the Function App (Flex Consumption, Node 22), its managed identity, storage, Key Vault, monitoring, alerts and an operator workbook. Deploy with `azd up` (docs/deploy.md).'

// ---- Deployment ----

@minLength(1)
@maxLength(40)
@description('azd environment name: names the resource group and tags every resource (azd-env-name).')
param environmentName string

@minLength(1)
@description('Azure region for every resource. It must offer Flex Consumption (and Durable Task Scheduler if chosen).')
param location string

@description('Resource group to create. Default: rg-<environmentName>.')
param resourceGroupName string = ''

// ---- The app ----

@description('Client id of the multi-tenant Entra JIT app registration in the home tenant (printed by infra/scripts/create-app-registration.sh).')
param apiClientId string

@description('The provider\'s own (home) Entra tenant, whose tokens the API accepts. Default: the tenant of this subscription.')
param homeTenantId string = tenant().tenantId

@description('Microsoft Graph base URL, without /v1.0. Change only for a national cloud.')
param graphBaseUrl string = 'https://graph.microsoft.com'

@description('Durable Functions task hub name (3-45 letters and digits, starting with a letter).')
@minLength(3)
@maxLength(45)
param taskHubName string = 'jit'

@description('ISO 8601 interval between attempts while a revocation keeps failing.')
param revocationRetryInterval string = 'PT1M'

@description('NCRONTAB schedule (six fields, with seconds) of the reconciler: orphaned leases, drift, stale credentials, unused accounts.')
param reconcileSchedule string = '0 */5 * * * *'

@description('First wait, in milliseconds, before an activity (provisioning, revocation) is retried; it doubles up to 60 s over 6 attempts.')
@minValue(10)
@maxValue(60000)
param activityRetryFirstIntervalMs int = 2000

@description('Accepted clock skew, in seconds, when validating caller tokens.')
@minValue(0)
@maxValue(300)
param tokenClockSkewSeconds int = 60

// ---- Durable Functions backend ----

@description('azureStorage: task hub in the app\'s storage account (default). durableTaskScheduler: a Durable Task Scheduler and task hub, reached by identity.')
@allowed([
  'azureStorage'
  'durableTaskScheduler'
])
param durableBackend string = 'azureStorage'

@description('Durable Task Scheduler SKU (only with durableBackend = durableTaskScheduler).')
@allowed([
  'Consumption'
  'Dedicated'
])
param durableTaskSchedulerSku string = 'Consumption'

@description('Instances of the durable trigger group kept warm (billed while idle). The scale controller reads the backend from the deployed host.json (infra/scripts/stage-package.sh writes it), so none are needed for timers to fire.')
@minValue(0)
@maxValue(10)
param alwaysReadyDurableInstances int = 0

// ---- Scale ----

@description('Upper bound of Function App instances. Each instance keeps 1/maximumInstanceCount of Graph\'s write limits (JIT_GRAPH_WRITE_BUDGET_INSTANCES), so a lower bound gives each more.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per Function App instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Storage replication.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
param storageSku string = 'Standard_LRS'

// ---- Network ----

@description('Public endpoint of the API. Callers always need an Entra token (or a webhook signature); disable only behind your own private access.')
@allowed([
  'Enabled'
  'Disabled'
])
param apiPublicNetworkAccess string = 'Enabled'

@description('Public endpoints of storage and Key Vault (identity-only either way). Disabled needs private endpoints and VNet integration, which this template does not create: see docs/deploy.md.')
@allowed([
  'Enabled'
  'Disabled'
])
param dataPublicNetworkAccess string = 'Enabled'

@description('Subnet for the Function App\'s outbound traffic (an existing subnet delegated to Microsoft.App/environments); empty for none.')
param virtualNetworkSubnetId string = ''

@description('Comma-separated browser origins allowed to call the API besides the portal\'s own (which is always allowed), e.g. a custom domain https://jit.example.com. Empty: the portal only.')
param allowedCorsOrigins string = ''

// ---- Portal ----

@description('Region of the portal\'s Static Web App (Free). Static Web Apps is offered in centralus, eastus2, westus2, westeurope and eastasia only; the content is served globally either way.')
@allowed([
  'centralus'
  'eastus2'
  'westus2'
  'westeurope'
  'eastasia'
])
param portalLocation string = 'westeurope'

// ---- Notifications (app settings that survive every `azd provision`) ----

@description('Base URL that links in notifications point to (your portal, or the API). Empty: no links.')
param publicBaseUrl string = ''

@description('Signed notification webhook URL (HMAC-SHA256, see README). Empty: none. Needs notifyWebhookSecretName.')
param notifyWebhookUrl string = ''

@description('Name of the secret in this deployment\'s Key Vault holding the webhook signing secret (16+ characters); the app reads it through a Key Vault reference. Empty: none.')
@maxLength(127)
param notifyWebhookSecretName string = ''

@description('Name of the secret in this deployment\'s Key Vault holding the Microsoft Teams webhook URL (the URL is a credential). Empty: no Teams notifications.')
@maxLength(127)
param notifyTeamsWebhookUrlSecretName string = ''

@description('Mailbox (a UPN of the home tenant) that lease emails are sent from through Graph sendMail; the home tenant must be connected and the app granted Mail.Send there (create-app-registration.sh --home-mail-send). Empty: no email.')
param notifyMailFrom string = ''

@description('How long before a lease ends its requester is told it ends soon (ISO 8601 duration).')
param notifyEndingSoonBefore string = 'PT10M'

// ---- Approvals in Microsoft Teams (README "Approving from Teams") ----

@description('Microsoft app id of the Teams bot: a single-tenant app registration of the home tenant. Set it (with teamsBotClientSecretName) to deploy the Azure Bot with the Teams channel. Empty: no bot.')
param teamsBotAppId string = ''

@description('Name of the secret in this deployment\'s Key Vault holding the Teams bot app\'s client secret. Empty: no bot.')
@maxLength(127)
param teamsBotClientSecretName string = ''

@description('Conversation id of a Teams channel (19:…@thread.tacv2, its team has the app) that every approval card also goes to. Empty: approvers\' personal chats only.')
param teamsApprovalChannel string = ''

@description('Bot Connector serviceUrl for that channel (Teams\' regional endpoint).')
param teamsServiceUrl string = 'https://smba.trafficmanager.net/teams/'

// ---- Operations ----

@description('Object id of the person running `azd provision` (azd sets AZURE_PRINCIPAL_ID): the default operator. Empty: none.')
param principalId string = ''

@description('Comma-separated object ids of the users or groups who operate the service: Storage Blob, Queue and Table Data Reader on the storage account (Storage browser, Durable Functions Monitor) and Durable Task Data Reader on the task hub (scheduler dashboard). Read-only; they get no Key Vault access. Empty: the deploying user (principalId).')
param operatorPrincipalIds string = ''

@description('Comma-separated email addresses notified by the alerts. Empty: alerts show in the portal only.')
param alertEmailAddresses string = ''

@description('Days to keep logs in Log Analytics.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 90

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'entra-jit'
}
var useScheduler = durableBackend == 'durableTaskScheduler'
var loginEndpoint = environment().authentication.loginEndpoint
var authorityHost = endsWith(loginEndpoint, '/') ? take(loginEndpoint, length(loginEndpoint) - 1) : loginEndpoint
var deploymentContainerName = 'app-package-${resourceToken}'

func splitList(list string) string[] => filter(map(split(list, ','), item => trim(item)), item => !empty(item))

var operators = !empty(operatorPrincipalIds) ? splitList(operatorPrincipalIds) : (empty(principalId) ? [] : [principalId])

resource rg 'Microsoft.Resources/resourceGroups@2024-11-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: 'id-jit-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    logAnalyticsName: 'log-jit-${resourceToken}'
    applicationInsightsName: 'appi-jit-${resourceToken}'
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
    appPrincipalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  params: {
    name: 'stjit${resourceToken}'
    location: location
    tags: tags
    skuName: storageSku
    deploymentContainerName: deploymentContainerName
    publicNetworkAccess: dataPublicNetworkAccess
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalIds: operators
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
  }
}

module keyVault 'modules/keyVault.bicep' = {
  scope: rg
  params: {
    name: 'kv-jit-${resourceToken}'
    location: location
    tags: tags
    publicNetworkAccess: dataPublicNetworkAccess
    appPrincipalId: identity.outputs.principalId
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
  }
}

module scheduler 'modules/durableTaskScheduler.bicep' = if (useScheduler) {
  scope: rg
  params: {
    name: 'dts-jit-${resourceToken}'
    location: location
    tags: tags
    taskHubName: taskHubName
    skuName: durableTaskSchedulerSku
    ipAllowlist: [
      '0.0.0.0/0'
    ]
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalIds: operators
  }
}

module portal 'modules/staticWebApp.bicep' = {
  scope: rg
  params: {
    name: 'swa-jit-${resourceToken}'
    location: portalLocation
    tags: tags
  }
}

module functionApp 'modules/functionApp.bicep' = {
  scope: rg
  params: {
    name: 'func-jit-${resourceToken}'
    planName: 'plan-jit-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    tablesEndpoint: storage.outputs.tableEndpoint
    keyVaultUri: keyVault.outputs.uri
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
    homeTenantId: homeTenantId
    apiClientId: apiClientId
    authorityHost: authorityHost
    graphBaseUrl: graphBaseUrl
    taskHubName: taskHubName
    revocationRetryInterval: revocationRetryInterval
    tokenClockSkewSeconds: tokenClockSkewSeconds
    reconcileSchedule: reconcileSchedule
    activityRetryFirstIntervalMs: activityRetryFirstIntervalMs
    durableBackend: durableBackend
    durableTaskSchedulerEndpoint: useScheduler ? scheduler!.outputs.endpoint : ''
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alwaysReadyDurableInstances: alwaysReadyDurableInstances
    // Exactly the portal's origin (and any the operator adds), never '*'.
    allowedCorsOrigins: union([portal.outputs.origin], splitList(allowedCorsOrigins))
    publicBaseUrl: publicBaseUrl
    notifyWebhookUrl: notifyWebhookUrl
    notifyWebhookSecretName: notifyWebhookSecretName
    notifyTeamsWebhookUrlSecretName: notifyTeamsWebhookUrlSecretName
    notifyMailFrom: notifyMailFrom
    notifyEndingSoonBefore: notifyEndingSoonBefore
    teamsBotAppId: teamsBotAppId
    teamsBotClientSecretName: teamsBotClientSecretName
    teamsApprovalChannel: teamsApprovalChannel
    teamsServiceUrl: teamsServiceUrl
    publicNetworkAccess: apiPublicNetworkAccess
    virtualNetworkSubnetId: virtualNetworkSubnetId
  }
  // Storage, Key Vault and monitoring outputs feed the settings above, so their modules (including
  // the identity's role assignments) finish before the app is created and first touches storage.
}

// The Azure Bot for Teams approvals, only when its app id is given (the app needs its secret too).
module bot 'modules/bot.bicep' = if (!empty(teamsBotAppId)) {
  scope: rg
  params: {
    name: 'bot-jit-${resourceToken}'
    tags: tags
    botAppId: teamsBotAppId
    homeTenantId: homeTenantId
    functionAppUri: functionApp.outputs.uri
  }
}

module alerts 'modules/alerts.bicep' = {
  scope: rg
  params: {
    namePrefix: 'jit-${resourceToken}'
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    alertEmailAddresses: splitList(alertEmailAddresses)
    healthUrl: '${functionApp.outputs.uri}/api/health'
  }
}

module workbook 'modules/workbook.bicep' = {
  scope: rg
  params: {
    displayName: 'Entra JIT operations (${environmentName})'
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
  }
}

// ---- Outputs (azd stores them in the environment: `azd env get-values`) ----

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output JIT_API_URL string = '${functionApp.outputs.uri}/api'
output JIT_KEY_VAULT_URI string = keyVault.outputs.uri
output JIT_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
@description('Subject of the federated identity credential on the app registration.')
output JIT_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output JIT_HOME_TENANT_ID string = homeTenantId
@description('The API\'s app registration, which the portal signs in with (its SPA redirect URIs: create-app-registration.sh --portal-url).')
output JIT_API_CLIENT_ID string = apiClientId
output JIT_AUTHORITY_HOST string = authorityHost
@description('The portal (Static Web App) URL: a SPA redirect URI of the app registration.')
output JIT_PORTAL_URL string = portal.outputs.origin
output JIT_PORTAL_NAME string = portal.outputs.name
output JIT_DURABLE_BACKEND string = durableBackend
output JIT_TEAMS_BOT_NAME string = empty(teamsBotAppId) ? '' : bot!.outputs.name
output JIT_DURABLE_TASK_SCHEDULER_ENDPOINT string = useScheduler ? scheduler!.outputs.endpoint : ''
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output JIT_STORAGE_ACCOUNT_NAME string = storage.outputs.name
@description('The operators granted read access (JIT_OPERATOR_PRINCIPAL_IDS, else the deploying user).')
output JIT_OPERATORS_GRANTED string = join(operators, ',')
