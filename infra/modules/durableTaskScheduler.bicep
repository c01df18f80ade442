metadata description = 'Durable Task Scheduler backend for Durable Functions: a scheduler, the app\'s task hub, and the data-contributor role for the app identity on that task hub only.'

@description('Name of the scheduler.')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Task hub name; the same value as JIT_TASK_HUB (host.json hubName).')
param taskHubName string

@description('Consumption bills per orchestration action; Dedicated reserves capacity units.')
@allowed([
  'Consumption'
  'Dedicated'
])
param skuName string

@description('IP ranges allowed to reach the scheduler endpoint (identity is still required). Flex Consumption has no fixed outbound IPs without a NAT gateway, so the default allows all.')
param ipAllowlist string[]

@description('Principal id of the Function App identity.')
param appPrincipalId string

@description('Object ids of the people or groups who operate the service: Durable Task Data Reader (the scheduler dashboard, read-only).')
param operatorPrincipalIds string[]

// Built-in role: Durable Task Data Contributor (run and manage orchestrations in a task hub).
var durableTaskDataContributorRoleId = '0ad04412-c4d5-4796-b79c-f76d14c8d402'
// Built-in role: Durable Task Data Reader (list orchestrations and read their history and payloads).
var durableTaskDataReaderRoleId = 'd6a5505f-6ebb-45a4-896e-ac8274cfc0ac'

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    ipAllowlist: ipAllowlist
    sku: skuName == 'Dedicated'
      ? {
          name: 'Dedicated'
          capacity: 1
        }
      : {
          name: 'Consumption'
        }
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
  properties: {}
}

resource dataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(taskHub.id, appPrincipalId, durableTaskDataContributorRoleId)
  scope: taskHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributorRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource operatorReaders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in operatorPrincipalIds: {
    name: guid(taskHub.id, principalId, durableTaskDataReaderRoleId)
    scope: taskHub
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataReaderRoleId)
      principalId: principalId
    }
  }
]

output id string = scheduler.id
output name string = scheduler.name
output endpoint string = scheduler.properties.endpoint
output taskHubName string = taskHub.name
