import type { HttpRequest } from '@azure/functions';
import type { z } from 'zod';
import { fieldProblemsOf, ValidationError } from '../domain/errors';

/** Query parameters validated by a schema; a repeated parameter is refused rather than guessed at. */
export function readQuery<S extends z.ZodType>(request: HttpRequest, schema: S): z.infer<S> {
  const values: Record<string, string> = {};
  for (const [name, value] of request.query.entries()) {
    if (name in values) throw new ValidationError([{ field: name, message: 'is given more than once' }]);
    values[name] = value;
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new ValidationError(fieldProblemsOf(parsed.error));
  return parsed.data;
}
