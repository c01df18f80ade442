import { authorizeJWT, type AuthConfiguration } from '@microsoft/agents-hosting';

/**
 * Bot Framework token validation for the bot's endpoint, by Microsoft's SDK (`authorizeJWT` of
 * @microsoft/agents-hosting): RS256 signature against the issuer's published keys (for
 * `https://api.botframework.com`, login.botframework.com's JWKS), audience = the bot's app id,
 * expiry, and the issuer against an allow-list. Only the Azure Bot Service's issuer is configured
 * (the SDK adds Microsoft's own first-party tenants), so a token Entra issued to a user of the home
 * tenant for the bot's app id is refused: only the Bot Connector speaks for Teams.
 */
export class BotFrameworkAuthenticator {
  private readonly middleware: ReturnType<typeof authorizeJWT>;

  constructor(botAppId: string, homeTenantId: string, authorityHost: string) {
    const connection: AuthConfiguration = {
      clientId: botAppId,
      tenantId: homeTenantId,
      authority: authorityHost,
      issuers: ['https://api.botframework.com'],
      validateIssuer: true,
    };
    // The SDK matches a token's audience against its connections (one here: the bot's app id).
    this.middleware = authorizeJWT({ ...connection, connections: new Map([['bot', connection]]) });
  }

  /**
   * The validated claims, or why the token was refused. The SDK's middleware speaks Express: it is
   * handed the request's method and Authorization header, and a response that records its verdict.
   */
  async authenticate(
    method: string,
    authorization: string | null,
  ): Promise<{ ok: true; claims: Record<string, unknown> } | { ok: false; reason: string }> {
    const request: { method: string; headers: { authorization?: string }; user?: Record<string, unknown> } = {
      method,
      headers: authorization === null ? {} : { authorization },
    };
    let refusal: string | undefined;
    const response = {
      status(this: void) {
        return response;
      },
      send(this: void, body: unknown) {
        const text = (body as { 'jwt-auth-error'?: unknown } | undefined)?.['jwt-auth-error'];
        refusal = typeof text === 'string' ? text : 'the Bot Framework token is not valid';
        return response;
      },
    };
    let passed = false;
    await this.middleware(request, response as never, () => {
      passed = true;
    });
    if (!passed || request.user === undefined)
      return { ok: false, reason: refusal ?? 'the Bot Framework token is not valid' };
    return { ok: true, claims: request.user };
  }
}
