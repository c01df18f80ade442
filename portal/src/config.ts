import * as z from 'zod/mini';

/**
 * The portal's settings, read from /config.json at start so one build serves every environment:
 * `npm start` writes it for the local stack, the deployment writes it next to the bundle in Azure.
 */
export const PortalConfig = z.object({
  /** The app registration the portal signs in with (the API's own: SPA redirect URIs on it). */
  clientId: z.string().check(z.minLength(1)),
  /** https://login.microsoftonline.com/<home tenant id>, or the sandbox's equivalent locally. */
  authority: z.url(),
  /** Where the API answers, ending in /api. */
  apiBaseUrl: z.url(),
  /** The delegated scope of the API, api://<client id>/access_as_user. */
  scope: z.string().check(z.minLength(1)),
});
export type PortalConfig = z.infer<typeof PortalConfig>;

export async function loadConfig(): Promise<PortalConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}: the portal has no settings`);
  const parsed = PortalConfig.safeParse(await response.json());
  if (!parsed.success)
    throw new Error(
      `/config.json is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
