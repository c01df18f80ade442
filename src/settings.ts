import { z } from 'zod';

/**
 * Every setting the app reads, parsed once at start-up. The same names are app settings in Azure
 * (infra/ generates them from `appSettingNames`) and environment variables locally.
 */
const isoDuration = z
  .string()
  .regex(/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/, 'an ISO 8601 duration such as PT5M');
const booleanText = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/**
 * Where lease notifications go: https only, since they carry who asked for what, and the signed
 * webhook's signature does not hide the body. Plain http is allowed to a loopback address alone
 * (the local stack's and the tests' receivers), where nothing crosses a network.
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const notificationUrl = z.url({ protocol: /^https?$/ }).refine((text) => {
  // zod runs refinements after a failed format check too: a text that is no URL is already reported.
  if (!URL.canParse(text)) return true;
  const url = new URL(text);
  return url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname);
}, 'must be an https URL (http only to a loopback address such as 127.0.0.1, for local development)');

export const settingsSchema = z
  .object({
    /** The provider's own (home) Entra tenant: callers' tokens are issued by it. */
    JIT_HOME_TENANT_ID: z.uuid(),
    /** Client id of the service's app registration: the audience of callers' tokens. */
    JIT_API_CLIENT_ID: z.uuid(),
    /** Entra authority host; the sandbox's URL locally. */
    JIT_AUTHORITY_HOST: z.url({ protocol: /^https$/ }).default('https://login.microsoftonline.com'),
    /** Microsoft Graph base URL (without /v1.0); the sandbox's URL locally. */
    JIT_GRAPH_BASE_URL: z.url({ protocol: /^https$/ }).default('https://graph.microsoft.com'),
    /** Key Vault holding customer tenant secrets and live lease credentials. */
    JIT_KEY_VAULT_URL: z.url({ protocol: /^https$/ }),
    /** Table Storage endpoint reached by managed identity (Azure). */
    JIT_TABLES_ENDPOINT: z.url().optional(),
    /** Table Storage connection string (Azurite locally). Takes precedence over the endpoint. */
    JIT_TABLES_CONNECTION_STRING: z.string().min(1).optional(),
    /** Client id of the Function App's user-assigned managed identity (Azure). */
    JIT_MANAGED_IDENTITY_CLIENT_ID: z.uuid().optional(),
    /**
     * Local stack only: the service app's client secret in the home tenant, used for Key Vault
     * instead of a managed identity. Never set in Azure.
     */
    JIT_SERVICE_CLIENT_SECRET: z.string().min(1).optional(),
    /** Durable Functions task hub name (host.json reads it too). */
    JIT_TASK_HUB: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{2,44}$/, '3 to 45 letters and digits, starting with a letter')
      .default('jit'),
    /** How long to wait between attempts while a revocation keeps failing. */
    JIT_REVOCATION_RETRY_INTERVAL: isoDuration.default('PT1M'),
    /** First wait before an activity (provisioning, revocation …) is retried; doubles up to 60 s, 6 attempts. */
    JIT_ACTIVITY_RETRY_FIRST_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(2000),
    /** Accepted clock skew when validating caller tokens (nbf/exp). */
    JIT_TOKEN_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(60),
    /** Base URL of the portal (or the API) that links in notifications point to. */
    JIT_PUBLIC_BASE_URL: z.url().optional(),
    /** Generic signed webhook for lease notifications (HMAC-SHA256, see README). */
    JIT_NOTIFY_WEBHOOK_URL: notificationUrl.optional(),
    /** Signing secret of that webhook; in Azure a Key Vault reference (@Microsoft.KeyVault(...)). */
    JIT_NOTIFY_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
    /** Microsoft Teams incoming webhook (or Workflows) URL for lease notifications; a Key Vault reference in Azure. */
    JIT_NOTIFY_TEAMS_WEBHOOK_URL: notificationUrl.optional(),
    /**
     * Mailbox (a UPN of the home tenant) that lease emails are sent from through Graph sendMail; the
     * home tenant must be connected and its app granted Mail.Send. Unset: no email.
     */
    JIT_NOTIFY_MAIL_FROM: z.email('a mailbox of the home tenant, such as jit@msp.example').optional(),
    /** How long before a lease ends its requester is told it is ending soon (with a link to extend it). */
    JIT_NOTIFY_ENDING_SOON_BEFORE: isoDuration
      .refine((d) => /[1-9]/.test(d), 'a duration longer than zero, such as PT10M')
      .default('PT10M'),
    /** Temporary Access Passes are one-time use (targets with credentialType temporaryAccessPass). */
    JIT_TAP_USABLE_ONCE: booleanText.default(false),
    /** When the reconciler runs (NCRONTAB with seconds); the timer trigger reads it as %JIT_RECONCILE_SCHEDULE%. */
    JIT_RECONCILE_SCHEDULE: z
      .string()
      .regex(/^\S+( \S+){5}$/, 'an NCRONTAB schedule with six fields, e.g. "0 */5 * * * *"')
      .default('0 */5 * * * *'),
    /**
     * How many instances may run the app at once (in Azure, the plan's maximumInstanceCount): each
     * process keeps 1/n of Graph's identity write limits, so the whole fleet stays within them.
     */
    JIT_GRAPH_WRITE_BUDGET_INSTANCES: z.coerce.number().int().min(1).max(1000).default(1),
    /**
     * Microsoft app id of the Teams bot (the Azure Bot's msaAppId, a single-tenant app registration
     * of the home tenant): approval cards in Teams. Unset: no bot, /api/messages answers 404.
     */
    JIT_TEAMS_BOT_APP_ID: z.uuid().optional(),
    /** The bot app's client secret (for its Bot Connector token); a Key Vault reference in Azure. */
    JIT_TEAMS_BOT_CLIENT_SECRET: z.string().min(1).optional(),
    /** A Teams channel's conversation id ("19:…@thread.tacv2", the team has the app) that every approval card also goes to. */
    JIT_TEAMS_APPROVAL_CHANNEL: z
      .string()
      .regex(/^19:[^/\\#?\s]+$/, 'a Teams channel conversation id such as 19:abc@thread.tacv2')
      .optional(),
    /** Bot Connector endpoint serving that channel (Teams' serviceUrl for the region). */
    JIT_TEAMS_SERVICE_URL: z.url({ protocol: /^https$/ }).default('https://smba.trafficmanager.net/teams/'),
    /** Load the demo configuration (contoso.example, target helpdesk-admin, a rule) at start. */
    JIT_SEED_DEMO: booleanText.default(false),
  })
  .refine((s) => s.JIT_TABLES_CONNECTION_STRING !== undefined || s.JIT_TABLES_ENDPOINT !== undefined, {
    message: 'set JIT_TABLES_CONNECTION_STRING (local) or JIT_TABLES_ENDPOINT (Azure)',
    path: ['JIT_TABLES_ENDPOINT'],
  })
  .refine((s) => (s.JIT_NOTIFY_WEBHOOK_URL === undefined) === (s.JIT_NOTIFY_WEBHOOK_SECRET === undefined), {
    message: 'set JIT_NOTIFY_WEBHOOK_URL and JIT_NOTIFY_WEBHOOK_SECRET together (or neither)',
    path: ['JIT_NOTIFY_WEBHOOK_SECRET'],
  })
  .refine((s) => (s.JIT_TEAMS_BOT_APP_ID === undefined) === (s.JIT_TEAMS_BOT_CLIENT_SECRET === undefined), {
    message: 'set JIT_TEAMS_BOT_APP_ID and JIT_TEAMS_BOT_CLIENT_SECRET together (or neither)',
    path: ['JIT_TEAMS_BOT_CLIENT_SECRET'],
  })
  .refine((s) => s.JIT_TEAMS_APPROVAL_CHANNEL === undefined || s.JIT_TEAMS_BOT_APP_ID !== undefined, {
    message: 'JIT_TEAMS_APPROVAL_CHANNEL needs the bot: set JIT_TEAMS_BOT_APP_ID too',
    path: ['JIT_TEAMS_APPROVAL_CHANNEL'],
  })
  .refine((s) => s.JIT_SERVICE_CLIENT_SECRET !== undefined || s.JIT_MANAGED_IDENTITY_CLIENT_ID !== undefined, {
    message: 'set JIT_MANAGED_IDENTITY_CLIENT_ID (Azure) or JIT_SERVICE_CLIENT_SECRET (local stack)',
    path: ['JIT_MANAGED_IDENTITY_CLIENT_ID'],
  });

export type Settings = z.infer<typeof settingsSchema>;

/** Names of every app setting the app parses: the contract infra/ is checked against. */
export const appSettingNames: readonly string[] = Object.keys(settingsSchema.shape);

/** Settings only the local stack sets; a deployment must never set them. */
export const localOnlySettingNames: readonly string[] = [
  'JIT_TABLES_CONNECTION_STRING',
  'JIT_SERVICE_CLIENT_SECRET',
  'JIT_SEED_DEMO',
];

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/**
 * App Service hands an app the reference text itself when it cannot resolve a Key Vault reference
 * (secret missing, identity without access, vault unreachable). Such a value must stop the app:
 * taken as it is, the reference text would become, say, the webhook signing secret.
 * https://learn.microsoft.com/azure/app-service/app-service-key-vault-references
 */
const unresolvedKeyVaultReference = /^@Microsoft\.KeyVault\(/i;

/** Parses settings from the environment; the message names every setting that is wrong. */
export function parseSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const present = Object.fromEntries(
    appSettingNames.filter((n) => env[n] !== undefined && env[n] !== '').map((n) => [n, env[n]]),
  );
  const unresolved = Object.entries(present)
    .filter(([, value]) => unresolvedKeyVaultReference.test(String(value)))
    .map(
      ([name]) =>
        `${name}: a Key Vault reference the platform could not resolve (does the secret exist, and may the app's identity read it?)`,
    );
  const result = settingsSchema.safeParse(present);
  if (unresolved.length > 0 || !result.success) {
    const problems = [
      ...unresolved,
      ...(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`)),
    ];
    throw new SettingsError(`Invalid settings: ${problems.join('; ')}`);
  }
  return result.data;
}
