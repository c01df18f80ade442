/**
 * Problem details are HTTP (src/http/problem.ts); what stays here is the zod-to-field-problems
 * conversion, now in the domain beside ValidationError, re-exported for the use cases importing it
 * from here.
 */
export { fieldProblemsOf } from '../domain/errors';
