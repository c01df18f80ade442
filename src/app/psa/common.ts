/**
 * Kept only so that src/http/admin/operations.ts, rewritten in parallel, still finds the mapping's
 * schema where it imported it from: the mapping now lives in src/domain/psaMapping.ts and the
 * connectors in src/app/ticketing. Delete this file once operations.ts imports from there.
 */
export { psaMappingSchema, type PsaMapping } from '../../domain/psaMapping';
