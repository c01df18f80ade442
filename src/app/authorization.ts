import { ADMIN_ROLE, isAdmin, type Caller } from '../domain/caller';
import { ForbiddenError } from '../domain/errors';

/** Configuration, integrations, audit and operations need the Jit.Admin app role. */
export function requireAdmin(caller: Caller): void {
  if (!isAdmin(caller)) throw new ForbiddenError(`this needs the ${ADMIN_ROLE} app role`);
}
