import { describe, expect, it } from 'vitest';
import { functionsWithTrigger, installFunctionsCore } from '../../local/host/functionsCore';
import { leaseActivityNames } from '../../src/workflow/activities';

/**
 * Running orchestrations replay by name: the names recorded in a task hub in Azure must stay the
 * names the function app registers, whatever the code behind them becomes.
 */
const NAMES_IN_RUNNING_TASK_HUBS = [
  'expireApproval',
  'extendLease',
  'notifyLease',
  'provisionAccess',
  'recordDecision',
  'recordRevocationFailure',
  'revokeAccess',
  'startScheduled',
  'withdrawRequest',
];

describe('the lease workflow registrations', () => {
  it('register every activity of the table, and only those, under the names running orchestrations replay by', async () => {
    const registry = installFunctionsCore();
    await import('../../functions/lease/activities.js');
    await import('../../functions/lease/leaseOrchestrator.js');
    expect([...leaseActivityNames].sort()).toEqual(NAMES_IN_RUNNING_TASK_HUBS);
    const activities = functionsWithTrigger(registry, 'activityTrigger').map((fn) => fn.name);
    expect(activities.sort()).toEqual(NAMES_IN_RUNNING_TASK_HUBS);
    expect(functionsWithTrigger(registry, 'orchestrationTrigger').map((fn) => fn.name)).toEqual(['lease']);
  });
});
