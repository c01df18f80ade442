import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTOSO, HOME_USERS } from '../../local/sandbox/seed';
import { recordRevocationFailure } from '../../src/app/revokeAccess';
import { getServices } from '../../src/composition';
import { transition } from '../../src/domain/lease';
import { connectQuickTargets, QUICK_TARGET_ID } from '../support/quickTargets';
import { startTestStack, type TestStack } from '../support/stack';

/** What a failed revocation round leaves behind: the status, an audit record and the alert's log line. */
let t: TestStack;
const errorLines: string[] = [];

beforeAll(async () => {
  vi.spyOn(console, 'error').mockImplementation(
    (...args: unknown[]) => void errorLines.push(args.map(String).join(' ')),
  );
  t = await startTestStack();
  await connectQuickTargets(getServices().deps, [CONTOSO]);
}, 60_000);

afterAll(async () => {
  await t?.stack.close();
});

describe('recordRevocationFailure', () => {
  it('marks the request revocation_failed, audits it and logs the line the alert rule matches', async () => {
    const token = await t.client.token(HOME_USERS.dave.userPrincipalName);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration: 'PT1H' },
    });
    const id = String(submit.body.id);
    await t.client.waitForRequest(id, token, (r) => r.status === 'active');
    const deps = getServices().deps;
    const stored = await deps.requests.get(id);
    if (stored === null) throw new Error('request missing');
    // As the orchestration leaves it when a revocation round has begun.
    await deps.requests.replace(
      transition(stored.value, { type: 'startRevocation', cause: 'expired', by: null }, new Date()),
      stored.etag,
    );

    await recordRevocationFailure(deps, { requestId: id, failure: 'Graph unavailable', attempt: 3 });

    expect((await deps.requests.get(id))?.value).toMatchObject({
      status: 'revocation_failed',
      failure: 'Graph unavailable',
      revokeCause: 'expired',
    });
    const audit = await deps.audit.list({ requestId: id }, { limit: 20 });
    expect(audit.items.find((r) => r.action === 'lease.revocation_failed')).toMatchObject({
      outcome: 'failure',
      details: { failure: 'Graph unavailable', attempt: 3 },
    });
    const line = errorLines.find((l) => l.includes('"event":"revocation_failed"'));
    expect(line).toBeDefined();
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      level: 'error',
      requestId: id,
      tenantId: CONTOSO.id,
      attempt: 3,
      reason: 'Graph unavailable',
    });
  });
});
