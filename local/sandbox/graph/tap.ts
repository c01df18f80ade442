import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { graphTimestamp, hashSecret, newObjectId, type TemporaryAccessPass } from '../directory';
import { json, noContent } from '../http';
import {
  asRecord,
  badRequest,
  getUser,
  notFound,
  odataContext,
  READ_AUTH_METHODS,
  refuseIfProtected,
  requirePermission,
  WRITE_AUTH_METHODS,
  type GraphContext,
} from './context';
import type { Route } from './route';

/**
 * /users/{id}/authentication/temporaryAccessPassMethods: the pass itself is only in the create
 * response (and only its hash is kept, to answer /_sandbox/signin). A user holds one pass: while
 * it is usable a second create is refused, once expired a new one replaces it (TAP docs,
 * microsoft-graph-docs#10995). An out-of-range lifetime gets Graph's badRequest text
 * (microsoft-graph-docs#12187), with the sandbox's policy range of 10..43200 minutes.
 */
const BASE = ['users', ':id', 'authentication', 'temporaryAccessPassMethods'] as const;
const PASS_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789@#$%&*+=?';

function newPass(): string {
  let pass = '';
  for (let i = 0; i < 10; i += 1) pass += PASS_ALPHABET.charAt(randomInt(PASS_ALPHABET.length));
  return pass;
}

function view(tap: TemporaryAccessPass, now: Date): Record<string, unknown> {
  const start = Date.parse(tap.startDateTime);
  const usable = !tap.used && now.getTime() >= start && now.getTime() < start + tap.lifetimeInMinutes * 60_000;
  return {
    id: tap.id,
    temporaryAccessPass: null,
    createdDateTime: tap.createdDateTime,
    startDateTime: tap.startDateTime,
    lifetimeInMinutes: tap.lifetimeInMinutes,
    isUsableOnce: tap.isUsableOnce,
    isUsable: usable,
    methodUsabilityReason: tap.used ? 'OneTimeUsed' : usable ? 'EnabledByPolicy' : now.getTime() < start ? 'NotYetValid' : 'Expired',
  };
}

const createSchema = z.object({
  startDateTime: z.iso.datetime({ offset: true }).optional(),
  lifetimeInMinutes: z.number().int().optional(),
  isUsableOnce: z.boolean().optional(),
});

function create(ctx: GraphContext) {
  const user = getUser(ctx, ctx.params.id ?? '');
  refuseIfProtected(ctx, user.id);
  requirePermission(ctx, WRITE_AUTH_METHODS);
  const parsed = createSchema.safeParse(ctx.body ?? {});
  if (asRecord(ctx.body ?? {}) === undefined || !parsed.success) throw badRequest('Invalid request body for temporaryAccessPassMethod.', 'badRequest');
  const lifetimeInMinutes = parsed.data.lifetimeInMinutes ?? 60;
  if (lifetimeInMinutes < 10 || lifetimeInMinutes > 43200) {
    throw badRequest('Invalid LifetimeInMinutes specified. The valid range between 10 and 43200.', 'badRequest');
  }
  const current = ctx.tenant.temporaryAccessPasses.filter((t) => t.userId === user.id);
  if (current.some((t) => view(t, ctx.now).isUsable === true || Date.parse(t.startDateTime) > ctx.now.getTime())) {
    throw badRequest('A Temporary Access Pass already exists for this user. Delete it before creating a new one.', 'badRequest');
  }
  ctx.tenant.temporaryAccessPasses = ctx.tenant.temporaryAccessPasses.filter((t) => t.userId !== user.id);
  const pass = newPass();
  const tap: TemporaryAccessPass = {
    id: newObjectId(),
    userId: user.id,
    passHash: hashSecret(pass),
    createdDateTime: graphTimestamp(ctx.now),
    startDateTime: graphTimestamp(parsed.data.startDateTime === undefined ? ctx.now : new Date(parsed.data.startDateTime)),
    lifetimeInMinutes,
    isUsableOnce: parsed.data.isUsableOnce ?? false,
    used: false,
  };
  ctx.tenant.temporaryAccessPasses.push(tap);
  return json(201, {
    '@odata.context': odataContext(`users('${user.id}')/authentication/temporaryAccessPassMethods/$entity`),
    ...view(tap, ctx.now),
    temporaryAccessPass: pass,
  });
}

function list(ctx: GraphContext) {
  requirePermission(ctx, READ_AUTH_METHODS);
  const user = getUser(ctx, ctx.params.id ?? '');
  const value = ctx.tenant.temporaryAccessPasses.filter((t) => t.userId === user.id).map((t) => view(t, ctx.now));
  return json(200, { '@odata.context': odataContext(`users('${user.id}')/authentication/temporaryAccessPassMethods`), value });
}

function remove(ctx: GraphContext) {
  const user = getUser(ctx, ctx.params.id ?? '');
  refuseIfProtected(ctx, user.id);
  requirePermission(ctx, WRITE_AUTH_METHODS);
  const tap = ctx.tenant.temporaryAccessPasses.find((t) => t.userId === user.id && t.id === (ctx.params.tapId ?? '').toLowerCase());
  if (tap === undefined) throw notFound(ctx.params.tapId ?? '');
  ctx.tenant.temporaryAccessPasses = ctx.tenant.temporaryAccessPasses.filter((t) => t !== tap);
  return noContent();
}

export const tapRoutes: readonly Route[] = [
  { method: 'POST', path: [...BASE], handler: create },
  { method: 'GET', path: [...BASE], handler: list },
  { method: 'DELETE', path: [...BASE, ':tapId'], handler: remove },
];
