metadata description = 'The Entra JIT Function App on the Flex Consumption plan (Linux, Node 22), running as a user-assigned identity, with every app setting it reads. The app settings are declared here and only here, in the delimited blocks below: test/infra checks them against src/settings.ts.'

@description('Name of the Function App (globally unique host name).')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Name of the storage account (AzureWebJobsStorage, task hub, app tables).')
param storageAccountName string

@description('URL of the blob container holding the deployment package.')
param deploymentContainerUrl string

@description('Table endpoint of the storage account (the app\'s own tables).')
param tablesEndpoint string

@description('Key Vault URI.')
param keyVaultUri string

@description('Application Insights connection string (ingestion endpoint; not a secret with local auth disabled).')
param applicationInsightsConnectionString string

@description('Log Analytics workspace for the app\'s platform logs.')
param logAnalyticsWorkspaceId string

@description('The provider\'s home tenant: callers\' tokens are issued by it.')
param homeTenantId string

@description('Client id of the multi-tenant Entra JIT app registration: the audience of callers\' tokens.')
param apiClientId string

@description('Entra authority host, without a trailing slash.')
param authorityHost string

@description('Microsoft Graph base URL, without /v1.0.')
param graphBaseUrl string

@description('Durable Functions task hub name.')
param taskHubName string

@description('ISO 8601 interval between attempts while a revocation keeps failing.')
param revocationRetryInterval string

@description('Accepted clock skew when validating caller tokens.')
param tokenClockSkewSeconds int

@description('NCRONTAB schedule (six fields) of the reconciler.')
param reconcileSchedule string

@description('First wait, in milliseconds, before an activity is retried.')
param activityRetryFirstIntervalMs int

@description('Durable Functions backend.')
@allowed([
  'azureStorage'
  'durableTaskScheduler'
])
param durableBackend string

@description('Durable Task Scheduler endpoint; empty with the Azure Storage backend.')
param durableTaskSchedulerEndpoint string

@description('Upper bound of instances the plan scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory per instance.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Instances of the durable group kept warm (billed while idle).')
@minValue(0)
@maxValue(10)
param alwaysReadyDurableInstances int

@description('Base URL that links in notifications point to (the portal or the API); empty for none.')
param publicBaseUrl string

@description('URL of the signed notification webhook; empty for none. Needs notifyWebhookSecretName.')
param notifyWebhookUrl string

@description('Name of the Key Vault secret holding the webhook signing secret (16+ characters); empty for none.')
@maxLength(127)
param notifyWebhookSecretName string

@description('Name of the Key Vault secret holding the Microsoft Teams webhook URL (it embeds a credential); empty for none.')
@maxLength(127)
param notifyTeamsWebhookUrlSecretName string

@description('Mailbox (a UPN of the home tenant) lease emails are sent from through Graph sendMail; empty for none.')
param notifyMailFrom string

@description('How long before a lease ends its requester is told it ends soon (ISO 8601 duration).')
param notifyEndingSoonBefore string

@description('Microsoft app id of the Teams bot (the Azure Bot\'s msaAppId); empty: no bot.')
param teamsBotAppId string

@description('Name of the Key Vault secret holding the Teams bot app\'s client secret; empty: no bot.')
@maxLength(127)
param teamsBotClientSecretName string

@description('Conversation id of the Teams channel every approval card also goes to (19:…@thread.tacv2); empty: personal chats only.')
param teamsApprovalChannel string

@description('Bot Connector serviceUrl of that channel\'s region.')
param teamsServiceUrl string

@description('Browser origins allowed to call the API (the portal). Empty: no CORS.')
param allowedCorsOrigins string[]

@description('Whether the API answers on its public endpoint. Callers always need an Entra token or a webhook signature.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

@description('Subnet the app sends its outbound traffic through (private networking); empty for none.')
param virtualNetworkSubnetId string

/**
 * An app setting that the platform resolves from Key Vault through keyVaultReferenceIdentity (the
 * app's user-assigned identity, Key Vault Secrets Officer on the vault), so the secret is in no
 * template, parameter file or deployment history. Versionless: the platform picks up a new version
 * within 24 hours, or at once on restart. Empty name: the setting is empty (feature off).
 * https://learn.microsoft.com/azure/app-service/app-service-key-vault-references
 */
func keyVaultReference(vaultUri string, secretName string) string =>
  empty(secretName) ? '' : '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${secretName}/)'

// <app-settings:jit> Every setting the app parses (src/settings.ts appSettingNames) except the
// local-only ones. One key per line: test/infra/appSettings.test.ts reads this block.
var jitAppSettings = {
  JIT_HOME_TENANT_ID: homeTenantId
  JIT_API_CLIENT_ID: apiClientId
  JIT_AUTHORITY_HOST: authorityHost
  JIT_GRAPH_BASE_URL: graphBaseUrl
  JIT_KEY_VAULT_URL: keyVaultUri
  JIT_TABLES_ENDPOINT: tablesEndpoint
  JIT_MANAGED_IDENTITY_CLIENT_ID: identityClientId
  JIT_TASK_HUB: taskHubName
  JIT_REVOCATION_RETRY_INTERVAL: revocationRetryInterval
  JIT_TOKEN_CLOCK_SKEW_SECONDS: string(tokenClockSkewSeconds)
  JIT_RECONCILE_SCHEDULE: reconcileSchedule
  JIT_ACTIVITY_RETRY_FIRST_INTERVAL_MS: string(activityRetryFirstIntervalMs)
  JIT_PUBLIC_BASE_URL: publicBaseUrl
  JIT_NOTIFY_WEBHOOK_URL: notifyWebhookUrl
  JIT_NOTIFY_WEBHOOK_SECRET: keyVaultReference(keyVaultUri, notifyWebhookSecretName)
  JIT_NOTIFY_TEAMS_WEBHOOK_URL: keyVaultReference(keyVaultUri, notifyTeamsWebhookUrlSecretName)
  JIT_NOTIFY_MAIL_FROM: notifyMailFrom
  JIT_NOTIFY_ENDING_SOON_BEFORE: notifyEndingSoonBefore
  JIT_TAP_USABLE_ONCE: 'false'
  JIT_GRAPH_WRITE_BUDGET_INSTANCES: string(maximumInstanceCount)
  JIT_TEAMS_BOT_APP_ID: teamsBotAppId
  JIT_TEAMS_BOT_CLIENT_SECRET: keyVaultReference(keyVaultUri, teamsBotClientSecretName)
  JIT_TEAMS_APPROVAL_CHANNEL: teamsApprovalChannel
  JIT_TEAMS_SERVICE_URL: teamsServiceUrl
}
// </app-settings:jit>

// <app-settings:host> Settings the Functions host reads (not the app): storage and telemetry by identity.
var hostSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}
// </app-settings:host>

// <app-settings:durable-task-scheduler> Only with the Durable Task Scheduler backend: the
// connection that the deployed host.json names (storageProvider azureManaged, written by
// infra/scripts/stage-package.sh). No AzureFunctionsJobHost__ override: the scale controller
// reads host.json only.
var durableTaskSchedulerSettings = {
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${durableTaskSchedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'
}
// </app-settings:durable-task-scheduler>

var appSettings = union(hostSettings, durableBackend == 'durableTaskScheduler' ? durableTaskSchedulerSettings : {}, jitAppSettings)

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: publicNetworkAccess
    keyVaultReferenceIdentity: identityId
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      cors: {
        allowedOrigins: allowedCorsOrigins
        supportCredentials: false
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReadyDurableInstances > 0
          ? [
              {
                name: 'durable'
                instanceCount: alwaysReadyDurableInstances
              }
            ]
          : []
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

resource appSettingsConfig 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

// No FTP and no basic-auth deployments: azd and Core Tools deploy with an Entra token.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: site
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output id string = site.id
output name string = site.name
output uri string = 'https://${site.properties.defaultHostName}'
