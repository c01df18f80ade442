import { randomUUID } from 'node:crypto';
import { functionsWithTrigger, type FunctionRegistry, type RegisteredFunction } from '../host/functionsCore';
import { createInvocationContext, type DurableClientBindingData } from '../host/invocation';
import { invokeFunction } from '../host/invoke';
import { errorDetails, errorMessage, HOST_CATEGORY, type HostLogger } from '../host/logging';
import { ActivityWorker } from './activityWorker';
import { decideEpisode, type EpisodeDecision } from './episode';
import { EventType, fromJsonText, stamp, toJsonText, type HistoryEvent, type NewEvent } from './historyEvents';
import { InstanceDispatcher } from './instanceDispatcher';
import { replayOrchestrator } from './replay';
import {
  isTerminal,
  TaskHubStore,
  type ActivityRecord,
  type InstanceMessage,
  type InstanceQuery,
  type InstanceRecord,
  type RuntimeStatus,
} from './taskHubStore';
import { countActivity, countEpisode } from './taskHubMetrics';
import { TimerScheduler } from './timerScheduler';

export interface DurableRunnerOptions {
  readonly registry: FunctionRegistry;
  readonly storageConnectionString: string;
  readonly taskHub: string;
  readonly logger: HostLogger;
  readonly durableClient: DurableClientBindingData;
  readonly maxActivityConcurrency?: number;
  /** How long close() waits for running activities before leaving them to the next start. */
  readonly shutdownGraceInMs?: number;
}

export class OrchestratorNotFoundError extends Error {
  constructor(name: string) {
    super(`The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    this.name = 'OrchestratorNotFoundError';
  }
}

export class InstanceAlreadyExistsError extends Error {
  constructor(instanceId: string, status: RuntimeStatus) {
    super(`An Orchestration instance with the status ${status} already exists (instance '${instanceId}').`);
    this.name = 'InstanceAlreadyExistsError';
  }
}

export class InvalidInstanceIdError extends Error {
  constructor(instanceId: string) {
    super(
      `Instance ID '${instanceId}' is not valid: it must be 1-100 characters without '/', '\\', '#', '?' or control characters.`,
    );
    this.name = 'InvalidInstanceIdError';
  }
}

export type DeliveryResult = 'accepted' | 'notFound' | 'gone';

/** How many instances the runner keeps in memory before it lets go of finished ones. */
const MAX_LOADED_INSTANCES = 5_000;

// eslint-disable-next-line no-control-regex
const INVALID_INSTANCE_ID = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

/**
 * The local Durable Task runtime: a task hub in Table Storage, orchestrations replayed through the
 * registered durable-functions handlers one inbox message at a time, activities in-process
 * (at least once), timers with setTimeout. Survives restarts: start() resumes every pending timer,
 * scheduled activity and inbox message.
 *
 * Like the Durable extension's partition owner, this runner is the only writer of its task hub, so it
 * keeps each instance's record, history and inbox in memory once read (write-through: the table
 * is written first, then the copy). An episode then costs three sequential table round trips
 * (scheduled work, history, instance record); deleting a handled message is left to the
 * background, since a message that survives a crash is recognised in the history and dropped.
 */
interface InboxEntry {
  readonly messageId: string;
  readonly message: InstanceMessage;
}

interface LoadedInstance {
  instance: InstanceRecord;
  history: HistoryEvent[];
}
export class DurableRunner {
  private readonly dispatcher: InstanceDispatcher;
  private readonly timers: TimerScheduler;
  private readonly activities: ActivityWorker;
  private state: 'new' | 'running' | 'closing' | 'closed' = 'new';
  /** Instance records and histories read or written by this runner (see the class comment). */
  private readonly loaded = new Map<string, LoadedInstance>();
  /** Each instance's inbox, oldest first, once read from the table. */
  private readonly inboxes = new Map<string, Promise<InboxEntry[]>>();
  /** Writes nobody waits for (message and spent-work deletions); close() lets them finish. */
  private readonly backgroundWrites = new Set<Promise<void>>();

  private constructor(
    private readonly options: DurableRunnerOptions,
    private readonly store: TaskHubStore,
  ) {
    this.dispatcher = new InstanceDispatcher(
      (id) => this.processNext(id),
      (id, error) => this.log('error', `Processing instance '${id}' failed, retrying: ${errorDetails(error)}`, id),
    );
    this.timers = new TimerScheduler(async (timer) => {
      await this.enqueue(timer.instanceId, {
        kind: 'TimerFired',
        executionId: timer.executionId,
        timerId: timer.timerId,
        fireAt: timer.fireAt.toISOString(),
      });
      this.dispatcher.kick(timer.instanceId);
      // A timer row that outlives a crash fires again; the history shows it fired and drops it.
      this.background(this.store.deleteTimer(timer.instanceId, timer.executionId, timer.timerId));
    });
    this.activities = new ActivityWorker(options.maxActivityConcurrency ?? 10, (a) => this.runActivity(a));
  }

  static async create(options: DurableRunnerOptions): Promise<DurableRunner> {
    return new DurableRunner(options, await TaskHubStore.open(options.storageConnectionString, options.taskHub));
  }

  /** Resumes the task hub: pending timers, scheduled activities, unprocessed messages. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('The Durable runner was already started');
    this.state = 'running';
    const [timers, activities, inboxes] = await Promise.all([
      this.store.listTimers(),
      this.store.listActivities(),
      this.store.instancesWithMessages(),
    ]);
    for (const timer of timers) this.timers.add(timer);
    for (const activity of activities) this.activities.enqueue(activity);
    for (const instanceId of inboxes) this.dispatcher.kick(instanceId);
    if (timers.length + activities.length + inboxes.length > 0) {
      this.log(
        'information',
        `Durable runner resumed task hub '${this.options.taskHub}': ${timers.length} timer(s), ${activities.length} activit(y/ies), ${inboxes.length} instance(s) with messages`,
      );
    }
  }

  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return;
    this.state = 'closing';
    this.timers.close();
    await this.activities.close(this.options.shutdownGraceInMs ?? 10_000);
    await this.dispatcher.close();
    await Promise.allSettled([...this.backgroundWrites]);
    this.state = 'closed';
  }

  // ---- management operations

  async startNew(name: string, instanceId: string | undefined, inputText: string | null): Promise<string> {
    this.orchestrator(name);
    const id = instanceId ?? randomUUID().replace(/-/g, '');
    if (id.length === 0 || id.length > 100 || INVALID_INSTANCE_ID.test(id)) throw new InvalidInstanceIdError(id);
    const existing = this.loaded.get(id)?.instance ?? (await this.store.getInstance(id));
    if (existing !== undefined && !isTerminal(existing.runtimeStatus))
      throw new InstanceAlreadyExistsError(id, existing.runtimeStatus);
    if (existing !== undefined) await this.purge(id);
    const now = new Date().toISOString();
    const executionId = randomUUID();
    const instance: InstanceRecord = {
      instanceId: id,
      name,
      runtimeStatus: 'Pending',
      executionId,
      inputText,
      outputText: null,
      customStatusText: null,
      createdTime: now,
      lastUpdatedTime: now,
    };
    await this.store.putInstance(instance);
    this.loaded.set(id, { instance, history: [] });
    // A new instance has an empty inbox: no need to read it back.
    if (!this.inboxes.has(id)) this.inboxes.set(id, Promise.resolve([]));
    await this.enqueue(id, { kind: 'ExecutionStarted', executionId, name, input: inputText });
    this.dispatcher.kick(id);
    this.log('information', `Scheduled orchestration '${name}' (instance '${id}')`, id);
    return id;
  }

  async raiseEvent(instanceId: string, name: string, inputText: string | null): Promise<DeliveryResult> {
    return this.deliver(instanceId, { kind: 'EventRaised', name, input: inputText });
  }

  async terminate(instanceId: string, reason: string | null): Promise<DeliveryResult> {
    return this.deliver(instanceId, { kind: 'ExecutionTerminated', reason });
  }

  async getInstance(instanceId: string): Promise<{ instance: InstanceRecord; history: HistoryEvent[] } | undefined> {
    const instance = await this.store.getInstance(instanceId);
    if (instance === undefined) return undefined;
    return { instance, history: await this.store.getHistory(instanceId, instance.executionId) };
  }

  listInstances(query: InstanceQuery): Promise<{ instances: InstanceRecord[]; continuationToken?: string }> {
    return this.store.listInstances(query);
  }

  async purge(instanceId: string): Promise<boolean> {
    this.timers.removeInstance(instanceId);
    this.forget(instanceId);
    return this.store.purgeInstance(instanceId);
  }

  private async deliver(instanceId: string, message: InstanceMessage): Promise<DeliveryResult> {
    const instance = this.loaded.get(instanceId)?.instance ?? (await this.store.getInstance(instanceId));
    if (instance === undefined) return 'notFound';
    if (isTerminal(instance.runtimeStatus)) return 'gone';
    await this.enqueue(instanceId, message);
    this.dispatcher.kick(instanceId);
    return 'accepted';
  }

  // ---- the in-memory copies (see the class comment)

  /** Writes the message to the inbox table, then to the inbox copy if it was read already. */
  private async enqueue(instanceId: string, message: InstanceMessage): Promise<void> {
    const messageId = await this.store.enqueueMessage(instanceId, message);
    const inbox = this.inboxes.get(instanceId);
    // Waiting for a read in progress: the message may or may not be in what it returns.
    if (inbox !== undefined) insertInOrder(await inbox, { messageId, message });
  }

  private inboxOf(instanceId: string): Promise<InboxEntry[]> {
    let inbox = this.inboxes.get(instanceId);
    if (inbox === undefined) {
      inbox = this.store.listMessages(instanceId);
      this.inboxes.set(instanceId, inbox);
      // A failed read is not kept: the next attempt reads again.
      inbox.catch(() => this.inboxes.delete(instanceId));
    }
    return inbox;
  }

  private async load(instanceId: string): Promise<LoadedInstance | undefined> {
    const cached = this.loaded.get(instanceId);
    if (cached !== undefined) return cached;
    const instance = await this.store.getInstance(instanceId);
    if (instance === undefined) return undefined;
    const loaded = { instance, history: await this.store.getHistory(instanceId, instance.executionId) };
    this.loaded.set(instanceId, loaded);
    return loaded;
  }

  private async saveInstance(record: InstanceRecord): Promise<void> {
    await this.store.putInstance(record);
    const loaded = this.loaded.get(record.instanceId);
    if (loaded !== undefined) loaded.instance = record;
  }

  private forget(instanceId: string): void {
    this.loaded.delete(instanceId);
    this.inboxes.delete(instanceId);
  }

  private background(write: Promise<unknown>): void {
    const tracked: Promise<void> = write.then(
      () => undefined,
      (error: unknown) =>
        this.log(
          'warning',
          `A background task hub write failed (harmless: it is redone or recognised later): ${errorMessage(error)}`,
        ),
    );
    this.backgroundWrites.add(tracked);
    void tracked.finally(() => this.backgroundWrites.delete(tracked));
  }

  // ---- orchestration episodes

  private orchestrator(name: string): RegisteredFunction {
    const fn = functionsWithTrigger(this.options.registry, 'orchestrationTrigger').find(
      (f) => f.name.toLowerCase() === name.toLowerCase(),
    );
    if (fn === undefined) throw new OrchestratorNotFoundError(name);
    return fn;
  }

  /** Handles the oldest inbox message of one instance. Resolves false when there was none. */
  private async processNext(instanceId: string): Promise<boolean> {
    const inbox = await this.inboxOf(instanceId);
    const next = inbox[0];
    if (next === undefined) return false;
    countEpisode();
    const { messageId, message } = next;
    const consumed = (): void => {
      if (inbox[0] === next) inbox.shift();
      this.background(this.store.deleteMessage(instanceId, messageId));
    };
    const drop = (why: string): true => {
      this.log('debug', `Dropped ${message.kind} message for instance '${instanceId}': ${why}`, instanceId);
      consumed();
      return true;
    };
    const loaded = await this.load(instanceId);
    if (loaded === undefined) return drop('the instance does not exist');
    const { instance, history } = loaded;
    if ('executionId' in message && message.executionId !== instance.executionId)
      return drop('it belongs to an earlier execution');
    if (isTerminal(instance.runtimeStatus)) return drop(`the instance is ${instance.runtimeStatus}`);
    const duplicate = this.duplicateReason(history, messageId, message);
    if (duplicate !== undefined) return drop(duplicate);

    const lastStarted = history.findLast((e) => e.EventType === EventType.OrchestratorStarted);
    const now = new Date(Math.max(Date.now(), lastStarted === undefined ? 0 : Date.parse(lastStarted.Timestamp) + 1));
    const local = { messageId };
    const inbound: NewEvent[] = [{ EventType: EventType.OrchestratorStarted }];
    if (history.length === 0)
      inbound.push({
        EventType: EventType.ExecutionStarted,
        Name: instance.name,
        Input: instance.inputText,
        Version: '',
        Local: local,
      });
    if (message.kind !== 'ExecutionStarted') inbound.push(toInboundEvent(message, local));
    const newEvents = inbound.map((e) => stamp(e, now));

    if (message.kind === 'ExecutionTerminated') {
      await this.store.appendHistory(instanceId, instance.executionId, history.length, newEvents);
      loaded.history = [...history, ...newEvents];
      await this.finishInstance(
        instance,
        'Terminated',
        toJsonText(message.reason ?? ''),
        instance.customStatusText,
        now,
      );
      consumed();
      this.log(
        'information',
        `Orchestration '${instance.name}' (instance '${instanceId}') was terminated: ${message.reason ?? ''}`,
        instanceId,
      );
      return true;
    }

    const fullHistory = [...history, ...newEvents];
    const decision = await this.runEpisode(instance, fullHistory, now);
    // Scheduled work must be durable before the history that says it was scheduled.
    await Promise.all([
      this.store.putActivities(instanceId, instance.executionId, decision.activities),
      this.store.putTimers(instanceId, instance.executionId, decision.timers),
    ]);
    await this.store.appendHistory(instanceId, instance.executionId, history.length, [
      ...newEvents,
      ...decision.decisions,
    ]);
    loaded.history = [...fullHistory, ...decision.decisions];
    for (const timerId of decision.cancelledTimerIds)
      this.timers.remove({ instanceId, executionId: instance.executionId, timerId });
    await Promise.all([
      this.store.deleteTimersById(instanceId, instance.executionId, decision.cancelledTimerIds),
      this.applyResult(instance, decision, now),
    ]);
    consumed();
    if (decision.result.kind === 'running') {
      for (const a of decision.activities)
        this.activities.enqueue({ instanceId, executionId: instance.executionId, ...a });
      for (const t of decision.timers) this.timers.add({ instanceId, executionId: instance.executionId, ...t });
    }
    return true;
  }

  private duplicateReason(
    history: readonly HistoryEvent[],
    messageId: string,
    message: InstanceMessage,
  ): string | undefined {
    if (history.some((e) => e.Local?.messageId === messageId)) return 'it was already processed';
    switch (message.kind) {
      case 'ExecutionStarted':
        return history.length > 0 ? 'the execution has already started' : undefined;
      case 'TaskCompleted':
      case 'TaskFailed': {
        const id = message.taskId;
        if (!history.some((e) => e.EventType === EventType.TaskScheduled && e.EventId === id))
          return `no task ${id} was scheduled`;
        const done = history.some(
          (e) =>
            (e.EventType === EventType.TaskCompleted || e.EventType === EventType.TaskFailed) &&
            e.TaskScheduledId === id,
        );
        return done ? `task ${id} already has a result` : undefined;
      }
      case 'TimerFired': {
        const id = message.timerId;
        if (!history.some((e) => e.EventType === EventType.TimerCreated && e.EventId === id))
          return `no timer ${id} was created`;
        return history.some((e) => e.EventType === EventType.TimerFired && e.TimerId === id)
          ? `timer ${id} already fired`
          : undefined;
      }
      default:
        return undefined;
    }
  }

  private async runEpisode(instance: InstanceRecord, history: HistoryEvent[], now: Date): Promise<EpisodeDecision> {
    let orchestrator: RegisteredFunction;
    try {
      orchestrator = this.orchestrator(instance.name);
    } catch (error) {
      return decideEpisode({
        orchestrationName: instance.name,
        history,
        now,
        outcome: { kind: 'failed', message: errorMessage(error), customStatus: undefined },
      });
    }
    const outcome = await replayOrchestrator({
      orchestrator,
      instanceId: instance.instanceId,
      history,
      inputText: instance.inputText,
      logger: this.options.logger,
      durableClient: this.options.durableClient,
    });
    return decideEpisode({ orchestrationName: instance.name, history, now, outcome });
  }

  private async applyResult(instance: InstanceRecord, decision: EpisodeDecision, now: Date): Promise<void> {
    const { result } = decision;
    const id = instance.instanceId;
    switch (result.kind) {
      case 'running':
        await this.saveInstance({
          ...instance,
          runtimeStatus: 'Running',
          customStatusText: decision.customStatusText,
          lastUpdatedTime: now.toISOString(),
        });
        return;
      case 'completed':
        await this.finishInstance(instance, 'Completed', result.outputText, decision.customStatusText, now);
        this.log('information', `Orchestration '${instance.name}' (instance '${id}') completed`, id);
        return;
      case 'failed':
        await this.finishInstance(instance, 'Failed', toJsonText(result.message), decision.customStatusText, now);
        this.log('error', `Orchestration '${instance.name}' (instance '${id}') failed: ${result.message}`, id);
        return;
      case 'continuedAsNew': {
        const executionId = randomUUID();
        await this.dropPendingWork(id);
        const next: InstanceRecord = {
          ...instance,
          runtimeStatus: 'ContinuedAsNew',
          executionId,
          inputText: result.inputText,
          outputText: null,
          customStatusText: decision.customStatusText,
          lastUpdatedTime: now.toISOString(),
        };
        await this.store.putInstance(next);
        await this.store.deleteHistory(id);
        this.loaded.set(id, { instance: next, history: [] });
        await this.enqueue(id, { kind: 'ExecutionStarted', executionId, name: instance.name, input: result.inputText });
        this.log('information', `Orchestration '${instance.name}' (instance '${id}') continued as new`, id);
        return;
      }
    }
  }

  private async finishInstance(
    instance: InstanceRecord,
    status: RuntimeStatus,
    outputText: string | null,
    customStatusText: string | null,
    now: Date,
  ): Promise<void> {
    await this.dropPendingWork(instance.instanceId);
    await this.saveInstance({
      ...instance,
      runtimeStatus: status,
      outputText,
      customStatusText,
      lastUpdatedTime: now.toISOString(),
    });
    if (this.loaded.size > MAX_LOADED_INSTANCES) {
      // Finished instances are read again from the table if anything still asks about them.
      for (const [id, entry] of this.loaded)
        if (isTerminal(entry.instance.runtimeStatus) && id !== instance.instanceId) this.forget(id);
    }
  }

  private async dropPendingWork(instanceId: string): Promise<void> {
    this.timers.removeInstance(instanceId);
    await Promise.all([this.store.deleteTimers(instanceId), this.store.deleteActivities(instanceId)]);
  }

  // ---- activities

  private async runActivity(activity: ActivityRecord): Promise<void> {
    const { instanceId, executionId, taskId, name } = activity;
    countActivity();
    const instance = this.loaded.get(instanceId)?.instance ?? (await this.store.getInstance(instanceId));
    if (instance === undefined || instance.executionId !== executionId || isTerminal(instance.runtimeStatus)) {
      await this.store.deleteActivity(instanceId, executionId, taskId);
      return;
    }
    const fn = functionsWithTrigger(this.options.registry, 'activityTrigger').find(
      (f) => f.name.toLowerCase() === name.toLowerCase(),
    );
    let message: InstanceMessage;
    if (fn === undefined) {
      const reason = `The function '${name}' doesn't exist, is disabled, or is not an activity function.`;
      message = { kind: 'TaskFailed', executionId, taskId, reason, details: reason };
    } else {
      const context = createInvocationContext(fn, {
        logger: this.options.logger,
        instanceId,
        durableClient: this.options.durableClient,
      });
      try {
        const result: unknown = await invokeFunction(fn, context, [fromJsonText(activity.inputText)]);
        message = { kind: 'TaskCompleted', executionId, taskId, result: toJsonText(result) ?? 'null' };
      } catch (error) {
        this.log(
          'warning',
          `Activity '${name}' (instance '${instanceId}', task ${taskId}) failed: ${errorMessage(error)}`,
          instanceId,
        );
        message = {
          kind: 'TaskFailed',
          executionId,
          taskId,
          reason: `Activity function '${name}' failed: ${errorMessage(error)}`,
          details: errorDetails(error),
        };
      }
    }
    // After close() gave up waiting, the result is not recorded: the activity runs again next start.
    if (this.state === 'closed') return;
    await this.enqueue(instanceId, message);
    this.dispatcher.kick(instanceId);
    // An activity row that outlives a crash runs again; its second result is dropped as a duplicate.
    this.background(this.store.deleteActivity(instanceId, executionId, taskId));
  }

  private log(level: 'debug' | 'information' | 'warning' | 'error', message: string, instanceId?: string): void {
    this.options.logger.write(level, message, {
      category: HOST_CATEGORY.durableTask,
      ...(instanceId === undefined ? {} : { instanceId }),
    });
  }
}

function toInboundEvent(
  message: Exclude<InstanceMessage, { kind: 'ExecutionStarted' }>,
  local: { messageId: string },
): NewEvent {
  switch (message.kind) {
    case 'TaskCompleted':
      return {
        EventType: EventType.TaskCompleted,
        TaskScheduledId: message.taskId,
        Result: message.result,
        Local: local,
      };
    case 'TaskFailed':
      return {
        EventType: EventType.TaskFailed,
        TaskScheduledId: message.taskId,
        Reason: message.reason,
        Details: message.details,
        Local: local,
      };
    case 'TimerFired':
      return { EventType: EventType.TimerFired, TimerId: message.timerId, FireAt: message.fireAt, Local: local };
    case 'EventRaised':
      return { EventType: EventType.EventRaised, Name: message.name, Input: message.input, Local: local };
    case 'ExecutionTerminated':
      return { EventType: EventType.ExecutionTerminated, Input: message.reason, Local: local };
  }
}

/** Message ids sort in the order they were made; a message already present is not added twice. */
function insertInOrder(inbox: InboxEntry[], entry: InboxEntry): void {
  if (inbox.some((e) => e.messageId === entry.messageId)) return;
  let at = inbox.length;
  while (at > 0 && (inbox[at - 1]?.messageId ?? '') > entry.messageId) at -= 1;
  inbox.splice(at, 0, entry);
}
