import { randomBytes } from 'node:crypto';
import { odata, TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import { historyEventSchema, type HistoryEvent } from './historyEvents';
import { getText, putText } from './largeValues';
import { countRoundTrips } from './taskHubMetrics';

/**
 * The task hub in Table Storage (Azurite locally). Tables, all partitioned by instance id, named
 * `localdf<hub>…`: `Instances` (one row per instance), `History` (one row per event of the current
 * execution), `Messages` (the instance's inbox, FIFO), `Timers` (durable timers not yet fired) and
 * `Activities` (activities scheduled and not yet completed). The prefix keeps them apart from the
 * real Durable extension's `<hub>Instances` / `<hub>History` (different rows, same names) when
 * `func start` and `npm start` share one Azurite.
 */
export const LOCAL_TASK_HUB_TABLE_PREFIX = 'localdf';

export type TaskHubTable = 'Instances' | 'History' | 'Messages' | 'Timers' | 'Activities';

export function taskHubTableName(taskHub: string, table: TaskHubTable): string {
  return `${LOCAL_TASK_HUB_TABLE_PREFIX}${taskHub}${table}`;
}

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

const pad = (n: number): string => String(n).padStart(8, '0');
const instanceRowSchema = z.object({
  partitionKey: z.string(),
  Name: z.string(),
  RuntimeStatus: z.enum(RUNTIME_STATUSES),
  ExecutionId: z.string(),
  CreatedTime: z.string(),
  LastUpdatedTime: z.string(),
});
let messageCounter = 0;

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
  private constructor(
    private readonly instances: TableClient,
    private readonly history: TableClient,
    private readonly messages: TableClient,
    private readonly timers: TableClient,
    private readonly activities: TableClient,
  ) {}

  static async open(connectionString: string, taskHub: string): Promise<TaskHubStore> {
    if (!/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(taskHub))
      throw new Error(`Task hub name "${taskHub}" must be 3-45 letters and digits, starting with a letter`);
    const client = (suffix: TaskHubTable): TableClient => {
      const table = TableClient.fromConnectionString(connectionString, taskHubTableName(taskHub, suffix), {
        allowInsecureConnection: true,
      });
      countRoundTrips(table, suffix);
      return table;
    };
    const store = new TaskHubStore(
      client('Instances'),
      client('History'),
      client('Messages'),
      client('Timers'),
      client('Activities'),
    );
    await Promise.all(store.tables().map((t) => t.createTable()));
    return store;
  }

  private tables(): TableClient[] {
    return [this.instances, this.history, this.messages, this.timers, this.activities];
  }

  // ---- instances

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    try {
      return this.toInstance(await this.instances.getEntity<Record<string, unknown>>(instanceId, ''));
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async putInstance(record: InstanceRecord): Promise<void> {
    const entity: Record<string, unknown> = {
      partitionKey: record.instanceId,
      rowKey: '',
      Name: record.name,
      RuntimeStatus: record.runtimeStatus,
      ExecutionId: record.executionId,
      CreatedTime: record.createdTime,
      LastUpdatedTime: record.lastUpdatedTime,
    };
    putText(entity, 'Input', record.inputText, `The input of instance '${record.instanceId}'`);
    putText(entity, 'Output', record.outputText, `The output of instance '${record.instanceId}'`);
    putText(entity, 'CustomStatus', record.customStatusText, `The custom status of instance '${record.instanceId}'`);
    await this.instances.upsertEntity({ partitionKey: record.instanceId, rowKey: '', ...entity }, 'Replace');
  }

  async listInstances(query: InstanceQuery): Promise<{ instances: InstanceRecord[]; continuationToken?: string }> {
    const clauses: string[] = [];
    if (query.createdTimeFrom !== undefined) clauses.push(odata`CreatedTime ge ${query.createdTimeFrom.toISOString()}`);
    if (query.createdTimeTo !== undefined) clauses.push(odata`CreatedTime le ${query.createdTimeTo.toISOString()}`);
    if (query.runtimeStatus !== undefined && query.runtimeStatus.length > 0) {
      clauses.push(`(${query.runtimeStatus.map((s) => odata`RuntimeStatus eq ${s}`).join(' or ')})`);
    }
    const pages = this.instances
      .listEntities<Record<string, unknown>>(
        clauses.length > 0 ? { queryOptions: { filter: clauses.join(' and ') } } : {},
      )
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
    const existed = (await this.getInstance(instanceId)) !== undefined;
    await Promise.all(
      [this.history, this.messages, this.timers, this.activities].map((t) => this.deletePartition(t, instanceId)),
    );
    await ignoreNotFound(this.instances.deleteEntity(instanceId, ''));
    return existed;
  }

  // ---- history

  async getHistory(instanceId: string, executionId: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    const filter = odata`PartitionKey eq ${instanceId} and RowKey ge ${`${executionId}_`} and RowKey lt ${`${executionId}~`}`;
    for await (const entity of this.history.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      events.push(historyEventSchema.parse(JSON.parse(getText(entity, 'Event') ?? 'null')));
    }
    return events;
  }

  /** Appends events at positions `start`, `start+1`, … (idempotent: same position, same row). */
  async appendHistory(
    instanceId: string,
    executionId: string,
    start: number,
    events: readonly HistoryEvent[],
  ): Promise<void> {
    const actions: TransactionAction[] = events.map((event, i) => {
      const entity: Record<string, unknown> = { partitionKey: instanceId, rowKey: `${executionId}_${pad(start + i)}` };
      putText(entity, 'Event', JSON.stringify(event), `A history event of instance '${instanceId}'`);
      return ['upsert', { partitionKey: instanceId, rowKey: `${executionId}_${pad(start + i)}`, ...entity }, 'Replace'];
    });
    await submitInBatches(this.history, actions, 20);
  }

  async deleteHistory(instanceId: string): Promise<void> {
    await this.deletePartition(this.history, instanceId);
  }

  // ---- inbox

  async enqueueMessage(instanceId: string, message: InstanceMessage): Promise<string> {
    messageCounter = (messageCounter + 1) % 1_000_000;
    const messageId = `${String(Date.now()).padStart(15, '0')}_${String(messageCounter).padStart(6, '0')}_${randomBytes(3).toString('hex')}`;
    const entity: Record<string, unknown> = { partitionKey: instanceId, rowKey: messageId };
    putText(entity, 'Message', JSON.stringify(message), `A message to instance '${instanceId}'`);
    await this.messages.createEntity({ partitionKey: instanceId, rowKey: messageId, ...entity });
    return messageId;
  }

  /** The instance's whole inbox, oldest first. */
  async listMessages(instanceId: string): Promise<{ messageId: string; message: InstanceMessage }[]> {
    const inbox: { messageId: string; message: InstanceMessage }[] = [];
    for await (const entity of this.messages.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${instanceId}` },
    })) {
      if (typeof entity.rowKey !== 'string') continue;
      inbox.push({
        messageId: entity.rowKey,
        message: messageSchema.parse(JSON.parse(getText(entity, 'Message') ?? 'null')),
      });
    }
    return inbox;
  }

  async deleteMessage(instanceId: string, messageId: string): Promise<void> {
    await ignoreNotFound(this.messages.deleteEntity(instanceId, messageId));
  }

  async instancesWithMessages(): Promise<string[]> {
    const ids = new Set<string>();
    for await (const e of this.messages.listEntities({ queryOptions: { select: ['PartitionKey'] } }))
      if (typeof e.partitionKey === 'string') ids.add(e.partitionKey);
    return [...ids];
  }

  // ---- timers

  /** One transaction per 100 timers (they share the instance's partition). */
  async putTimers(
    instanceId: string,
    executionId: string,
    timers: readonly { timerId: number; fireAt: Date }[],
  ): Promise<void> {
    const actions: TransactionAction[] = timers.map((t) => [
      'upsert',
      {
        partitionKey: instanceId,
        rowKey: `${executionId}_${pad(t.timerId)}`,
        ExecutionId: executionId,
        TimerId: t.timerId,
        FireAt: t.fireAt.toISOString(),
      },
      'Replace',
    ]);
    await submitInBatches(this.timers, actions);
  }

  /** Deletes the named timers of one execution (cancelled ones); succeeds when already gone. */
  async deleteTimersById(instanceId: string, executionId: string, timerIds: readonly number[]): Promise<void> {
    if (timerIds.length === 1) return this.deleteTimer(instanceId, executionId, timerIds[0] ?? 0);
    // A batch fails as a whole on a missing row: delete one by one then.
    await submitInBatches(
      this.timers,
      timerIds.map(
        (id) => ['delete', { partitionKey: instanceId, rowKey: `${executionId}_${pad(id)}` }] as TransactionAction,
      ),
    ).catch(async () => {
      for (const id of timerIds) await this.deleteTimer(instanceId, executionId, id);
    });
  }

  async deleteTimer(instanceId: string, executionId: string, timerId: number): Promise<void> {
    await ignoreNotFound(this.timers.deleteEntity(instanceId, `${executionId}_${pad(timerId)}`));
  }

  async deleteTimers(instanceId: string): Promise<void> {
    await this.deletePartition(this.timers, instanceId);
  }

  async listTimers(): Promise<TimerRecord[]> {
    const timers: TimerRecord[] = [];
    for await (const e of this.timers.listEntities<Record<string, unknown>>()) {
      const row = z
        .object({ partitionKey: z.string(), ExecutionId: z.string(), TimerId: z.number(), FireAt: z.string() })
        .parse(e);
      timers.push({
        instanceId: row.partitionKey,
        executionId: row.ExecutionId,
        timerId: row.TimerId,
        fireAt: new Date(row.FireAt),
      });
    }
    return timers;
  }

  // ---- activities

  /** One transaction per 100 activities (they share the instance's partition). */
  async putActivities(
    instanceId: string,
    executionId: string,
    activities: readonly { taskId: number; name: string; inputText: string | null }[],
  ): Promise<void> {
    const actions: TransactionAction[] = activities.map((a) => {
      const entity: Record<string, unknown> = { ExecutionId: executionId, TaskId: a.taskId, Name: a.name };
      putText(entity, 'Input', a.inputText, `The input of activity '${a.name}' of instance '${instanceId}'`);
      return ['upsert', { partitionKey: instanceId, rowKey: `${executionId}_${pad(a.taskId)}`, ...entity }, 'Replace'];
    });
    await submitInBatches(this.activities, actions);
  }

  async deleteActivity(instanceId: string, executionId: string, taskId: number): Promise<void> {
    await ignoreNotFound(this.activities.deleteEntity(instanceId, `${executionId}_${pad(taskId)}`));
  }

  async deleteActivities(instanceId: string): Promise<void> {
    await this.deletePartition(this.activities, instanceId);
  }

  async listActivities(): Promise<ActivityRecord[]> {
    const activities: ActivityRecord[] = [];
    for await (const e of this.activities.listEntities<Record<string, unknown>>()) {
      const row = z
        .object({ partitionKey: z.string(), ExecutionId: z.string(), TaskId: z.number(), Name: z.string() })
        .parse(e);
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

  private async deletePartition(table: TableClient, partitionKey: string): Promise<void> {
    const keys: string[] = [];
    for await (const e of table.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${partitionKey}`, select: ['RowKey'] },
    })) {
      if (typeof e.rowKey === 'string') keys.push(e.rowKey);
    }
    for (let i = 0; i < keys.length; i += 100) {
      await table.submitTransaction(
        keys.slice(i, i + 100).map((rowKey) => ['delete', { partitionKey, rowKey }] as TransactionAction),
      );
    }
  }
}

/**
 * Table Storage transactions take up to 100 operations on one partition; a single operation goes
 * as a plain request (one round trip either way, less to parse). `size` keeps big rows under the
 * 4 MiB payload limit of a batch.
 */
async function submitInBatches(table: TableClient, actions: readonly TransactionAction[], size = 100): Promise<void> {
  if (actions.length === 1) {
    const [kind, entity, mode] = actions[0] as TransactionAction;
    if (kind === 'upsert') return void (await table.upsertEntity(entity, mode === 'Merge' ? 'Merge' : 'Replace'));
  }
  for (let i = 0; i < actions.length; i += size) await table.submitTransaction(actions.slice(i, i + size));
}
