import { AsyncLocalStorage } from 'node:async_hooks';
import { ClientRequest } from 'node:http';

const observing = new AsyncLocalStorage<true>();

/** Runs `work` (a test's own reads, e.g. polling a request's status) without it being recorded. */
export function unrecorded<T>(work: () => Promise<T>): Promise<T> {
  return observing.run(true, work);
}

/** A sub-request line of an entity-group transaction: `PUT http://host/account/table(keys) HTTP/1.1`. */
const BATCH_OPERATION = /^(POST|PUT|PATCH|MERGE|DELETE|GET) \S*\/([A-Za-z0-9]+)(\([^)]*\))?(?:\?\S*)? HTTP/gm;

/**
 * Every Table Storage request this process makes to the app's tables (`<prefix><Kind>`, not the
 * local task hub's `localdf…` table), as `METHOD table(keys)`, or `$batch table[operations]` for
 * an entity-group transaction (its path names no table: its body does). Recorded as each request
 * is sent (`ClientRequest#end`, whose body a transaction passes whole), for as long as this lives:
 * the code under test is not wrapped, only Node's client request is observed.
 */
export class AppTableRequests {
  readonly requests: string[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was, and called with its own `this`
  private readonly originalEnd = ClientRequest.prototype.end;

  constructor(private readonly tablePrefix: string) {
    const record = (request: ClientRequest, body: unknown): void => this.record(request, body);
    const originalEnd = this.originalEnd;
    ClientRequest.prototype.end = function end(this: ClientRequest, ...args: unknown[]) {
      record(this, args[0]);
      return (originalEnd as (...a: unknown[]) => ClientRequest).apply(this, args);
    } as typeof ClientRequest.prototype.end;
  }

  close(): void {
    ClientRequest.prototype.end = this.originalEnd;
  }

  /** Drops what was recorded so far. */
  clear(): void {
    this.requests.length = 0;
  }

  private record(request: ClientRequest, body: unknown): void {
    if (observing.getStore() === true) return;
    const path = decodeURIComponent(request.path).replace(/\?.*$/, '');
    if (path.endsWith('/$batch')) {
      const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
      const operations = [...text.matchAll(BATCH_OPERATION)];
      const table = operations[0]?.[2];
      if (table?.startsWith(this.tablePrefix) === true)
        this.requests.push(
          `$batch ${table}[${operations.map((o) => `${o[1]}${decodeURIComponent(o[3] ?? '')}`).join(', ')}]`,
        );
      return;
    }
    const table = /^\/[^/]+\/([A-Za-z0-9]+)(\(.*\))?$/.exec(path);
    if (table?.[1] === undefined || !table[1].startsWith(this.tablePrefix)) return;
    this.requests.push(`${request.method} ${table[1]}${table[2] ?? ''}`);
  }
}
