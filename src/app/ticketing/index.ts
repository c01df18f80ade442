import { z } from 'zod';
import type { IntegrationKind } from '../../domain/integration';
import { autotaskConnector } from './autotask';
import { connectwiseConnector } from './connectwise';
import type { Connector } from './connector';
import { genericConnector } from './generic';
import { halopsaConnector } from './halopsa';

/**
 * The ticketing connectors, one per integration kind: the registry the use cases dispatch through.
 * Adding a connector is its module and one entry here (docs/architecture.md, "How to add a
 * connector"); the compiler refuses a kind of src/domain/integration.ts without its connector.
 */
const CONNECTORS = [genericConnector, connectwiseConnector, autotaskConnector, halopsaConnector] as const;

type Registered = (typeof CONNECTORS)[number];
/** Every kind has its connector: this fails to compile when one is missing from CONNECTORS. */
const everyKindRegistered: Exclude<IntegrationKind, Registered['kind']> extends never ? true : never = true;
void everyKindRegistered;

const byKind = new Map<string, Connector<IntegrationKind>>(CONNECTORS.map((c) => [c.kind, c]));

/** The connector of a kind (an integration's, as stored: every stored kind has one). */
export function connectorOf<K extends IntegrationKind>(kind: K): Connector<K> {
  const connector = byKind.get(kind);
  if (connector === undefined) throw new Error(`no ticketing connector for kind ${kind}`);
  return connector as Connector<K>;
}

type CreateBodySchemasOf<T extends readonly unknown[]> = {
  -readonly [I in keyof T]: T[I] extends { readonly createBodySchema: infer S } ? S : never;
};

/** Each connector's body schema, in registry order (typed per position, which Array.map cannot say). */
function createBodySchemasOf<T extends readonly Registered[]>(connectors: T): CreateBodySchemasOf<T> {
  return connectors.map((c) => c.createBodySchema) as CreateBodySchemasOf<T>;
}

/**
 * POST /integrations: each kind's body, told apart by `kind` (generic when it is absent), with the
 * mapping from a PSA's tickets to access requests (docs/ticketing.md).
 */
export const createIntegrationBodySchema = z.discriminatedUnion('kind', createBodySchemasOf(CONNECTORS), {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? `kind must be ${CONNECTORS.slice(0, -1)
          .map((c) => c.kind)
          .join(', ')} or ${CONNECTORS[CONNECTORS.length - 1]?.kind}`
      : undefined,
});
export type CreateIntegrationBody = z.infer<typeof createIntegrationBodySchema>;
