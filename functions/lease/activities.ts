import * as df from 'durable-functions';
import { provisionAccess } from '../../src/app/provisionAccess';
import { recordRevocationFailure, revokeAccess, type RevokeAccessInput } from '../../src/app/revokeAccess';
import { getServices } from '../../src/composition';

/** The lease's activities: thin registrations over the use cases. Inputs and results hold no secret. */
export async function provisionAccessActivity(requestId: string) {
  return provisionAccess(getServices().deps, requestId);
}

export async function revokeAccessActivity(input: RevokeAccessInput) {
  return revokeAccess(getServices().deps, input);
}

export async function recordRevocationFailureActivity(input: { requestId: string; failure: string; attempt: number }) {
  return recordRevocationFailure(getServices().deps, input);
}

df.app.activity('provisionAccess', { handler: provisionAccessActivity });
df.app.activity('revokeAccess', { handler: revokeAccessActivity });
df.app.activity('recordRevocationFailure', { handler: recordRevocationFailureActivity });
