import { randomBytes } from 'node:crypto';
import { ensureLocalTls, type LocalTls } from '../../local/tls';

/** Set by test/globalSetup.ts before workers start. */
export function testEnv(
  name: 'JIT_TEST_TLS_DIR' | 'JIT_TEST_DIR' | 'JIT_TEST_TABLES_CONNECTION_STRING' | 'JIT_TEST_AZURITE_PORT',
): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set: run tests through vitest (test/globalSetup.ts)`);
  return value;
}

export function testTls(): Promise<LocalTls> {
  return ensureLocalTls(testEnv('JIT_TEST_TLS_DIR'));
}

/** A name unique to this test run, usable as a table name or task hub (letters and digits). */
export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}
