import { randomBytes } from 'node:crypto';
import { odata, TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import { historyEventSchema, type HistoryEvent } from './historyEvents';
import { getText, putText } from './largeValues';
import { countRoundTrips } from './taskHubMetrics';

/**
 * The task hub in Table Storage (Azurite locally): one table, `localdf<hub>TaskHub`, with one
 * partition per instance holding every row of that instance, told apart by their row keys:
 * `''` the instance record, `H_<execution>_<n>` the n-th history event of the current execution,
 * `M_<message id>` an inbox message not yet handled (FIFO by id), `T_<execution>_<timer id>` a
 * durable timer not yet consumed, `W_<execution>_<task id>` an activity scheduled and not yet
 * consumed. Sharing the partition is what lets an episode commit in one entity-group transaction
 * (history, scheduled work, instance status and the handled message's deletion, all or nothing),
 * as DurableTask.AzureStorage batches an episode's history with its sentinel row. The prefix keeps
 * the table apart from the real Durable extension's `<hub>Instances` / `<hub>History` when
 * `func start` and `npm start` share one Azurite.
 */
export const LOCAL_TASK_HUB_TABLE_PREFIX = 'localdf';

export function taskHubTableName(taskHub: string): string {
  return `${LOCAL_TASK_HUB_TABLE_PREFIX}${taskHub}TaskHub`;
}

const pad = (n: number): string => String(n).padStart(8, '0');
/** Row keys of an instance's partition (see the comment above). */
export const rowKey = {
  instance: '',
  history: (executionId: string, position: number): string => `H_${executionId}_${pad(position)}`,
  message: (messageId: string): string => `M_${messageId}`,
  timer: (executionId: string, timerId: number): string => `T_${executionId}_${pad(timerId)}`,
  activity: (executionId: string, taskId: number): string => `W_${executionId}_${pad(taskId)}`,
};

export const RUNTIME_STATUSES = ['Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Terminated'] as const;
export type RuntimeStatus = (typeof RUNTIME_STATUSES)[number];
const TERMINAL: ReadonlySet<RuntimeStatus> = new Set(['Completed', 'Failed', 'Terminated']);
export function isTerminal(status: RuntimeStatus): boolean {
  return TERMINAL.has(status);
}

export interface InstanceRecord {
  readonly instanceId: string;
  readonly name: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly executionId: string;
  readonly inputText: string | null;
  readonly outputText: string | null;
  readonly customStatusText: string | null;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
}

const nullableText = z.string().nullable();
export const messageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ExecutionStarted'), executionId: z.string(), name: z.string(), input: nullableText }),
  z.object({ kind: z.literal('TaskCompleted'), executionId: z.string(), taskId: z.number().int(), result: z.string() }),
  z.object({
    kind: z.literal('TaskFailed'),
    executionId: z.string(),
    taskId: z.number().int(),
    reason: z.string(),
    details: z.string(),
  }),
  z.object({ kind: z.literal('TimerFired'), executionId: z.string(), timerId: z.number().int(), fireAt: z.string() }),
  z.object({ kind: z.literal('EventRaised'), name: z.string(), input: nullableText }),
  z.object({ kind: z.literal('ExecutionTerminated'), reason: nullableText }),
]);
export type InstanceMessage = z.infer<typeof messageSchema>;

export interface TimerRecord {
  readonly instanceId: string;
  readonly executionId: string;
  readonly timerId: number;
  readonly fireAt: Date;
}

export interface ActivityRecord {
  readonly instanceId: string;
  readonly executionId: string;
  readonly taskId: number;
  readonly name: string;
  readonly inputText: string | null;
}

export interface InstanceQuery {
  readonly runtimeStatus?: readonly RuntimeStatus[];
  readonly createdTimeFrom?: Date;
  readonly createdTimeTo?: Date;
  readonly top?: number;
  readonly continuationToken?: string;
}

const instanceRowSchema = z.object({
  partitionKey: z.string(),
  Name: z.string(),
  RuntimeStatus: z.enum(RUNTIME_STATUSES),
  ExecutionId: z.string(),
  CreatedTime: z.string(),
  LastUpdatedTime: z.string(),
});
const timerRowSchema = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  ExecutionId: z.string(),
  TimerId: z.number(),
  FireAt: z.string(),
});
const activityRowSchema = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  ExecutionId: z.string(),
  TaskId: z.number(),
  Name: z.string(),
});
let messageCounter = 0;
/** Tells this process's ids from another's made in the same millisecond with the same counter. */
const processTag = randomBytes(3).toString('hex');

/** Message ids sort in the order they were made (time, then a process-wide counter). */
export function newMessageId(): string {
  messageCounter = (messageCounter + 1) % 1_000_000;
  return `${String(Date.now()).padStart(15, '0')}_${String(messageCounter).padStart(6, '0')}_${processTag}`;
}

export interface InboxRow {
  readonly messageId: string;
  readonly message: InstanceMessage;
}

/** Everything of one instance in the table, read in one query. */
export interface InstancePartition {
  readonly instance: InstanceRecord | undefined;
  /** The current execution's history, in order. */
  readonly history: HistoryEvent[];
  /** Messages not yet handled, oldest first. */
  readonly inbox: InboxRow[];
  /** Row keys of the current execution's timers and activities not yet consumed. */
  readonly pendingWork: Set<string>;
}

/**
 * One episode's writes, in the order they must become durable: scheduled work before the history
 * that says it was scheduled, the history before the handled message's deletion and the instance
 * record. They go in one transaction when they fit (≤ 100 operations, payload well under 4 MiB);
 * a larger episode goes in several, in this order, each idempotent when redone.
 */
export interface EpisodeCommit {
  readonly activities?: readonly { executionId: string; taskId: number; name: string; inputText: string | null }[];
  readonly timers?: readonly { executionId: string; timerId: number; fireAt: Date }[];
  readonly history?: { readonly executionId: string; readonly start: number; readonly events: readonly HistoryEvent[] };
  readonly instance?: InstanceRecord;
  readonly newMessages?: readonly InboxRow[];
  /** Rows known to exist (this runner wrote them and nobody else deletes them). */
  readonly deleteRows?: readonly string[];
}

function isStatus(error: unknown, status: number): boolean {
  return typeof error === 'object' && error !== null && (error as { statusCode?: unknown }).statusCode === status;
}

async function ignoreNotFound(operation: Promise<unknown>): Promise<void> {
  try {
    await operation;
  } catch (error) {
    if (!isStatus(error, 404)) throw error;
  }
}

export class TaskHubStore {
  private constructor(private readonly table: TableClient) {}

  static async open(connectionString: string, taskHub: string): Promise<TaskHubStore> {
    if (!/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(taskHub))
      throw new Error(`Task hub name "${taskHub}" must be 3-45 letters and digits, starting with a letter`);
    const table = TableClient.fromConnectionString(connectionString, taskHubTableName(taskHub), {
      allowInsecureConnection: true,
    });
    countRoundTrips(table);
    await table.createTable();
    return new TaskHubStore(table);
  }

  // ---- instances

  /** The instance record and its current history, in one query (row keys '' and H_…). */
  async getInstance(instanceId: string): Promise<{ instance: InstanceRecord; history: HistoryEvent[] } | undefined> {
    const filter = odata`PartitionKey eq ${instanceId} and RowKey lt ${'I'}`;
    let instance: InstanceRecord | undefined;
    const rows: Record<string, unknown>[] = [];
    for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      if (entity.rowKey === rowKey.instance) instance = this.toInstance(entity);
      else rows.push(entity);
    }
    if (instance === undefined) return undefined;
    const prefix = `H_${instance.executionId}_`;
    const history = rows.filter((r) => String(r.rowKey).startsWith(prefix)).map(toHistoryEvent);
    return { instance, history };
  }

  /** The whole partition of one instance in one query. */
  async readPartition(instanceId: string): Promise<InstancePartition> {
    const entities: Record<string, unknown>[] = [];
    for await (const entity of this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${instanceId}` },
    }))
      entities.push(entity);
    const instanceRow = entities.find((e) => e.rowKey === rowKey.instance);
    const instance = instanceRow === undefined ? undefined : this.toInstance(instanceRow);
    const execution = instance?.executionId ?? '';
    const history: HistoryEvent[] = [];
    const inbox: InboxRow[] = [];
    const pendingWork = new Set<string>();
    // Rows come sorted by row key: history positions and message ids in order.
    for (const entity of entities) {
      const key = String(entity.rowKey);
      if (key.startsWith(`H_${execution}_`)) history.push(toHistoryEvent(entity));
      else if (key.startsWith('M_')) inbox.push({ messageId: key.slice(2), message: toMessage(entity) });
      else if (key.startsWith(`T_${execution}_`) || key.startsWith(`W_${execution}_`)) pendingWork.add(key);
    }
    return { instance, history, inbox, pendingWork };
  }

  /**
   * Creates the instance record and its ExecutionStarted message in one transaction. Resolves
   * false, writing nothing, when the instance already exists.
   */
  async createInstance(record: InstanceRecord, started: InboxRow): Promise<boolean> {
    try {
      await this.table.submitTransaction([
        ['create', instanceEntity(record)],
        ['create', messageEntity(record.instanceId, started)],
      ]);
      return true;
    } catch (error) {
      if (isStatus(error, 409)) return false;
      throw error;
    }
  }

  async listInstances(query: InstanceQuery): Promise<{ instances: InstanceRecord[]; continuationToken?: string }> {
    const clauses: string[] = [odata`RowKey eq ${rowKey.instance}`];
    if (query.createdTimeFrom !== undefined) clauses.push(odata`CreatedTime ge ${query.createdTimeFrom.toISOString()}`);
    if (query.createdTimeTo !== undefined) clauses.push(odata`CreatedTime le ${query.createdTimeTo.toISOString()}`);
    if (query.runtimeStatus !== undefined && query.runtimeStatus.length > 0) {
      clauses.push(`(${query.runtimeStatus.map((s) => odata`RuntimeStatus eq ${s}`).join(' or ')})`);
    }
    const pages = this.table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: clauses.join(' and ') } })
      .byPage({
        maxPageSize: query.top ?? 100,
        ...(query.continuationToken === undefined ? {} : { continuationToken: query.continuationToken }),
      });
    const page = await pages.next();
    if (page.done === true) return { instances: [] };
    const instances = page.value.map((e) => this.toInstance(e));
    return page.value.continuationToken === undefined
      ? { instances }
      : { instances, continuationToken: page.value.continuationToken };
  }

  private toInstance(entity: Record<string, unknown>): InstanceRecord {
    const row = instanceRowSchema.parse(entity);
    return {
      instanceId: row.partitionKey,
      name: row.Name,
      runtimeStatus: row.RuntimeStatus,
      executionId: row.ExecutionId,
      createdTime: row.CreatedTime,
      lastUpdatedTime: row.LastUpdatedTime,
      inputText: getText(entity, 'Input'),
      outputText: getText(entity, 'Output'),
      customStatusText: getText(entity, 'CustomStatus'),
    };
  }

  /** Removes every trace of the instance. Returns whether it existed. */
  async purgeInstance(instanceId: string): Promise<boolean> {
    const keys: string[] = [];
    for await (const e of this.table.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${instanceId}`, select: ['RowKey'] },
    })) {
      if (typeof e.rowKey === 'string') keys.push(e.rowKey);
    }
    // The instance record goes last: a purge cut short is redone, not mistaken for a missing instance.
    const ordered = [...keys.filter((k) => k !== rowKey.instance), ...keys.filter((k) => k === rowKey.instance)];
    for (let i = 0; i < ordered.length; i += 100) {
      await this.table.submitTransaction(
        ordered
          .slice(i, i + 100)
          .map((key) => ['delete', { partitionKey: instanceId, rowKey: key }] as TransactionAction),
      );
    }
    return keys.includes(rowKey.instance);
  }

  // ---- episodes

  /** Writes one episode (see EpisodeCommit): one round trip unless it is too large for one transaction. */
  async commit(instanceId: string, commit: EpisodeCommit): Promise<void> {
    const actions: TransactionAction[] = [];
    for (const a of commit.activities ?? []) {
      const entity: Record<string, unknown> = { ExecutionId: a.executionId, TaskId: a.taskId, Name: a.name };
      putText(entity, 'Input', a.inputText, `The input of activity '${a.name}' of instance '${instanceId}'`);
      actions.push([
        'upsert',
        { partitionKey: instanceId, rowKey: rowKey.activity(a.executionId, a.taskId), ...entity },
        'Replace',
      ]);
    }
    for (const t of commit.timers ?? []) {
      actions.push([
        'upsert',
        {
          partitionKey: instanceId,
          rowKey: rowKey.timer(t.executionId, t.timerId),
          ExecutionId: t.executionId,
          TimerId: t.timerId,
          FireAt: t.fireAt.toISOString(),
        },
        'Replace',
      ]);
    }
    if (commit.history !== undefined) {
      const { executionId, start, events } = commit.history;
      events.forEach((event, i) => {
        const entity: Record<string, unknown> = {};
        putText(entity, 'Event', JSON.stringify(event), `A history event of instance '${instanceId}'`);
        actions.push([
          'upsert',
          { partitionKey: instanceId, rowKey: rowKey.history(executionId, start + i), ...entity },
          'Replace',
        ]);
      });
    }
    const deletes = commit.deleteRows ?? [];
    for (const key of deletes) actions.push(['delete', { partitionKey: instanceId, rowKey: key }]);
    for (const m of commit.newMessages ?? []) actions.push(['create', messageEntity(instanceId, m)]);
    if (commit.instance !== undefined) actions.push(['upsert', instanceEntity(commit.instance), 'Replace']);
    try {
      await submitInOrder(this.table, actions);
    } catch (error) {
      // A transaction fails whole on one missing row. Rows to delete are ones this runner wrote, but
      // a purge or a crash between split transactions may have taken one already: rather than
      // retrying the same failing transaction forever, write the rest, then delete what is left.
      if (!isStatus(error, 404) || deletes.length === 0) throw error;
      await submitInOrder(
        this.table,
        actions.filter(([kind]) => kind !== 'delete'),
      );
      for (const key of deletes) await this.deleteRow(instanceId, key);
    }
  }

  /** Deletes rows in transactions; when some are already gone, the rest one by one. */
  async deleteRows(instanceId: string, keys: readonly string[]): Promise<void> {
    const actions = keys.map((key) => ['delete', { partitionKey: instanceId, rowKey: key }] as TransactionAction);
    try {
      await submitInOrder(this.table, actions);
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
      for (const key of keys) await this.deleteRow(instanceId, key);
    }
  }

  // ---- inbox

  async enqueueMessage(instanceId: string, message: InstanceMessage): Promise<string> {
    const messageId = newMessageId();
    await this.table.createEntity(messageEntity(instanceId, { messageId, message }));
    return messageId;
  }

  /** The instance's inbox in the table, oldest first. */
  async listMessages(instanceId: string): Promise<InboxRow[]> {
    return (await this.readPartition(instanceId)).inbox;
  }

  /** Deletes rows that may already be gone (a dropped message, spent work of a finished instance). */
  async deleteRow(instanceId: string, key: string): Promise<void> {
    await ignoreNotFound(this.table.deleteEntity(instanceId, key));
  }

  async instancesWithMessages(): Promise<string[]> {
    const ids = new Set<string>();
    for await (const e of this.table.listEntities({
      queryOptions: { filter: odata`RowKey ge ${'M_'} and RowKey lt ${'M`'}`, select: ['PartitionKey'] },
    }))
      if (typeof e.partitionKey === 'string') ids.add(e.partitionKey);
    return [...ids];
  }

  // ---- timers and activities (read at start; written and deleted by episodes)

  async listTimers(): Promise<TimerRecord[]> {
    const timers: TimerRecord[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`RowKey ge ${'T_'} and RowKey lt ${'T`'}` },
    })) {
      const row = timerRowSchema.parse(e);
      timers.push({
        instanceId: row.partitionKey,
        executionId: row.ExecutionId,
        timerId: row.TimerId,
        fireAt: new Date(row.FireAt),
      });
    }
    return timers;
  }

  async listActivities(): Promise<ActivityRecord[]> {
    const activities: ActivityRecord[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`RowKey ge ${'W_'} and RowKey lt ${'W`'}` },
    })) {
      const row = activityRowSchema.parse(e);
      activities.push({
        instanceId: row.partitionKey,
        executionId: row.ExecutionId,
        taskId: row.TaskId,
        name: row.Name,
        inputText: getText(e, 'Input'),
      });
    }
    return activities;
  }
}

function instanceEntity(record: InstanceRecord): TableEntity<Record<string, unknown>> {
  const entity: Record<string, unknown> = {
    Name: record.name,
    RuntimeStatus: record.runtimeStatus,
    ExecutionId: record.executionId,
    CreatedTime: record.createdTime,
    LastUpdatedTime: record.lastUpdatedTime,
  };
  putText(entity, 'Input', record.inputText, `The input of instance '${record.instanceId}'`);
  putText(entity, 'Output', record.outputText, `The output of instance '${record.instanceId}'`);
  putText(entity, 'CustomStatus', record.customStatusText, `The custom status of instance '${record.instanceId}'`);
  return { partitionKey: record.instanceId, rowKey: rowKey.instance, ...entity };
}

function messageEntity(instanceId: string, row: InboxRow): TableEntity<Record<string, unknown>> {
  const entity: Record<string, unknown> = {};
  putText(entity, 'Message', JSON.stringify(row.message), `A message to instance '${instanceId}'`);
  return { partitionKey: instanceId, rowKey: rowKey.message(row.messageId), ...entity };
}

function toHistoryEvent(entity: Record<string, unknown>): HistoryEvent {
  return historyEventSchema.parse(JSON.parse(getText(entity, 'Event') ?? 'null'));
}

function toMessage(entity: Record<string, unknown>): InstanceMessage {
  return messageSchema.parse(JSON.parse(getText(entity, 'Message') ?? 'null'));
}

/** Table Storage takes at most 100 operations and 4 MiB of payload in one transaction. */
const MAX_BATCH_OPERATIONS = 100;
const MAX_BATCH_CHARS = 600_000; // well under 4 MiB however the characters encode

function approximateChars(action: TransactionAction): number {
  let chars = 200;
  for (const value of Object.values(action[1])) if (typeof value === 'string') chars += value.length;
  return chars;
}

/**
 * Submits the actions in order: one transaction when they fit (a single operation goes as a plain
 * request: one round trip either way, less to parse), otherwise consecutive transactions.
 */
async function submitInOrder(table: TableClient, actions: readonly TransactionAction[]): Promise<void> {
  if (actions.length === 0) return;
  if (actions.length === 1) {
    const [kind, entity] = actions[0] as TransactionAction;
    if (kind === 'upsert') return void (await table.upsertEntity(entity, 'Replace'));
    if (kind === 'create') return void (await table.createEntity(entity));
    if (kind === 'delete') return void (await table.deleteEntity(entity.partitionKey, entity.rowKey));
  }
  let batch: TransactionAction[] = [];
  let chars = 0;
  for (const action of actions) {
    const size = approximateChars(action);
    if (batch.length > 0 && (batch.length === MAX_BATCH_OPERATIONS || chars + size > MAX_BATCH_CHARS)) {
      await table.submitTransaction(batch);
      batch = [];
      chars = 0;
    }
    batch.push(action);
    chars += size;
  }
  await table.submitTransaction(batch);
}
