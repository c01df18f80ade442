metadata description = 'Alerts on what needs a human: a lease whose access could not be revoked, a lease orchestration that failed or was terminated, a reconciler that stopped running, what the reconciler finds (expired leases whose orchestration is gone, JIT accounts enabled with no lease), and an API that does not answer healthy (availability test on /api/health).'

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

@description('URL of the app\'s health endpoint (…/api/health): 200 only when storage, Key Vault, the directory and the task hub answer.')
param healthUrl string

@description('Name of the lease orchestrator function (src/adapters/durable/leaseOrchestrations.ts LEASE_ORCHESTRATION).')
param leaseOrchestrationName string = 'lease'

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

// The Durable extension's lifecycle traces (category Host.Triggers.DurableTask, fields prop__*),
// one per state change of an instance; replays are skipped so a state is counted once.
// https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-diagnostics
var leaseOrchestrationEnded = '''
traces
| where tostring(customDimensions.Category) == 'Host.Triggers.DurableTask'
| extend functionName = tostring(customDimensions.prop__functionName), instanceId = tostring(customDimensions.prop__instanceId),
    state = tostring(customDimensions.prop__state), isReplay = tobool(tolower(tostring(customDimensions.prop__isReplay)))
| where isReplay != true
'''

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
    operator: 'GreaterThan'
    threshold: 0
    autoMitigate: false
  }
  {
    suffix: 'lease-orchestration-failed'
    query: '${leaseOrchestrationEnded}| where functionName == \'${leaseOrchestrationName}\' and state in (\'Failed\', \'Terminated\')\n| project timestamp, instanceId, state\n'
    severity: 1
    displayName: 'Entra JIT: a lease orchestration failed or was terminated'
    description: 'The orchestration that ends a lease is gone (instance id = request id): nothing will revoke that access at expiry until the reconciler finds it. Check the request and the account now (docs/deploy.md, Operating).'
    dimensions: [
      'instanceId'
      'state'
    ]
    operator: 'GreaterThan'
    threshold: 0
    autoMitigate: false
  }
  {
    suffix: 'reconciler-silent'
    query: '${jitEventsPrelude}jitEvents\n| where event == \'audit_anchor\'\n| project timestamp\n'
    severity: 2
    displayName: 'Entra JIT: the reconciler has not run for 15 minutes'
    description: 'No audit_anchor line, which the reconciler logs on every run, for 15 minutes: orphaned leases and drift go unnoticed. Check the app is running and its timer is not disabled (AzureWebJobs.reconciler.Disabled); a JIT_RECONCILE_SCHEDULE longer than 15 minutes makes this fire too.'
    dimensions: []
    operator: 'LessThan'
    threshold: 1
    autoMitigate: true
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
    operator: 'GreaterThan'
    threshold: 0
    autoMitigate: false
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
      autoMitigate: rule.autoMitigate
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Count'
            operator: rule.operator
            threshold: rule.threshold
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

// Standard availability test: GET /api/health from five regions every 5 minutes, healthy only on 200
// (the endpoint answers 503 when a dependency fails), with a certificate check.
// https://learn.microsoft.com/azure/templates/microsoft.insights/webtests
var webTestName = '${namePrefix}-health'
resource healthTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: webTestName
  location: location
  // Links the test to the Application Insights component (required for it to show and report there).
  tags: union(tags, { 'hidden-link:${applicationInsightsId}': 'Resource' })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: webTestName
    Name: 'Entra JIT /api/health'
    Description: 'The API answers 200 from /api/health: storage, Key Vault, the directory and the task hub reachable.'
    Enabled: true
    Frequency: 300
    Timeout: 30
    Kind: 'standard'
    RetryEnabled: true
    Locations: [
      { Id: 'us-va-ash-azr' }
      { Id: 'us-ca-sjc-azr' }
      { Id: 'emea-nl-ams-azr' }
      { Id: 'emea-gb-db3-azr' }
      { Id: 'apac-sg-sin-azr' }
    ]
    Request: {
      RequestUrl: healthUrl
      HttpVerb: 'GET'
      ParseDependentRequests: false
      FollowRedirects: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      IgnoreHttpStatusCode: false
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
}

resource healthAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-health-unavailable'
  location: 'global'
  tags: tags
  properties: {
    description: 'Entra JIT /api/health failed from 2 or more of 5 locations: the API, or a dependency it checks, is down. Leases cannot be requested and may not end on time.'
    severity: 1
    enabled: true
    scopes: [
      healthTest.id
      applicationInsightsId
    ]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: healthTest.id
      componentId: applicationInsightsId
      failedLocationCount: 2
    }
    actions: empty(alertEmailAddresses)
      ? []
      : [
          {
            actionGroupId: actionGroup.id
          }
        ]
  }
}

output alertRuleIds string[] = [for (rule, i) in rules: alertRules[i].id]
output healthTestId string = healthTest.id
output healthAlertId string = healthAlert.id
