import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

/**
 * Counts every HTTP round trip this process makes to Table Storage (Azurite), through Node's
 * `http.client.request.start` diagnostics channel: no production code is wrapped. Round trips made
 * inside `asProbe()` (the benchmark's own observer) are counted apart so they can be left out.
 */
const probe = new AsyncLocalStorage<true>();

export function asProbe<T>(work: () => Promise<T>): Promise<T> {
  return probe.run(true, work);
}

export interface TableCounts {
  readonly service: number;
  readonly probe: number;
}

export class TableCounter {
  private service = 0;
  private probes = 0;
  private readonly listener = (message: unknown): void => {
    const request = (message as { request?: ClientRequest }).request;
    if (request === undefined || !this.isTables(request)) return;
    if (probe.getStore() === true) this.probes += 1;
    else this.service += 1;
  };

  constructor(private readonly tablesPort: number) {
    subscribe('http.client.request.start', this.listener);
  }

  counts(): TableCounts {
    return { service: this.service, probe: this.probes };
  }

  close(): void {
    unsubscribe('http.client.request.start', this.listener);
  }

  private isTables(request: ClientRequest): boolean {
    const host = request.getHeader('host');
    return typeof host === 'string' && host.endsWith(`:${this.tablesPort}`);
  }
}

/** The table port from an Azurite connection string (`TableEndpoint=http://127.0.0.1:<port>/…`). */
export function tablesPortOf(connectionString: string): number {
  const match = /TableEndpoint=https?:\/\/[^:/;]+:(\d+)/i.exec(connectionString);
  if (match?.[1] === undefined) throw new Error('the tables connection string names no TableEndpoint port');
  return Number(match[1]);
}
