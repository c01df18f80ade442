import type { Tenant } from '../../../src/domain/config';
import type { Directory, DirectoryProvider } from '../../../src/app/ports';

/**
 * A Directory of only the methods a test gives; any other call fails naming the method, so a use
 * case reaching for Graph where the test did not expect it is a failure, not a silent default.
 * (What Graph itself does is checked against the sandbox in test/adapters/graph/.)
 */
export function partialDirectory(tenantId: string, methods: Partial<Directory>): Directory {
  return new Proxy(methods, {
    get(target, property) {
      const method = target[property as keyof Directory];
      if (method !== undefined) return method;
      if (typeof property !== 'string' || property === 'then') return undefined;
      return () => Promise.reject(new Error(`Directory.${property} of tenant ${tenantId} is not faked in this test`));
    },
  }) as Directory;
}

/** DirectoryProvider over partial directories, one per tenant id; records which tenants were asked for. */
export class FakeDirectories implements DirectoryProvider {
  private readonly directories = new Map<string, Directory>();
  readonly asked: string[] = [];
  readonly forgotten: string[] = [];

  set(tenantId: string, methods: Partial<Directory>): void {
    this.directories.set(tenantId, partialDirectory(tenantId, methods));
  }

  forTenant(tenant: Tenant): Promise<Directory> {
    this.asked.push(tenant.tenantId);
    const directory = this.directories.get(tenant.tenantId);
    if (directory === undefined)
      return Promise.reject(new Error(`no directory is faked for tenant ${tenant.tenantId} in this test`));
    return Promise.resolve(directory);
  }

  forget(tenantId: string): void {
    this.forgotten.push(tenantId);
  }
}
