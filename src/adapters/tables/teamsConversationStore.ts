import { createHash } from 'node:crypto';
import { odata } from '@azure/data-tables';
import { z } from 'zod';
import type { TeamsCardCopy, TeamsConversationStore, TeamsPersonalChat } from '../../app/ports';
import { DocumentTable } from './documentTable';
import type { TableSet } from './tableSet';

const PERSONAL_PARTITION = 'personal';

const personalChatSchema = z.strictObject({
  aadObjectId: z.string().min(1),
  teamsUserId: z.string().min(1),
  conversationId: z.string().min(1),
  serviceUrl: z.url(),
});

const cardCopySchema = z.strictObject({
  requestId: z.uuid(),
  conversationId: z.string().min(1),
  serviceUrl: z.url(),
  activityId: z.string().min(1),
});

/** Row keys may not hold / \ # ? or control characters; Teams conversation ids can, so a copy is keyed by a hash. */
function conversationKey(conversationId: string): string {
  return createHash('sha256').update(conversationId).digest('hex');
}

/**
 * The Teams bot's two tables: personal chats by the user's object id (`personal` / <oid>), and the
 * posted copies of each request's approval card (<request id> / <hash of the conversation id>).
 */
export class TableTeamsConversationStore implements TeamsConversationStore {
  private readonly chats: DocumentTable<typeof personalChatSchema>;
  private readonly cards: DocumentTable<typeof cardCopySchema>;

  constructor(tables: TableSet) {
    this.chats = new DocumentTable(tables.table('TeamsConversations'), personalChatSchema, 'Teams personal chat');
    this.cards = new DocumentTable(tables.table('TeamsCards'), cardCopySchema, 'Teams card copy');
  }

  async upsertPersonalChat(chat: TeamsPersonalChat): Promise<void> {
    const aadObjectId = chat.aadObjectId.toLowerCase();
    await this.chats.upsert({ partitionKey: PERSONAL_PARTITION, rowKey: aadObjectId }, { ...chat, aadObjectId });
  }

  async getPersonalChat(aadObjectId: string): Promise<TeamsPersonalChat | null> {
    return (await this.chats.get(PERSONAL_PARTITION, aadObjectId.toLowerCase()))?.value ?? null;
  }

  async addCardCopy(requestId: string, copy: TeamsCardCopy): Promise<void> {
    await this.cards.upsert(
      { partitionKey: requestId, rowKey: conversationKey(copy.conversationId) },
      { requestId, ...copy },
    );
  }

  async listCardCopies(requestId: string): Promise<TeamsCardCopy[]> {
    const rows = await this.cards.list(odata`PartitionKey eq ${requestId}`);
    return rows.map(({ conversationId, serviceUrl, activityId }) => ({ conversationId, serviceUrl, activityId }));
  }
}
