import {
  OrchestrationNotRunningError,
  type LeaseEventName,
  type LeaseOrchestrationControl,
  type LeaseOrchestrationInput,
  type LeaseOrchestrationState,
} from '../../../src/app/ports';

export interface RaisedEvent {
  readonly requestId: string;
  readonly event: LeaseEventName;
  readonly payload: Readonly<Record<string, string | null>>;
}

/**
 * Lease orchestrations without the Durable runner: records what was started and raised, and runs
 * `onRaise` for each event, where a test does what the orchestration's activity would (e.g. call
 * recordDecision), so the use case's wait for the recorded outcome ends as it does in the service.
 * An event at a request whose orchestration is not running is refused as the real client refuses it.
 */
export class FakeLeaseOrchestrations implements LeaseOrchestrationControl {
  readonly started: LeaseOrchestrationInput[] = [];
  readonly restarted: LeaseOrchestrationInput[] = [];
  readonly raised: RaisedEvent[] = [];
  private readonly states = new Map<string, LeaseOrchestrationState>();
  onRaise: (event: RaisedEvent) => Promise<void> = () => Promise.resolve();

  start(input: LeaseOrchestrationInput): Promise<void> {
    this.started.push(structuredClone(input));
    if (this.states.get(input.requestId) !== 'running') this.states.set(input.requestId, 'running');
    return Promise.resolve();
  }

  async raise(
    requestId: string,
    event: LeaseEventName,
    payload: Readonly<Record<string, string | null>>,
  ): Promise<void> {
    const state = await this.state(requestId);
    if (state !== 'running') throw new OrchestrationNotRunningError(requestId, event, state);
    const raised = { requestId, event, payload: { ...payload } };
    this.raised.push(raised);
    await this.onRaise(raised);
  }

  state(requestId: string): Promise<LeaseOrchestrationState> {
    return Promise.resolve(this.states.get(requestId) ?? 'missing');
  }

  restart(input: LeaseOrchestrationInput): Promise<void> {
    this.restarted.push(structuredClone(input));
    this.states.set(input.requestId, 'running');
    return Promise.resolve();
  }

  /** What happened to the orchestration outside the use case (it finished, failed, was terminated). */
  setState(requestId: string, state: LeaseOrchestrationState): void {
    this.states.set(requestId, state);
  }
}
