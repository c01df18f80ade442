metadata description = 'A small operator workbook over the app\'s structured log lines: active leases, leases by tenant, failures.'

import { jitEventsPrelude } from 'jitEvents.bicep'

@description('Display name of the workbook.')
param displayName string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Application Insights component the app reports to.')
param applicationInsightsId string

var activeLeasesQuery = '${jitEventsPrelude}${'''
jitEvents
| where event in ('lease_activated', 'lease_extended', 'lease_ended', 'revocation_failed', 'revocation_succeeded')
| where isnotempty(requestId)
| summarize arg_max(timestamp, event, payload, tenantId, targetId) by requestId
| where event in ('lease_activated', 'lease_extended')
| extend requester = tostring(payload.requester), account = tostring(payload.userPrincipalName), expiresAt = todatetime(payload.expiresAt)
| project requestId, tenantId, targetId, requester, account, since = timestamp, expiresAt
| order by expiresAt asc
'''}'

var leasesByTenantQuery = '${jitEventsPrelude}${'''
jitEvents
| where event == 'lease_activated'
| summarize leases = dcount(requestId) by tenantId
| order by leases desc
'''}'

var failuresOverTimeQuery = '${jitEventsPrelude}${'''
jitEvents
| where event in ('revocation_failed', 'provisioning_failed', 'reconciler_finding')
| summarize count() by event, bin(timestamp, 1h)
'''}'

var failuresQuery = '${jitEventsPrelude}${'''
jitEvents
| where event in ('revocation_failed', 'provisioning_failed', 'reconciler_finding')
| project timestamp, event, requestId, tenantId, targetId, kind = tostring(payload.kind), reason = tostring(payload.reason)
| order by timestamp desc
'''}'

func logQuery(name string, title string, query string, visualization string) object => {
  type: 3
  name: name
  content: {
    version: 'KqlItem/1.0'
    title: title
    query: query
    size: 0
    queryType: 0
    resourceType: 'microsoft.insights/components'
    timeContextFromParameter: 'TimeRange'
    visualization: visualization
  }
}

var workbookContent = {
  version: 'Notebook/1.0'
  items: [
    {
      type: 1
      name: 'intro'
      content: {
        json: '## Entra JIT\nBuilt from the app\'s structured log lines (docs/deploy.md, "Log contract"). Active leases are those whose last event in the time range is an activation or extension: widen the range to at least the longest lease duration.'
      }
    }
    {
      type: 9
      name: 'parameters'
      content: {
        version: 'KqlParameterItem/1.0'
        parameters: [
          {
            id: 'a4b1c2d3-0000-4000-8000-000000000001'
            version: 'KqlParameterItem/1.0'
            name: 'TimeRange'
            label: 'Time range'
            type: 4
            isRequired: true
            value: {
              durationMs: 604800000
            }
            typeSettings: {
              selectableValues: [
                { durationMs: 86400000 }
                { durationMs: 259200000 }
                { durationMs: 604800000 }
                { durationMs: 2592000000 }
              ]
            }
          }
        ]
      }
    }
    logQuery('active-leases', 'Active leases', activeLeasesQuery, 'table')
    logQuery('leases-by-tenant', 'Leases by tenant', leasesByTenantQuery, 'barchart')
    logQuery('failures-over-time', 'Failures and findings over time', failuresOverTimeQuery, 'timechart')
    logQuery('failures', 'Failures and findings', failuresQuery, 'table')
  ]
  fallbackResourceIds: [
    applicationInsightsId
  ]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, applicationInsightsId, 'entra-jit-operations')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsightsId
    version: 'Notebook/1.0'
    serializedData: string(workbookContent)
  }
}

output id string = workbook.id
