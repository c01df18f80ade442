import { createAdapters } from './adapters';
import { TokenValidator } from './adapters/auth/tokenValidator';
import { systemClock } from './adapters/systemClock';
import type { AppDeps } from './app/deps';
import { durationMs } from './domain/duration';
import { parseSettings, type Settings } from './settings';
import { structuredLog } from './structuredLog';

/**
 * The one composition root: settings parsed once, adapters built once per process and reused by
 * every invocation (credentials, token caches and HTTP connections live as long as the worker).
 */
export interface Services {
  readonly settings: Settings;
  readonly deps: AppDeps;
  readonly tokens: TokenValidator;
}

let services: Services | undefined;

export function getServices(): Services {
  services ??= buildServices(parseSettings());
  return services;
}

export function buildServices(settings: Settings, options: { tablePrefix?: string } = {}): Services {
  const adapters = createAdapters(settings, options);
  const deps: AppDeps = {
    clock: systemClock,
    ...adapters,
    revocationRetryIntervalMs: durationMs(settings.JIT_REVOCATION_RETRY_INTERVAL),
    activityRetryFirstIntervalMs: settings.JIT_ACTIVITY_RETRY_FIRST_INTERVAL_MS,
    workflow: {
      publicBaseUrl: settings.JIT_PUBLIC_BASE_URL ?? null,
      notificationsEnabled:
        settings.JIT_NOTIFY_WEBHOOK_URL !== undefined ||
        settings.JIT_NOTIFY_TEAMS_WEBHOOK_URL !== undefined ||
        settings.JIT_NOTIFY_MAIL_FROM !== undefined ||
        settings.JIT_TEAMS_BOT_APP_ID !== undefined,
      endingSoonBeforeMs: durationMs(settings.JIT_NOTIFY_ENDING_SOON_BEFORE),
      tapUsableOnce: settings.JIT_TAP_USABLE_ONCE,
      homeTenantId: settings.JIT_HOME_TENANT_ID,
      apiClientId: settings.JIT_API_CLIENT_ID,
    },
    log: structuredLog,
  };
  const tokens = new TokenValidator({
    authorityHost: settings.JIT_AUTHORITY_HOST,
    homeTenantId: settings.JIT_HOME_TENANT_ID,
    apiClientId: settings.JIT_API_CLIENT_ID,
    clockSkewSeconds: settings.JIT_TOKEN_CLOCK_SKEW_SECONDS,
  });
  return { settings, deps, tokens };
}
