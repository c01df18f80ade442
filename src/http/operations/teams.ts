import { receiveBotActivityHttp } from '../teamsBot';
import { defineOperation, problems, type HttpOperation } from './operation';

export const TEAMS_OPERATIONS: readonly HttpOperation[] = [
  defineOperation({
    operationId: 'receiveBotActivity',
    method: 'POST',
    route: 'messages',
    tag: 'teams',
    summary:
      'The Teams bot: activities from the Bot Connector (Azure Bot Service), authenticated by a Bot Framework token',
    description:
      'Not for people or scripts: the Azure Bot posts Teams activities here. `Authorization: Bearer <Bot Framework token>` ' +
      '(issuer https://api.botframework.com, audience the bot app id JIT_TEAMS_BOT_APP_ID, signed with the keys Microsoft publishes), ' +
      "validated by Microsoft's Agents SDK; the token's `serviceurl` must name the activity's serviceUrl host. " +
      '`installationUpdate` (add) and `conversationUpdate` (bot added) in a personal chat of a home-tenant user are remembered, so approval cards can reach them. ' +
      "`invoke` `adaptiveCard/action` (an approval card's Approve, Deny or refresh) decides as the clicking user (`from.aadObjectId`, tenant `channelData.tenant.id` must be the home tenant) with the same rules as POST /requests/{id}/approve; " +
      'the answer is the invoke response, HTTP 200 with `statusCode` and the updated card (`application/vnd.microsoft.card.adaptive`) or an error (`application/vnd.microsoft.error`). ' +
      'Answers 404 when no bot is configured.',
    access: 'signature',
    durableClient: true,
    requestBody: 'BotActivity',
    responses: {
      '200': {
        description: 'Handled; for an adaptiveCard/action invoke, the invoke response (the card to show, or an error)',
        schema: 'AdaptiveCardInvokeResponse',
      },
      '400': {
        description: 'Not a Bot Framework activity: every failing field is named in `errors`',
        schema: 'Problem',
      },
      '401': {
        description:
          'No Bot Framework token, or it is unsigned, expired, for another audience or issuer, or for another serviceUrl',
        schema: 'Problem',
      },
      '404': { description: 'No Teams bot is configured', schema: 'Problem' },
      ...problems(413, 503),
    },
    handler: receiveBotActivityHttp,
  }),
];
