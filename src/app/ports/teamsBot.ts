/**
 * The Teams bot's outside world (issue 14): where it can reach people (conversation references kept
 * when the bot is installed), the copies of each approval card it posted, and the Bot Connector
 * that posts and updates cards. Absent when JIT_TEAMS_BOT_APP_ID is not set.
 */

/** Where the bot can post: a conversation and the Bot Connector endpoint (serviceUrl) that serves it. */
export interface TeamsConversation {
  readonly conversationId: string;
  readonly serviceUrl: string;
}

/** A personal chat with the bot, kept from the user's installationUpdate / conversationUpdate. */
export interface TeamsPersonalChat extends TeamsConversation {
  /** The user's Entra object id in the home tenant (`from.aadObjectId`): the key. */
  readonly aadObjectId: string;
  /** The user's Teams id (MRI, "29:…"): what a card's `refresh.userIds` names. */
  readonly teamsUserId: string;
}

/** One posted copy of a request's approval card. */
export interface TeamsCardCopy extends TeamsConversation {
  readonly activityId: string;
}

export interface TeamsConversationStore {
  upsertPersonalChat(chat: TeamsPersonalChat): Promise<void>;
  getPersonalChat(aadObjectId: string): Promise<TeamsPersonalChat | null>;
  addCardCopy(requestId: string, copy: TeamsCardCopy): Promise<void>;
  listCardCopies(requestId: string): Promise<TeamsCardCopy[]>;
}

export interface TeamsConnector {
  /** Posts the card as a new message; answers the activity id the Bot Connector gave it. */
  sendCard(conversation: TeamsConversation, card: Readonly<Record<string, unknown>>): Promise<string>;
  /** Replaces a posted card (everyone who sees that message sees the new one). */
  updateCard(copy: TeamsCardCopy, card: Readonly<Record<string, unknown>>): Promise<void>;
}

export interface TeamsBot {
  /** The bot's Microsoft app id (the Azure Bot's msaAppId). */
  readonly botAppId: string;
  /** The channel every approval card also goes to (JIT_TEAMS_APPROVAL_CHANNEL); null: personal chats only. */
  readonly approvalChannel: TeamsConversation | null;
  readonly conversations: TeamsConversationStore;
  readonly connector: TeamsConnector;
}
