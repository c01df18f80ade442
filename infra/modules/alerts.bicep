metadata description = 'Log search alerts on the events that need a human: a lease whose access could not be revoked, and what the reconciler finds (expired leases whose orchestration is gone, JIT accounts enabled with no lease).'

import { jitEventsPrelude } from 'jitEvents.bicep'

@description('Name prefix for the alert rules and action group.')
param namePrefix string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Application Insights component the app reports to.')
param applicationInsightsId string

@description('Email addresses notified when an alert fires. Empty: alerts only show in the portal.')
param alertEmailAddresses string[]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmailAddresses)) {
  name: '${namePrefix}-operators'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'jit-ops'
    enabled: true
    emailReceivers: [
      for (address, i) in alertEmailAddresses: {
        name: 'operator-${i}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
  }
}

var actions = empty(alertEmailAddresses)
  ? {}
  : {
      actionGroups: [
        actionGroup.id
      ]
    }

// One row per event: the fields the alert splits on (dimensions) are columns.
var eventProjection = '| project timestamp, event, requestId, tenantId, targetId, kind = tostring(payload.kind)\n'

var rules = [
  {
    suffix: 'revocation-failed'
    query: '${jitEventsPrelude}jitEvents\n| where event == \'revocation_failed\'\n${eventProjection}'
    severity: 1
    displayName: 'Entra JIT: access could not be revoked'
    description: 'A lease ended but revoking its access keeps failing: the account may still be enabled with its roles. The orchestration keeps retrying; investigate now (see docs/deploy.md, Operating).'
    dimensions: [
      'requestId'
      'tenantId'
    ]
  }
  {
    suffix: 'reconciler-finding'
    query: '${jitEventsPrelude}jitEvents\n| where event == \'reconciler_finding\'\n${eventProjection}'
    severity: 2
    displayName: 'Entra JIT: reconciler finding'
    description: 'The reconciler found a lease past expiry whose orchestration failed or vanished, or a JIT account enabled in a customer tenant with no active lease (drift).'
    dimensions: [
      'tenantId'
      'kind'
    ]
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in rules: {
    name: '${namePrefix}-${rule.suffix}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        applicationInsightsId
      ]
      // Overlapping windows: a line ingested late is still seen; the same finding may notify twice.
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      autoMitigate: false
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            dimensions: [
              for dimension in rule.dimensions: {
                name: dimension
                operator: 'Include'
                values: [
                  '*'
                ]
              }
            ]
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: actions
    }
  }
]

output alertRuleIds string[] = [for (rule, i) in rules: alertRules[i].id]
