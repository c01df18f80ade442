import { ValidationError } from '../../domain/errors';
import type { SignatureCheck } from '../../domain/webhookSignature';
import type { Authentication } from './connector';

/**
 * A delivery authenticates when any accepted secret verifies it (during a rotation's overlap there
 * are two); otherwise it is refused with the current secret's reason.
 */
export function authenticateWithAnySecret(
  secrets: readonly string[],
  check: (secret: string) => SignatureCheck,
  rawBody: string,
): Authentication {
  const checks = secrets.map(check);
  const result = checks.find((c) => c.valid) ??
    checks[0] ?? { valid: false as const, reason: 'the integration has no secret' };
  return result.valid ? { json: jsonOf(rawBody) } : { refused: result.reason };
}

/** The body as JSON; a body that is not is a 400 naming it. */
export function jsonOf(rawBody: string): unknown {
  try {
    return JSON.parse(rawBody);
  } catch {
    throw new ValidationError([{ field: '(body)', message: 'is not valid JSON' }]);
  }
}
