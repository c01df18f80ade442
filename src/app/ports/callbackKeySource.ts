/**
 * Serves ConnectWise PSA's callback signing keys (src/adapters/ticketing fetches and caches them).
 * Not re-exported from ./index: only the ConnectWise connector and its adapter use it.
 */
export interface CallbackKeySource {
  /**
   * The signing key at this URL; null when the key server refuses or answers something that is not
   * a key (the callback cannot be authenticated). `refresh` skips a cached key (it may have rotated).
   * Throws TransientDependencyError when the key server cannot be reached.
   */
  getSigningKey(keyUrl: URL, options: { readonly refresh: boolean }): Promise<string | null>;
  /** The key at this URL verified a callback: keep it ahead of keys that never did. */
  markVerified(keyUrl: URL): void;
}
