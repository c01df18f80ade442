import { DependencyError, TransientDependencyError } from '../../domain/errors';
import { azureErrorInfo, describeAzureError, isTransient } from './azureErrors';

/**
 * The one place Table Storage failures become the domain's typed errors. Stores handle the status
 * codes that mean something to them (404 absent, 409 exists, 412 stale ETag) before calling this.
 */
export function tableStatus(error: unknown): number | undefined {
  return azureErrorInfo(error)?.statusCode;
}

export function toTableError(error: unknown, operation: string): Error {
  const info = azureErrorInfo(error);
  if (info === null) {
    // Our own typed errors (and programming errors) pass through unchanged.
    return error instanceof Error ? error : new Error(`Table Storage ${operation} failed: ${String(error)}`);
  }
  const message = `Table Storage ${operation} failed (${describeAzureError(info)})`;
  if (isTransient(info)) return new TransientDependencyError(message);
  return new DependencyError(message, 'tables', info.code ?? String(info.statusCode));
}

/** A stored row that no longer matches its schema: named, so an operator can find and fix it. */
export class InvalidRowError extends Error {
  override readonly name = 'InvalidRowError';
  constructor(
    readonly table: string,
    readonly partitionKey: string,
    readonly rowKey: string,
    reason: string,
  ) {
    super(`row (${partitionKey}, ${rowKey}) of table ${table} is not valid: ${reason}`);
  }
}
