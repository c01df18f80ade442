import type { TemporaryAccessPassPolicy } from '../../domain/temporaryAccessPassPolicy';

/** A user's Temporary Access Passes and the tenant's policy for them. */
export interface TemporaryAccessPasses {
  /**
   * Creates a Temporary Access Pass and returns the pass (the only time Graph shows it). A user
   * holds one pass: any existing one is deleted first, so a retry replaces rather than fails. The
   * tenant's policy decides: the lifetime is raised to its minimum and the pass made one-time when
   * it says so; DependencyError (code 'TemporaryAccessPassPolicy') when it cannot cover the lifetime.
   */
  createTemporaryAccessPass(
    objectId: string,
    options: { readonly lifetimeInMinutes: number; readonly isUsableOnce: boolean },
  ): Promise<string>;
  /** When the user's current pass stops working (start + lifetime); null when it holds none. */
  getTemporaryAccessPassExpiry(objectId: string): Promise<Date | null>;
  /** The tenant's Temporary Access Pass policy (needs Policy.Read.AuthenticationMethod). */
  getTemporaryAccessPassPolicy(): Promise<TemporaryAccessPassPolicy>;
  /** Deletes every Temporary Access Pass of the user; succeeds when there is none (or no user). */
  deleteTemporaryAccessPasses(objectId: string): Promise<void>;
  /** How many Temporary Access Passes the user holds, usable or not. */
  countTemporaryAccessPasses(objectId: string): Promise<number>;
}
