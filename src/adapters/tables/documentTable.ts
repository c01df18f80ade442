import type { TableEntityResult } from '@azure/data-tables';
import type { z } from 'zod';
import { AlreadyExistsError, ConcurrencyError, type Versioned } from '../../app/ports';
import { documentRow, etagOf, parseRow, queryAll, type Column } from './rows';
import { tableStatus, toTableError } from './tableErrors';
import type { TableRef } from './tableSet';

export interface Keyed {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly columns?: Record<string, Column>;
}

/**
 * One zod-validated object per row, with the ETag semantics the ports promise: create is
 * insert-if-absent (AlreadyExistsError), replace is conditional on the ETag (ConcurrencyError),
 * delete succeeds when the row is already gone.
 */
export class DocumentTable<S extends z.ZodType> {
  constructor(
    private readonly ref: TableRef,
    private readonly schema: S,
    /** What a row is, for messages: "tenant", "target" … */
    private readonly noun: string,
  ) {}

  get name(): string {
    return this.ref.name;
  }

  /** Refuses to store what the schema would refuse to read back. */
  validate(value: z.input<S>): z.output<S> {
    const parsed = this.schema.safeParse(value);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new Error(`refusing to store an invalid ${this.noun} in ${this.ref.name}: ${issues}`);
    }
    return parsed.data;
  }

  parse(row: TableEntityResult<Record<string, unknown>>): z.output<S> {
    return parseRow(this.schema, this.ref.name, row);
  }

  async get(partitionKey: string, rowKey: string): Promise<Versioned<z.output<S>> | null> {
    const client = await this.ref.client();
    try {
      const row = await client.getEntity<Record<string, unknown>>(partitionKey, rowKey);
      return { value: this.parse(row), etag: etagOf(row, this.ref.name) };
    } catch (error) {
      if (tableStatus(error) === 404) return null;
      throw toTableError(error, `read ${this.noun}`);
    }
  }

  async create(keys: Keyed, value: z.input<S>): Promise<Versioned<z.output<S>>> {
    const valid = this.validate(value);
    const client = await this.ref.client();
    try {
      const result = await client.createEntity(
        documentRow(this.ref.name, keys.partitionKey, keys.rowKey, valid, keys.columns ?? {}),
      );
      return { value: valid, etag: etagOf(result, this.ref.name) };
    } catch (error) {
      if (tableStatus(error) === 409) throw new AlreadyExistsError(`${this.noun} ${keys.rowKey} already exists`);
      throw toTableError(error, `create ${this.noun}`);
    }
  }

  async replace(keys: Keyed, value: z.input<S>, etag: string): Promise<Versioned<z.output<S>>> {
    const valid = this.validate(value);
    const client = await this.ref.client();
    try {
      const row = documentRow(this.ref.name, keys.partitionKey, keys.rowKey, valid, keys.columns ?? {});
      const result = await client.updateEntity(row, 'Replace', { etag });
      return { value: valid, etag: etagOf(result, this.ref.name) };
    } catch (error) {
      // 404: deleted since it was read, which is as stale as an ETag gets.
      const status = tableStatus(error);
      if (status === 412 || status === 404)
        throw new ConcurrencyError(`${this.noun} ${keys.rowKey} changed or was deleted since it was read`);
      throw toTableError(error, `replace ${this.noun}`);
    }
  }

  async upsert(keys: Keyed, value: z.input<S>): Promise<void> {
    const valid = this.validate(value);
    const client = await this.ref.client();
    try {
      await client.upsertEntity(
        documentRow(this.ref.name, keys.partitionKey, keys.rowKey, valid, keys.columns ?? {}),
        'Replace',
      );
    } catch (error) {
      throw toTableError(error, `write ${this.noun}`);
    }
  }

  async delete(partitionKey: string, rowKey: string): Promise<void> {
    const client = await this.ref.client();
    try {
      await client.deleteEntity(partitionKey, rowKey);
    } catch (error) {
      if (tableStatus(error) === 404) return;
      throw toTableError(error, `delete ${this.noun}`);
    }
  }

  async list(filter: string | undefined): Promise<z.output<S>[]> {
    const client = await this.ref.client();
    return queryAll(client, this.noun, filter, (row) => this.parse(row));
  }
}
