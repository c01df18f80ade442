import { z } from 'zod';

/**
 * The parts of a Bot Framework activity the Teams bot reads (https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#activity-object);
 * every other field is allowed and ignored.
 */
const channelAccountSchema = z.object({
  id: z.string().min(1).max(512),
  name: z.string().max(256).optional(),
  aadObjectId: z.string().max(64).optional(),
});

export const botActivitySchema = z.object({
  type: z.string().min(1).max(64),
  name: z.string().max(128).optional(),
  id: z.string().max(512).optional(),
  channelId: z.string().max(64),
  serviceUrl: z.url({ protocol: /^https$/ }),
  from: channelAccountSchema,
  recipient: channelAccountSchema.optional(),
  conversation: z.object({
    id: z.string().min(1).max(1024),
    conversationType: z.string().max(64).optional(),
    tenantId: z.string().max(64).optional(),
  }),
  channelData: z.object({ tenant: z.object({ id: z.string().max(64) }).optional() }).optional(),
  action: z.string().max(64).optional(),
  membersAdded: z.array(channelAccountSchema).max(1000).optional(),
  value: z.unknown().optional(),
});
export type BotActivity = z.infer<typeof botActivitySchema>;

/** Universal Actions: the card's Action.Execute arrives as the invoke `adaptiveCard/action` with `value.action`. */
export const adaptiveCardInvokeValueSchema = z.object({
  action: z.object({
    type: z.string(),
    verb: z.string(),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** The invoke's answer (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards#response-format). */
export const adaptiveCardInvokeResponseSchema = z.object({
  statusCode: z.number().int(),
  type: z.enum([
    'application/vnd.microsoft.card.adaptive',
    'application/vnd.microsoft.error',
    'application/vnd.microsoft.activity.message',
  ]),
  value: z.unknown(),
});
