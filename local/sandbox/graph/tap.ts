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
import { temporaryAccessPassPolicyCovers } from './policies';
import type { Route } from './route';

/**
 * /users/{id}/authentication/temporaryAccessPassMethods: the pass itself is only in the create
 * response (and only its hash is kept, to answer /_sandbox/signin). A user holds one pass: a second
 * create deletes the first and makes a new one
 * (learn.microsoft.com/en-us/graph/api/authentication-post-temporaryaccesspassmethods). Creation
 * follows the tenant's Temporary Access Pass policy
 * (learn.microsoft.com/en-us/graph/api/resources/temporaryaccesspassauthenticationmethodconfiguration):
 * the method enabled and the user in its scope, lifetimeInMinutes within the policy's minimum and
 * maximum (Graph's badRequest text, microsoft-graph-docs#12187, with the policy's range), and one-time
 * passes only when the policy restricts every pass to one-time use. The texts for a disabled or
 * out-of-scope method and for a reusable pass under a one-time policy are the sandbox's own
 * (unverified); the statuses follow the range refusal.
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
    methodUsabilityReason: tap.used
      ? 'OneTimeUsed'
      : usable
        ? 'EnabledByPolicy'
        : now.getTime() < start
          ? 'NotYetValid'
          : 'Expired',
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
  if (asRecord(ctx.body ?? {}) === undefined || !parsed.success)
    throw badRequest('Invalid request body for temporaryAccessPassMethod.', 'badRequest');
  const policy = ctx.tenant.temporaryAccessPassPolicy;
  if (!temporaryAccessPassPolicyCovers(ctx.tenant, user.id)) {
    throw badRequest(
      'Temporary Access Pass is not enabled for this user by the authentication methods policy.',
      'badRequest',
    );
  }
  const lifetimeInMinutes = parsed.data.lifetimeInMinutes ?? policy.defaultLifetimeInMinutes;
  if (lifetimeInMinutes < policy.minimumLifetimeInMinutes || lifetimeInMinutes > policy.maximumLifetimeInMinutes) {
    throw badRequest(
      `Invalid LifetimeInMinutes specified. The valid range between ${policy.minimumLifetimeInMinutes} and ${policy.maximumLifetimeInMinutes}.`,
      'badRequest',
    );
  }
  if (policy.isUsableOnce && parsed.data.isUsableOnce === false) {
    throw badRequest(
      'The Temporary Access Pass policy restricts every pass to one-time use: isUsableOnce must be true.',
      'badRequest',
    );
  }
  // One pass per user: a new one replaces whatever pass the user held.
  ctx.tenant.temporaryAccessPasses = ctx.tenant.temporaryAccessPasses.filter((t) => t.userId !== user.id);
  const pass = newPass();
  const tap: TemporaryAccessPass = {
    id: newObjectId(),
    userId: user.id,
    passHash: hashSecret(pass),
    createdDateTime: graphTimestamp(ctx.now),
    startDateTime: graphTimestamp(
      parsed.data.startDateTime === undefined ? ctx.now : new Date(parsed.data.startDateTime),
    ),
    lifetimeInMinutes,
    isUsableOnce: parsed.data.isUsableOnce ?? policy.isUsableOnce,
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
  return json(200, {
    '@odata.context': odataContext(`users('${user.id}')/authentication/temporaryAccessPassMethods`),
    value,
  });
}

function remove(ctx: GraphContext) {
  const user = getUser(ctx, ctx.params.id ?? '');
  refuseIfProtected(ctx, user.id);
  requirePermission(ctx, WRITE_AUTH_METHODS);
  const tap = ctx.tenant.temporaryAccessPasses.find(
    (t) => t.userId === user.id && t.id === (ctx.params.tapId ?? '').toLowerCase(),
  );
  if (tap === undefined) throw notFound(ctx.params.tapId ?? '');
  ctx.tenant.temporaryAccessPasses = ctx.tenant.temporaryAccessPasses.filter((t) => t !== tap);
  return noContent();
}

export const tapRoutes: readonly Route[] = [
  { method: 'POST', path: [...BASE], handler: create },
  { method: 'GET', path: [...BASE], handler: list },
  { method: 'DELETE', path: [...BASE, ':tapId'], handler: remove },
];
