import type { AppDeps } from './deps';

export interface HealthCheck {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly detail?: string;
}

export interface Health {
  readonly status: 'ok' | 'degraded';
  readonly checks: Readonly<Record<'storage' | 'keyVault' | 'directory' | 'taskHub', HealthCheck>>;
}

/**
 * Reachability of what a lease needs: Table Storage, Key Vault, the home tenant's sign-in endpoint
 * (where both Graph tokens and callers' signing keys come from) and the Durable task hub (where
 * every lease's orchestration lives: with it unreachable, nothing is granted or taken back on time).
 * Details name the failure's kind only.
 */
export async function checkHealth(
  deps: Pick<AppDeps, 'config' | 'vault'>,
  authorityMetadataUrl: string,
  probeTaskHub: () => Promise<unknown>,
): Promise<Health> {
  const [storage, keyVault, directory, taskHub] = await Promise.all([
    timed(async () => {
      await deps.config.listTenants();
    }),
    timed(async () => {
      await deps.vault.getLeaseCredential('00000000-0000-0000-0000-000000000000');
    }),
    timed(async () => {
      const response = await fetch(authorityMetadataUrl, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`sign-in metadata answered ${response.status}`);
    }),
    timed(async () => {
      await probeTaskHub();
    }),
  ]);
  const ok = storage.ok && keyVault.ok && directory.ok && taskHub.ok;
  return { status: ok ? 'ok' : 'degraded', checks: { storage, keyVault, directory, taskHub } };
}

async function timed(check: () => Promise<void>): Promise<HealthCheck> {
  const started = performance.now();
  try {
    await check();
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const detail = error instanceof Error ? error.name : 'error';
    return { ok: false, latencyMs: Math.round(performance.now() - started), detail };
  }
}

/**
 * GET /health is anonymous and each check touches Table Storage, Key Vault, the sign-in
 * endpoint and the task hub: the answer is kept a few seconds, and callers arriving while a check runs share it, so
 * a flood of health probes costs one check per period rather than three dependency calls each.
 */
export const HEALTH_CACHE_MS = 5_000;

export class CachedHealth {
  private latest: { readonly health: Promise<Health>; readonly startedAt: number } | undefined;

  constructor(
    private readonly check: () => Promise<Health>,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<Health> {
    const latest = this.latest;
    if (latest !== undefined && this.now() - latest.startedAt < HEALTH_CACHE_MS) return latest.health;
    const health = this.check();
    this.latest = { health, startedAt: this.now() };
    health.catch(() => {
      this.latest = undefined;
    });
    return health;
  }
}
