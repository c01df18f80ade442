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
  newMessageId,
  rowKey,
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
 * keeps each instance's partition (record, history, inbox, pending work) in memory once read
 * (write-through: the table is written first, then the copy; nothing it wrote is read back). An
 * episode is one transaction on the instance's partition (see taskHubStore.ts): its history, the
 * activities and timers it schedules, the instance record and the deletion of what it consumed,
 * all durable before any of that work is dispatched. Messages from outside (start, events,
 * terminate) are inbox rows; an activity's result and a timer's firing are handed to the
 * instance in memory, since this process made them: the activity's or timer's own row stands for
 * them until the episode that consumes them deletes it, so after a crash the activity runs again
 * (at least once) and the timer fires again, and a result the history already has is dropped.
 */
interface InboxEntry {
  readonly messageId: string;
  readonly message: InstanceMessage;
  /** Whether the message is an inbox row (from outside) rather than this process's own result. */
  readonly stored: boolean;
}

interface LoadedInstance {
  instance: InstanceRecord;
  history: HistoryEvent[];
  inbox: InboxEntry[];
  /** Row keys of the current execution's timers and activities in the table, not yet consumed. */
  pendingWork: Set<string>;
}

function unique(keys: readonly string[]): string[] {
  return [...new Set(keys)];
}

export class DurableRunner {
  private readonly dispatcher: InstanceDispatcher;
  private readonly timers: TimerScheduler;
  private readonly activities: ActivityWorker;
  private state: 'new' | 'running' | 'closing' | 'closed' = 'new';
  /** Instance partitions read or written by this runner (see the class comment). */
  private readonly loaded = new Map<string, Promise<LoadedInstance | undefined>>();
  /** Loaded instances that have finished: let go of first when too many are loaded. */
  private readonly finished = new Set<string>();
  private readonly functionsByName = new Map<string, RegisteredFunction>();
  /** Writes nobody waits for (dropped messages, leftovers); close() lets them finish. */
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
      const loaded = await this.load(timer.instanceId);
      if (
        loaded === undefined ||
        loaded.instance.executionId !== timer.executionId ||
        isTerminal(loaded.instance.runtimeStatus)
      ) {
        // A row left over from a crash: nobody will consume it.
        this.background(this.store.deleteRow(timer.instanceId, rowKey.timer(timer.executionId, timer.timerId)));
        return;
      }
      this.handOver(loaded, {
        kind: 'TimerFired',
        executionId: timer.executionId,
        timerId: timer.timerId,
        fireAt: timer.fireAt.toISOString(),
      });
      this.dispatcher.kick(timer.instanceId);
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
    const known = await this.loaded.get(id)?.catch(() => undefined);
    if (known !== undefined) {
      if (!isTerminal(known.instance.runtimeStatus))
        throw new InstanceAlreadyExistsError(id, known.instance.runtimeStatus);
      await this.purge(id);
    }
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
    const started = {
      messageId: newMessageId(),
      message: { kind: 'ExecutionStarted', executionId, name, input: inputText } satisfies InstanceMessage,
    };
    // One transaction for a new id; an existing one is looked at only when the create is refused.
    if (!(await this.store.createInstance(instance, started))) {
      const existing = await this.store.getInstance(id);
      if (existing !== undefined && !isTerminal(existing.instance.runtimeStatus))
        throw new InstanceAlreadyExistsError(id, existing.instance.runtimeStatus);
      await this.purge(id);
      if (!(await this.store.createInstance(instance, started))) throw new InstanceAlreadyExistsError(id, 'Pending');
    }
    this.loaded.set(
      id,
      Promise.resolve({ instance, history: [], inbox: [{ ...started, stored: true }], pendingWork: new Set<string>() }),
    );
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
    const loaded = await this.loaded.get(instanceId)?.catch(() => undefined);
    if (loaded !== undefined) return { instance: loaded.instance, history: loaded.history };
    return this.store.getInstance(instanceId);
  }

  listInstances(query: InstanceQuery): Promise<{ instances: InstanceRecord[]; continuationToken?: string }> {
    return this.store.listInstances(query);
  }

  async purge(instanceId: string): Promise<boolean> {
    this.timers.removeInstance(instanceId);
    this.forget(instanceId);
    return this.store.purgeInstance(instanceId);
  }

  /** Writes a message from outside to the inbox table, then to the loaded inbox (if loaded). */
  private async deliver(instanceId: string, message: InstanceMessage): Promise<DeliveryResult> {
    const loaded = await this.load(instanceId);
    if (loaded === undefined) return 'notFound';
    if (isTerminal(loaded.instance.runtimeStatus)) return 'gone';
    const messageId = await this.store.enqueueMessage(instanceId, message);
    // The copy may have been let go of, or read again, meanwhile: add to whatever is loaded now.
    const current = await this.loaded.get(instanceId)?.catch(() => undefined);
    if (current !== undefined) insertInOrder(current.inbox, { messageId, message, stored: true });
    this.dispatcher.kick(instanceId);
    return 'accepted';
  }

  // ---- the in-memory copies (see the class comment)

  /** Hands this process's own result (an activity's, a timer's) to a loaded instance. */
  private handOver(loaded: LoadedInstance, message: InstanceMessage): void {
    insertInOrder(loaded.inbox, { messageId: newMessageId(), message, stored: false });
  }

  /** The instance's partition, read once (one query) and kept; undefined when there is no such instance. */
  private load(instanceId: string): Promise<LoadedInstance | undefined> {
    const cached = this.loaded.get(instanceId);
    if (cached !== undefined) return cached;
    const loading = this.store.readPartition(instanceId).then((partition): LoadedInstance | undefined => {
      const { instance, history, inbox, pendingWork } = partition;
      if (instance === undefined) {
        // Messages to an instance that is gone (a purge cut short): nobody will handle them.
        for (const m of inbox) this.background(this.store.deleteRow(instanceId, rowKey.message(m.messageId)));
        return undefined;
      }
      if (isTerminal(instance.runtimeStatus)) this.finished.add(instanceId);
      return { instance, history, inbox: inbox.map((m) => ({ ...m, stored: true })), pendingWork };
    });
    this.loaded.set(instanceId, loading);
    // Neither a failed read nor a missing instance is kept: the next call reads again.
    const release = (): void => {
      if (this.loaded.get(instanceId) === loading) this.loaded.delete(instanceId);
    };
    loading.then((found) => (found === undefined ? release() : undefined), release);
    return loading;
  }

  private forget(instanceId: string): void {
    this.loaded.delete(instanceId);
    this.finished.delete(instanceId);
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
    const fn = this.registered('orchestrationTrigger', name);
    if (fn === undefined) throw new OrchestratorNotFoundError(name);
    return fn;
  }

  /**
   * The registered function of that trigger type and name (case-insensitive), remembered once found:
   * every episode and activity asks, and scanning the registry each time showed in profiles.
   */
  private registered(
    trigger: 'orchestrationTrigger' | 'activityTrigger',
    name: string,
  ): RegisteredFunction | undefined {
    const key = `${trigger}/${name.toLowerCase()}`;
    let fn = this.functionsByName.get(key);
    if (fn === undefined) {
      fn = functionsWithTrigger(this.options.registry, trigger).find(
        (f) => f.name.toLowerCase() === name.toLowerCase(),
      );
      if (fn !== undefined) this.functionsByName.set(key, fn);
    }
    return fn;
  }

  /**
   * The rows a message stands for, deleted by the episode that consumes it: its inbox row, or the
   * row of the activity or timer whose result it is.
   */
  private rowsOf(entry: InboxEntry, loaded: LoadedInstance): string[] {
    const { message } = entry;
    const rows = entry.stored ? [rowKey.message(entry.messageId)] : [];
    const work =
      message.kind === 'TaskCompleted' || message.kind === 'TaskFailed'
        ? rowKey.activity(message.executionId, message.taskId)
        : message.kind === 'TimerFired'
          ? rowKey.timer(message.executionId, message.timerId)
          : undefined;
    if (work !== undefined && loaded.pendingWork.has(work)) rows.push(work);
    return rows;
  }

  /** Handles the oldest inbox message of one instance. Resolves false when there was none. */
  private async processNext(instanceId: string): Promise<boolean> {
    const loaded = await this.load(instanceId);
    if (loaded === undefined) return false;
    const next = loaded.inbox[0];
    if (next === undefined) return false;
    countEpisode();
    const { messageId, message } = next;
    const consumedRows = this.rowsOf(next, loaded);
    const consumed = (): void => {
      if (loaded.inbox[0] === next) loaded.inbox.shift();
      else loaded.inbox.splice(loaded.inbox.indexOf(next), 1);
      for (const key of consumedRows) loaded.pendingWork.delete(key);
    };
    const drop = (why: string): true => {
      this.log('debug', `Dropped ${message.kind} message for instance '${instanceId}': ${why}`, instanceId);
      consumed();
      // A duplicate's rows, when any are left, are deleted in the background: if that is lost, it is dropped again.
      for (const key of consumedRows) this.background(this.store.deleteRow(instanceId, key));
      return true;
    };
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
    const executionId = instance.executionId;

    if (message.kind === 'ExecutionTerminated') {
      const terminated: InstanceRecord = {
        ...instance,
        runtimeStatus: 'Terminated',
        outputText: toJsonText(message.reason ?? ''),
        lastUpdatedTime: now.toISOString(),
      };
      await this.store.commit(instanceId, {
        history: { executionId, start: history.length, events: newEvents },
        deleteRows: unique([...consumedRows, ...loaded.pendingWork]),
        instance: terminated,
      });
      loaded.history = [...history, ...newEvents];
      consumed();
      this.finish(loaded, terminated);
      this.log(
        'information',
        `Orchestration '${instance.name}' (instance '${instanceId}') was terminated: ${message.reason ?? ''}`,
        instanceId,
      );
      return true;
    }

    const fullHistory = [...history, ...newEvents];
    const decision = await this.runEpisode(instance, fullHistory, now);
    const { result } = decision;
    if (result.kind === 'continuedAsNew') {
      await this.continueAsNew(loaded, decision, consumedRows, now);
      consumed();
      return true;
    }
    const running = result.kind === 'running';
    const updated: InstanceRecord = {
      ...instance,
      runtimeStatus: running ? 'Running' : result.kind === 'completed' ? 'Completed' : 'Failed',
      ...(result.kind === 'completed' ? { outputText: result.outputText } : {}),
      ...(result.kind === 'failed' ? { outputText: toJsonText(result.message) } : {}),
      customStatusText: decision.customStatusText,
      lastUpdatedTime: now.toISOString(),
    };
    const cancelled = decision.cancelledTimerIds
      .map((timerId) => rowKey.timer(executionId, timerId))
      .filter((key) => loaded.pendingWork.has(key));
    // Work scheduled by the last episode is never started: a finished instance's pending work goes.
    const deleteRows = unique(running ? [...consumedRows, ...cancelled] : [...consumedRows, ...loaded.pendingWork]);
    await this.store.commit(instanceId, {
      activities: running ? decision.activities.map((a) => ({ executionId, ...a })) : [],
      timers: running ? decision.timers.map((t) => ({ executionId, ...t })) : [],
      history: { executionId, start: history.length, events: [...newEvents, ...decision.decisions] },
      deleteRows,
      instance: updated,
    });
    loaded.history = [...fullHistory, ...decision.decisions];
    consumed();
    for (const key of deleteRows) loaded.pendingWork.delete(key);
    for (const timerId of decision.cancelledTimerIds) this.timers.remove({ instanceId, executionId, timerId });
    if (!running) {
      this.finish(loaded, updated);
      if (result.kind === 'completed')
        this.log('information', `Orchestration '${instance.name}' (instance '${instanceId}') completed`, instanceId);
      if (result.kind === 'failed')
        this.log(
          'error',
          `Orchestration '${instance.name}' (instance '${instanceId}') failed: ${result.message}`,
          instanceId,
        );
      return true;
    }
    loaded.instance = updated;
    for (const a of decision.activities) {
      loaded.pendingWork.add(rowKey.activity(executionId, a.taskId));
      this.activities.enqueue({ instanceId, executionId, ...a });
    }
    for (const t of decision.timers) {
      loaded.pendingWork.add(rowKey.timer(executionId, t.timerId));
      this.timers.add({ instanceId, executionId, ...t });
    }
    return true;
  }

  /**
   * Starts the next execution: the new instance record, its ExecutionStarted message and the
   * deletion of what is spent, in one transaction; the old history goes afterwards (rows of
   * another execution are never read, so a cleanup cut short harms nothing).
   */
  private async continueAsNew(
    loaded: LoadedInstance,
    decision: EpisodeDecision,
    consumedRows: readonly string[],
    now: Date,
  ): Promise<void> {
    const { instance, history } = loaded;
    const id = instance.instanceId;
    if (decision.result.kind !== 'continuedAsNew') return;
    const inputText = decision.result.inputText;
    const executionId = randomUUID();
    const next: InstanceRecord = {
      ...instance,
      runtimeStatus: 'ContinuedAsNew',
      executionId,
      inputText,
      outputText: null,
      customStatusText: decision.customStatusText,
      lastUpdatedTime: now.toISOString(),
    };
    const started = {
      messageId: newMessageId(),
      message: {
        kind: 'ExecutionStarted',
        executionId,
        name: instance.name,
        input: inputText,
      } satisfies InstanceMessage,
    };
    await this.store.commit(id, {
      deleteRows: unique([...consumedRows, ...loaded.pendingWork]),
      newMessages: [started],
      instance: next,
    });
    const oldHistory = history.map((_, i) => rowKey.history(instance.executionId, i));
    this.background(this.store.deleteRows(id, oldHistory));
    this.timers.removeInstance(id);
    loaded.instance = next;
    loaded.history = [];
    loaded.pendingWork.clear();
    insertInOrder(loaded.inbox, { ...started, stored: true });
    this.log('information', `Orchestration '${instance.name}' (instance '${id}') continued as new`, id);
  }

  /** After the finishing episode is durable: its copy, timers and, when too many are loaded, older finished ones. */
  private finish(loaded: LoadedInstance, record: InstanceRecord): void {
    loaded.instance = record;
    loaded.pendingWork.clear();
    this.timers.removeInstance(record.instanceId);
    this.finished.add(record.instanceId);
    if (this.loaded.size > MAX_LOADED_INSTANCES) {
      // Finished instances are read again from the table if anything still asks about them.
      for (const id of this.finished) if (id !== record.instanceId) this.forget(id);
    }
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

  // ---- activities

  private async runActivity(activity: ActivityRecord): Promise<void> {
    const { instanceId, executionId, taskId, name } = activity;
    countActivity();
    const loaded = await this.load(instanceId);
    if (
      loaded === undefined ||
      loaded.instance.executionId !== executionId ||
      isTerminal(loaded.instance.runtimeStatus)
    ) {
      // Normally already deleted with the rest of a finished execution's work; a crash may have left it.
      this.background(this.store.deleteRow(instanceId, rowKey.activity(executionId, taskId)));
      return;
    }
    const fn = this.registered('activityTrigger', name);
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
    // After close() gave up waiting, the result is not handed over: the activity runs again next start.
    if (this.state === 'closed') return;
    // The activity's row stands for the result until the episode that consumes it deletes the row.
    for (;;) {
      try {
        const current = await this.load(instanceId);
        if (current !== undefined) this.handOver(current, message);
        this.dispatcher.kick(instanceId);
        return;
      } catch (error) {
        // The instance could not be read (storage hiccup): try again; the row keeps the work if we stop.
        this.log('warning', `Handing over the result of activity '${name}' failed, retrying: ${errorMessage(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        if (this.state !== 'running') return;
      }
    }
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
