import { z } from 'zod';
import { findTenant, graphTimestamp, seedTenant } from './directory';
import { json, parseJsonBody, type SandboxRequest, type SandboxResponse } from './http';
import { customerTenant, seedAppOf } from './seed';
import type { SandboxStore } from './store';

/**
 * POST /_sandbox/tenants: one more customer tenant shaped like the seeded Contoso (its domain and
 * onmicrosoft domain, a protected break-glass Global Administrator, the same groups, the service's
 * app with every permission it needs), for tests and benchmarks at MSP scale (500 tenants). Answers
 * the app's client id and sandbox secret, as the tenant's admin would hand them over.
 */
const createTenantSchema = z
  .object({
    id: z.uuid(),
    displayName: z.string().min(1).max(256),
    domain: z
      .string()
      .regex(
        /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
        'a lowercase domain name such as tenant7.example',
      ),
  })
  .strict();

/** Object ids of a seeded tenant carry a 4-hex-digit marker: 'b' and a counter keeps them apart. */
const MAX_CREATED_TENANTS = 0x1000;

export function createSandboxTenant(store: SandboxStore, req: SandboxRequest): SandboxResponse {
  let raw: unknown;
  try {
    raw = parseJsonBody(req.rawBody) ?? {};
  } catch {
    return json(400, { error: 'request body is not valid JSON' });
  }
  const parsed = createTenantSchema.safeParse(raw);
  if (!parsed.success)
    return json(400, {
      error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    });
  const made = addCustomerTenant(store, parsed.data);
  if ('error' in made) return json(made.status, { error: made.error });
  store.save();
  return json(201, { id: made.id, domain: made.domain, clientId: made.clientId, clientSecret: made.clientSecret });
}

export interface MadeTenant {
  readonly id: string;
  readonly domain: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** One more Contoso-shaped tenant in the state (not saved: the caller saves once for all it adds). */
export function addCustomerTenant(
  store: SandboxStore,
  body: { id: string; displayName: string; domain: string },
): MadeTenant | { status: 400 | 409; error: string } {
  const id = body.id.toLowerCase();
  if (findTenant(store.state, id) !== undefined || findTenant(store.state, body.domain) !== undefined)
    return { status: 409, error: `a tenant '${id}' or with domain '${body.domain}' already exists` };
  const created = store.state.tenants.length;
  if (created >= MAX_CREATED_TENANTS) return { status: 400, error: `at most ${MAX_CREATED_TENANTS} sandbox tenants` };
  const seed = customerTenant(id, body.displayName, body.domain, `b${created.toString(16).padStart(3, '0')}`, []);
  const now = new Date();
  store.state.tenants.push(seedTenant(seed, graphTimestamp(now), now.getTime()));
  const app = seedAppOf(seed);
  return { id, domain: body.domain, clientId: app.clientId, clientSecret: app.clientSecret };
}

/** How many sandbox tenants may still be made. */
export function tenantsLeft(store: SandboxStore): number {
  return MAX_CREATED_TENANTS - store.state.tenants.length;
}
