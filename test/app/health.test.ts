import { describe, expect, it } from 'vitest';
import { checkHealth } from '../../src/app/health';
import type { AppDeps } from '../../src/app/deps';

/** Reachable stand-ins for storage and Key Vault; the sign-in endpoint is a data: URL fetch answers. */
const reachable = {
  config: { listTenants: async () => [] },
  vault: { getLeaseCredential: async () => null },
} as unknown as Pick<AppDeps, 'config' | 'vault'>;
const metadataUrl = 'data:application/json,{}';

describe('checkHealth', () => {
  it('is ok when the task hub answers, whatever the probe instance is', async () => {
    const health = await checkHealth(reachable, metadataUrl, async () => 'missing');
    expect(health.status).toBe('ok');
    expect(health.checks.taskHub.ok).toBe(true);
  });

  it('is degraded, naming the task hub, when the task hub cannot be reached: no lease would be granted or taken back on time', async () => {
    const unreachable = Object.assign(new Error('connect ECONNREFUSED'), { name: 'TaskHubUnreachable' });
    const health = await checkHealth(reachable, metadataUrl, async () => {
      throw unreachable;
    });
    expect(health.status).toBe('degraded');
    expect(health.checks.taskHub).toMatchObject({ ok: false, detail: 'TaskHubUnreachable' });
    expect(health.checks.storage.ok).toBe(true);
  });
});
