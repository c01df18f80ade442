import * as df from 'durable-functions';
import { LEASE_ORCHESTRATION } from '../../src/adapters/durable/leaseOrchestrations';
import { leaseOrchestrator } from '../../src/workflow/leaseOrchestrator';

df.app.orchestration(LEASE_ORCHESTRATION, leaseOrchestrator);
