import { DependencyError, TransientDependencyError } from '../../domain/errors';
import { azureErrorInfo, describeAzureError, isTransient } from '../tables/azureErrors';

/**
 * The one place Key Vault failures become the domain's typed errors. Messages name the operation
 * and the secret name, never a value (the SDK never puts values in its errors either, but we do
 * not pass its message on: a future SDK might).
 */
export function vaultStatus(error: unknown): number | undefined {
  return azureErrorInfo(error)?.statusCode;
}

/** Key Vault's inner error code (`ObjectIsDeletedButRecoverable`, `ForbiddenByRbac` …), where present. */
export function vaultInnerCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const details = (error as unknown as Record<string, unknown>).details;
  const outer =
    typeof details === 'object' && details !== null ? (details as Record<string, unknown>).error : undefined;
  if (typeof outer !== 'object' || outer === null) return undefined;
  const inner = (outer as Record<string, unknown>).innerError ?? (outer as Record<string, unknown>).innererror;
  if (typeof inner !== 'object' || inner === null) return undefined;
  const code = (inner as Record<string, unknown>).code;
  return typeof code === 'string' ? code : undefined;
}

export function toVaultError(error: unknown, operation: string): Error {
  if (error instanceof DependencyError || error instanceof TransientDependencyError) return error;
  const info = azureErrorInfo(error);
  if (info === null) {
    // Token acquisition failures come from @azure/identity, not as RestErrors.
    if (
      error instanceof Error &&
      (error.name === 'AuthenticationError' || error.name === 'CredentialUnavailableError')
    ) {
      return new DependencyError(
        `Key Vault ${operation} failed: the service could not get a token for Key Vault (${error.name})`,
        'login',
        error.name,
      );
    }
    return error instanceof Error ? error : new Error(`Key Vault ${operation} failed: ${String(error)}`);
  }
  const inner = vaultInnerCode(error);
  const described = describeAzureError(info) + (inner === undefined ? '' : `/${inner}`);
  const message = `Key Vault ${operation} failed (${described})`;
  if (isTransient(info)) return new TransientDependencyError(message);
  if ((info.statusCode === 401 || info.statusCode === 403) && inner !== 'SecretDisabled') {
    return new DependencyError(
      `${message}: the service identity needs the "Key Vault Secrets Officer" role on the vault`,
      'keyVault',
      inner ?? info.code,
    );
  }
  return new DependencyError(message, 'keyVault', inner ?? info.code);
}
