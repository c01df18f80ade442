import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { toTableError } from './tableErrors';

/** The tables the service keeps, named `<prefix><Kind>` (Table names allow letters and digits only). */
export const TABLE_KINDS = [
  'Requests',
  'LeaseLocks',
  'Accounts',
  'Tenants',
  'Targets',
  'Rules',
  'Audit',
  'Integrations',
  'Idempotency',
  'WebhookDeliveries',
  'Templates',
  'TeamsConversations',
  'TeamsCards',
  'PsaWriteBacks',
] as const;
export type TableKind = (typeof TABLE_KINDS)[number];

export const DEFAULT_TABLE_PREFIX = 'jit';

export type TableConnection =
  { readonly connectionString: string } | { readonly endpoint: string; readonly credential: TokenCredential };

export interface TableRef {
  readonly name: string;
  /** The client, once its table exists. */
  client(): Promise<TableClient>;
}

/**
 * Clients for every table, each created on first use (idempotent: `createTable` ignores
 * TableAlreadyExists) and only once per process. A failed creation is forgotten so the next call
 * tries again instead of failing forever.
 */
export class TableSet {
  private readonly refs = new Map<TableKind, TableRef>();

  constructor(
    private readonly connection: TableConnection,
    private readonly prefix: string = DEFAULT_TABLE_PREFIX,
  ) {
    if (!/^[A-Za-z][A-Za-z0-9]{0,50}$/.test(prefix)) {
      throw new RangeError(
        `table prefix '${prefix}' must start with a letter and hold only letters and digits (at most 51)`,
      );
    }
  }

  table(kind: TableKind): TableRef {
    const existing = this.refs.get(kind);
    if (existing !== undefined) return existing;
    const name = `${this.prefix}${kind}`;
    const client = this.connect(name);
    let ready: Promise<TableClient> | undefined;
    const ref: TableRef = {
      name,
      client: () => {
        ready ??= client.createTable().then(
          () => client,
          (error: unknown) => {
            ready = undefined;
            throw toTableError(error, `create table ${name}`);
          },
        );
        return ready;
      },
    };
    this.refs.set(kind, ref);
    return ref;
  }

  private connect(name: string): TableClient {
    if ('connectionString' in this.connection) {
      const cs = this.connection.connectionString;
      // Azurite speaks plain http; the SDK refuses it unless told (never needed in Azure).
      const allowInsecureConnection =
        /(^|;)\s*DefaultEndpointsProtocol=http\s*(;|$)/i.test(cs) || /=\s*http:\/\//i.test(cs);
      return TableClient.fromConnectionString(cs, name, { allowInsecureConnection });
    }
    return new TableClient(this.connection.endpoint, name, this.connection.credential);
  }
}
