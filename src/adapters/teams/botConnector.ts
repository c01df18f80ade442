import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { ConnectorClient, MessageFactory } from '@microsoft/agents-hosting';
import type { TeamsCardCopy, TeamsConnector, TeamsConversation } from '../../app/ports';

/** The scope a single-tenant bot asks its own tenant for to call the Bot Connector (Azure Bot Service). */
export const BOT_CONNECTOR_SCOPE = 'https://api.botframework.com/.default';

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/**
 * The Bot Connector's conversation API through the SDK's ConnectorClient (POST
 * /v3/conversations/{id}/activities, PUT …/activities/{activityId}), with the bot's own token: a
 * single-tenant bot gets it from its home tenant with client credentials for api.botframework.com.
 */
export class BotConnectorClient implements TeamsConnector {
  private readonly credential: TokenCredential;

  constructor(homeTenantId: string, botAppId: string, botClientSecret: string, authorityHost: string) {
    // Instance discovery off: the authority is taken as configured (the sandbox locally).
    this.credential = new ClientSecretCredential(homeTenantId, botAppId, botClientSecret, {
      authorityHost,
      disableInstanceDiscovery: true,
    });
  }

  private async client(serviceUrl: string): Promise<ConnectorClient> {
    const token = await this.credential.getToken(BOT_CONNECTOR_SCOPE);
    if (token === null) throw new Error('no token for the Bot Connector');
    return ConnectorClient.createClientWithToken(serviceUrl, token.token);
  }

  async sendCard(conversation: TeamsConversation, card: Readonly<Record<string, unknown>>): Promise<string> {
    const client = await this.client(conversation.serviceUrl);
    const sent = await client.sendToConversation(conversation.conversationId, cardActivity(card, conversation));
    if (!sent.id) throw new Error('the Bot Connector answered without an activity id');
    return sent.id;
  }

  async updateCard(copy: TeamsCardCopy, card: Readonly<Record<string, unknown>>): Promise<void> {
    const client = await this.client(copy.serviceUrl);
    await client.updateActivity(copy.conversationId, copy.activityId, cardActivity(card, copy, copy.activityId));
  }
}

function cardActivity(
  card: Readonly<Record<string, unknown>>,
  conversation: TeamsConversation,
  id?: string,
): ReturnType<typeof MessageFactory.attachment> {
  const activity = MessageFactory.attachment({ contentType: ADAPTIVE_CARD, content: card });
  activity.conversation = { id: conversation.conversationId };
  if (id !== undefined) activity.id = id;
  return activity;
}
