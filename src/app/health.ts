import type { AppDeps } from './deps';

export interface HealthCheck {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly detail?: string;
}

export interface Health {
  readonly status: 'ok' | 'degraded';
  readonly checks: Readonly<Record<'storage' | 'keyVault' | 'directory', HealthCheck>>;
}

/**
 * Reachability of what a lease needs: Table Storage, Key Vault and the home tenant's sign-in
 * endpoint (where both Graph tokens and callers' signing keys come from). Details name the
 * failure's kind only.
 */
export async function checkHealth(deps: Pick<AppDeps, 'config' | 'vault'>, authorityMetadataUrl: string): Promise<Health> {
  const [storage, keyVault, directory] = await Promise.all([
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
  ]);
  return { status: storage.ok && keyVault.ok && directory.ok ? 'ok' : 'degraded', checks: { storage, keyVault, directory } };
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
