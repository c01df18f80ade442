import { createRequire } from 'node:module';

/**
 * The Agents SDK fetches the Bot Framework issuer's keys from a fixed URL
 * (`buildJwksUri`: https://login.botframework.com/v1/.well-known/keys, not configurable). The local
 * stack has no internet, so it maps that one URL to the sandbox's Bot Connector stand-in, as a hosts
 * entry would map the name: every check the SDK makes (signature, issuer, audience, expiry) is
 * unchanged. Done on jwks-rsa's JwksClient (the SDK's key fetcher), whatever loaded it first.
 * Never part of the deployed app: only local/ calls it.
 */
export const BOT_FRAMEWORK_KEYS_URL = 'https://login.botframework.com/v1/.well-known/keys';

interface JwksClientLike {
  options: { jwksUri: string; botFrameworkKeysMapped?: boolean };
  getKeys: (this: JwksClientLike) => Promise<unknown>;
}

let mappedTo: string | undefined;

export function mapBotFrameworkKeysTo(sandboxKeysUrl: string): void {
  const fromSdk = createRequire(createRequire(__filename).resolve('@microsoft/agents-hosting'));
  const jwks = fromSdk('jwks-rsa') as { JwksClient: { prototype: JwksClientLike } };
  const wasMapped = mappedTo !== undefined;
  mappedTo = sandboxKeysUrl;
  if (wasMapped) return;
  const prototype = jwks.JwksClient.prototype;
  const getKeys = prototype.getKeys;
  prototype.getKeys = function (this: JwksClientLike) {
    // Marked once mapped, so a later stack in the same process (another sandbox port) maps it again.
    if (
      mappedTo !== undefined &&
      (this.options.jwksUri === BOT_FRAMEWORK_KEYS_URL || this.options.botFrameworkKeysMapped)
    ) {
      this.options.jwksUri = mappedTo;
      this.options.botFrameworkKeysMapped = true;
    }
    return getKeys.call(this);
  };
}

/** Sets the Azure Bot's messaging endpoint in the sandbox: where its Bot Connector posts activities. */
export async function registerBotEndpoint(sandboxUrl: string, endpoint: string): Promise<void> {
  const response = await fetch(`${sandboxUrl}/_sandbox/teams/bot`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ endpoint }),
  });
  if (!response.ok)
    throw new Error(`the sandbox refused the bot endpoint: ${response.status} ${await response.text()}`);
}
