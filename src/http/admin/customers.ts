import type { HttpResponseInit } from '@azure/functions';
import { connectGdapCustomers, listGdapCustomers, type ConnectCustomerOutcome } from '../../app/config/customers';
import { connectCustomersBodySchema, type ConnectCustomersResult } from '../../app/config/customerSchemas';
import { tenantView } from '../../app/config/tenants';
import { checkIdempotencyKey, fingerprintOf, IDEMPOTENCY_KEY_HEADER, runOnce } from '../../app/idempotency';
import type { AuthenticatedCall } from '../operations/operation';
import { readJsonBody } from '../parse';
import { refusalAnswer, toProblem } from '../problem';
import { json } from '../respond';

export async function listGdapCustomersHttp({
  caller,
  services: { deps },
}: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, await listGdapCustomers(deps, caller));
}

/** One customer's line of the answer: its own status, as if it had been connected alone. */
function resultOf(outcome: ConnectCustomerOutcome): ConnectCustomersResult['items'][number] {
  switch (outcome.outcome) {
    case 'connected':
      return {
        tenantId: outcome.tenantId,
        status: 201,
        outcome: 'connected',
        detail: null,
        tenant: { ...tenantView(outcome.tenant.value), verification: outcome.verification },
      };
    case 'alreadyConnected':
      return {
        tenantId: outcome.tenantId,
        status: 200,
        outcome: 'alreadyConnected',
        detail: null,
        tenant: { ...tenantView(outcome.tenant.value), verification: null },
      };
    case 'refused': {
      const problem = toProblem(outcome.error);
      const fields = problem.errors?.map((e) => `${e.field}: ${e.message}`).join('; ');
      return {
        tenantId: outcome.tenantId,
        status: problem.status,
        outcome: 'refused',
        detail: fields !== undefined && fields !== '' ? fields : problem.detail,
        tenant: null,
      };
    }
  }
}

export async function connectGdapCustomersHttp({
  request,
  caller,
  services,
}: AuthenticatedCall): Promise<HttpResponseInit> {
  const body = await readJsonBody(request, connectCustomersBodySchema);
  const connect = async () => {
    const outcomes = await connectGdapCustomers(services.deps, caller, body, {
      authorityHost: services.settings.JIT_AUTHORITY_HOST,
      serviceAppId: services.settings.JIT_API_CLIENT_ID,
    });
    const items = outcomes.map(resultOf);
    const count = (outcome: string): number => items.filter((i) => i.outcome === outcome).length;
    const result: ConnectCustomersResult = {
      items,
      summary: {
        connected: count('connected'),
        alreadyConnected: count('alreadyConnected'),
        refused: count('refused'),
      },
    };
    return { status: 200, body: result };
  };
  const key = request.headers.get(IDEMPOTENCY_KEY_HEADER);
  if (key === null) {
    const outcome = await connect();
    return json(outcome.status, outcome.body);
  }
  // As POST /requests: scoped to the caller, the fingerprint is the validated body (a client
  // secret in it is hashed into the fingerprint, never stored).
  const instance = new URL(request.url).pathname;
  const outcome = await runOnce(
    services.deps.idempotency,
    caller.objectId,
    checkIdempotencyKey(key),
    fingerprintOf({ operation: 'connectGdapCustomers', body }),
    connect,
    { instance, refusalAnswer: (error) => refusalAnswer(error, instance) },
  );
  return json(outcome.status, outcome.body, outcome.replayed ? { 'Idempotent-Replayed': 'true' } : {});
}
