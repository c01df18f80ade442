import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { findTenant, graphTimestamp, newObjectId } from './directory';
import { json, parseJsonBody, type SandboxRequest, type SandboxResponse } from './http';
import type { SandboxStore } from './store';
import { addCustomerTenant, tenantsLeft, type MadeTenant } from './tenantsApi';

/**
 * `POST /_sandbox/tenants/{partner}/gdapCustomers`: `count` customer tenants at once, each a real
 * sandbox tenant shaped like Contoso (POST /_sandbox/tenants) in an active GDAP relationship with
 * the partner (POST /_sandbox/tenants/{partner}/delegatedAdminRelationships), the state saved once.
 * For tests and benchmarks at MSP scale (500 customers from GDAP): one call instead of a thousand,
 * and no rewrite of a growing state file per tenant. Answers each tenant with its app's client id
 * and sandbox secret, as the customer's admin would hand them over. Nothing is made unless all can be.
 */
const MAX_PER_CALL = 1_000;

const gdapCustomersSchema = z
  .object({
    count: z.number().int().min(1).max(MAX_PER_CALL),
    /** Customers are named "<namePrefix> 0001"…, with domains <domainPrefix>0001.example…; `first` is the first number. */
    namePrefix: z.string().min(1).max(200).default('GDAP customer'),
    domainPrefix: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,40}$/, 'lowercase letters, digits and hyphens, starting with a letter')
      .default('gdap-customer'),
    first: z.number().int().min(0).default(1),
    roleDefinitionIds: z.array(z.uuid()).min(1),
    accessAssignments: z
      .array(z.object({ groupId: z.uuid(), roleDefinitionIds: z.array(z.uuid()).min(1) }).strict())
      .default([]),
  })
  .strict();

export function createGdapCustomers(store: SandboxStore, req: SandboxRequest, partnerId: string): SandboxResponse {
  let raw: unknown;
  try {
    raw = parseJsonBody(req.rawBody) ?? {};
  } catch {
    return json(400, { error: 'request body is not valid JSON' });
  }
  const parsed = gdapCustomersSchema.safeParse(raw);
  if (!parsed.success)
    return json(400, {
      error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    });
  const body = parsed.data;
  const partner = findTenant(store.state, partnerId);
  if (partner === undefined) return json(404, { error: `no tenant '${partnerId}'` });
  if (body.count > tenantsLeft(store))
    return json(400, { error: `at most ${tenantsLeft(store)} more sandbox tenants can be made` });
  const width = Math.max(4, String(body.first + body.count - 1).length);
  const planned = Array.from({ length: body.count }, (_, i) => {
    const number = String(body.first + i).padStart(width, '0');
    return {
      id: randomUUID(),
      displayName: `${body.namePrefix} ${number}`,
      domain: `${body.domainPrefix}${number}.example`,
    };
  });
  const taken = planned.find((p) => findTenant(store.state, p.domain) !== undefined);
  if (taken !== undefined) return json(409, { error: `a tenant with domain '${taken.domain}' already exists` });

  const now = graphTimestamp(new Date());
  const ends = graphTimestamp(new Date(Date.now() + 730 * 86_400_000));
  const made: (MadeTenant & { displayName: string; relationshipId: string })[] = [];
  for (const p of planned) {
    const tenant = addCustomerTenant(store, p);
    if ('error' in tenant) throw new Error(`checked beforehand, yet: ${tenant.error}`);
    const relationshipId = `${newObjectId()}-${tenant.id}`;
    partner.delegatedAdminRelationships.push({
      id: relationshipId,
      displayName: `${p.displayName} support`.slice(0, 50),
      customer: { tenantId: tenant.id, displayName: p.displayName },
      status: 'active',
      roleDefinitionIds: body.roleDefinitionIds,
      duration: 'P730D',
      autoExtendDuration: 'PT0S',
      createdDateTime: now,
      activatedDateTime: now,
      endDateTime: ends,
      accessAssignments: body.accessAssignments.map((a) => ({
        id: newObjectId(),
        groupId: a.groupId,
        roleDefinitionIds: a.roleDefinitionIds,
        status: 'active' as const,
        createdDateTime: now,
      })),
    });
    made.push({ ...tenant, displayName: p.displayName, relationshipId });
  }
  store.save();
  return json(201, {
    value: made.map((m) => ({
      tenantId: m.id,
      displayName: m.displayName,
      domain: m.domain,
      clientId: m.clientId,
      clientSecret: m.clientSecret,
      relationshipId: m.relationshipId,
    })),
  });
}
