import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

/**
 * Records the Table Storage requests this process makes to tables whose names start with
 * `tablePrefix` (a test's own tables), through Node's `http.client.request.start` diagnostics
 * channel: the code under test is not wrapped. An entity-group transaction is one `POST $batch`
 * (its path names no table, so every batch is recorded: use fresh prefixes and no concurrency).
 */
export class TableRoundTrips {
  readonly requests: string[] = [];
  private readonly listener = (message: unknown): void => {
    const request = (message as { request?: ClientRequest }).request;
    if (request === undefined) return;
    const path = decodeURIComponent(request.path).replace(/\?.*$/, '');
    if (path.includes(`/${this.tablePrefix}`) || path.endsWith('/$batch'))
      this.requests.push(`${request.method} ${path.replace(/^\/[^/]+\//, '')}`);
  };

  constructor(private readonly tablePrefix: string) {
    subscribe('http.client.request.start', this.listener);
  }

  /** Requests whose method and path match. */
  matching(pattern: RegExp): string[] {
    return this.requests.filter((r) => pattern.test(r));
  }

  close(): void {
    unsubscribe('http.client.request.start', this.listener);
  }
}
