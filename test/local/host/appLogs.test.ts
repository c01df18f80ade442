import { describe, expect, it } from 'vitest';
import { CONTOSO, HOME_USERS } from '../../../local/sandbox/seed';
import type { HostLogRecord } from '../../../local/functionsHost';
import { QUICK_TARGET_ID } from '../../support/quickTargets';
import { useQuickStack } from '../../support/stack';

/**
 * What an operator finds in Application Insights: the local host hands its log sink only what
 * passes host.json's `logging.logLevel`, under the host's categories, as Azure does.
 */
const t = useQuickStack();

function appEvent(records: readonly HostLogRecord[], event: string, requestId?: string): HostLogRecord | undefined {
  return records.find(
    (r) => r.message.includes(`"event":"${event}"`) && (requestId === undefined || r.message.includes(requestId)),
  );
}

describe("the app's structured lines reach Application Insights", () => {
  it('a lease shows request_submitted, lease_activated and lease_ended; a reconciler run shows audit_anchor, each under its function', async () => {
    const dave = await t.client.token(HOME_USERS.dave.userPrincipalName);
    const submit = await t.client.api('POST', '/requests', {
      token: dave,
      body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration: 'PT2S' },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);
    await t.client.waitForRequest(id, dave, (r) => r.status === 'ended', 30_000);
    const carol = await t.client.token(HOME_USERS.carol.userPrincipalName);
    expect((await t.client.api('POST', '/ops/reconcile', { token: carol })).status).toBe(200);

    const submitted = appEvent(t.logs, 'request_submitted', id);
    const activated = appEvent(t.logs, 'lease_activated', id);
    const ended = appEvent(t.logs, 'lease_ended', id);
    const anchor = appEvent(t.logs, 'audit_anchor');
    for (const [name, record] of Object.entries({ submitted, activated, ended, anchor })) {
      expect(record, `${name}: a line that passes host.json's filter`).toBeDefined();
      expect(record?.level, name).toBe('information');
      expect(record?.category, name).toBe(`Function.${record?.functionName ?? '?'}.User`);
      expect(record?.invocationId, name).toEqual(expect.any(String));
    }
    expect(submitted?.functionName).toBe('submitRequest');
    expect(anchor?.functionName).toBe('runReconciler');
    // The lines are the JSON the alert rules and the workbook parse (docs/deploy.md, "Log contract").
    expect(JSON.parse(activated?.message ?? '{}')).toMatchObject({
      event: 'lease_activated',
      requestId: id,
      tenantId: CONTOSO.id,
      targetId: QUICK_TARGET_ID,
      expiresAt: expect.any(String) as string,
    });
    expect(JSON.parse(anchor?.message ?? '{}')).toMatchObject({
      event: 'audit_anchor',
      partition: 'all',
      seq: expect.any(Number) as number,
    });
    // Nothing below the configured levels gets through.
    expect(t.logs.filter((r) => r.level === 'debug' || r.level === 'trace')).toEqual([]);
  });
});
