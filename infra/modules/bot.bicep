// The Azure Bot for approvals in Microsoft Teams (README "Approving from Teams"): single-tenant,
// its Microsoft app id a registration of the home tenant, messaging endpoint the Function App's
// /api/messages, with the Teams channel on. The bot's client secret stays in Key Vault (the app
// reads it through a Key Vault reference, JIT_TEAMS_BOT_CLIENT_SECRET); nothing secret is here.
// https://learn.microsoft.com/azure/templates/microsoft.botservice/botservices

@description('Name of the Azure Bot resource (globally unique).')
param name string

@description('Tags to apply.')
param tags object

@description('Microsoft app id of the bot: a single-tenant app registration of the home tenant.')
param botAppId string

@description('The home tenant: the bot app registration\'s tenant.')
param homeTenantId string

@description('The Function App\'s https origin; the messaging endpoint is its /api/messages.')
param functionAppUri string

@description('Display name shown in Teams.')
param displayName string = 'Entra JIT'

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  // Azure Bot resources are global; the data stays in the region of the Function App.
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: 'F0'
  }
  properties: {
    displayName: displayName
    endpoint: '${functionAppUri}/api/messages'
    msaAppId: botAppId
    msaAppTenantId: homeTenantId
    msaAppType: 'SingleTenant'
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      deploymentEnvironment: 'CommercialDeployment'
    }
  }
}

output name string = bot.name
output messagingEndpoint string = bot.properties.endpoint
