import { describe, expect, it } from 'vitest';
import { integrationView } from '../../../src/app/integrations';
import type { CallbackKeySource } from '../../../src/app/ports/callbackKeySource';
import { connectorOf, createIntegrationBodySchema } from '../../../src/app/ticketing';
import type { DeliveryContext, IncomingDelivery } from '../../../src/app/ticketing/connector';
import { ValidationError } from '../../../src/domain/errors';
import {
  integrationSchema,
  integrationViewSchema,
  type IntegrationKind,
  type IntegrationOf,
} from '../../../src/domain/integration';
import {
  AUTOTASK_SIGNATURE_HEADER,
  CONNECTWISE_SIGNATURE_HEADER,
  SIGNATURE_HEADER,
  signAutotaskPayload,
  signConnectWisePayload,
  signPayload,
  TIMESTAMP_HEADER,
} from '../../../src/domain/webhookSignature';

/**
 * Each ticketing connector over plain inputs (no stack): its creation body, how it authenticates a
 * delivery, what it reads from one, and what it shows. The end-to-end tests (test/e2e/webhooks*.ts)
 * drive the same connectors through the local host.
 */

const CONTOSO = '11111111-1111-4111-8111-111111111111';
const INTEGRATION_ID = '5c1e0000-0000-4000-8000-00000000c0de';
const NOW = new Date('2026-12-03T09:00:00Z');
const SECRET = 'current-secret-0123456789abcdef';
const OLD_SECRET = 'replaced-secret-0123456789abcdef';
const SITE = 'https://na.myconnectwise.net';
const KEY_URL = `${SITE}/v4_6_release/api/system/callbackkey/index.rails?id=9`;

const mapping = {
  tenants: { '250': CONTOSO },
  technicians: { '29682885': 'alice@msp.example', jsmith: 'alice@msp.example', '3': 'alice@msp.example' },
  accessRequestedStatuses: ['21', 'JIT Access Requested'],
  target: { field: 'JIT Target' },
};

const common = {
  integrationId: INTEGRATION_ID,
  name: 'PSA',
  enabled: true,
  createdAt: '2026-12-01T08:00:00.000Z',
  createdBy: 'carol@msp.example',
  secretName: 'integration-5c1e',
};
/** A row as the table store reads it, of the kind asked for. */
function stored<K extends IntegrationKind>(kind: K, settings: Record<string, unknown> = {}): IntegrationOf<K> {
  const integration = integrationSchema.parse({ ...common, kind, ...settings });
  if (integration.kind !== kind) throw new Error(`parsed as ${integration.kind}`);
  return integration as IntegrationOf<K>;
}

const integrations = {
  generic: stored('generic'),
  autotask: stored('autotask', { mapping }),
  halopsa: stored('halopsa', { basicUsername: 'entra-jit', mapping }),
  connectwise: stored('connectwise', { companyId: 'mspco', callbackKeyOrigin: SITE, mapping }),
};

/** A ConnectWise key server in memory that records what it was asked. */
function keyServer(key: string | null): CallbackKeySource & { readonly asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    getSigningKey: (url) => {
      asked.push(url.toString());
      return Promise.resolve(key);
    },
    markVerified: () => undefined,
  };
}

function delivery(rawBody: string, headers: Record<string, string> = {}, query: Record<string, string> = {}) {
  const byName = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    rawBody,
    header: (name: string) => byName.get(name.toLowerCase()) ?? null,
    query: (name: string) => query[name] ?? null,
  } satisfies IncomingDelivery;
}

function context(overrides: Partial<DeliveryContext> = {}): DeliveryContext {
  return { secrets: [SECRET], now: NOW, callbackKeys: keyServer(null), localDevelopment: false, ...overrides };
}

const genericEvent = JSON.stringify({
  deliveryId: 'd-1',
  type: 'access.requested',
  ticket: 'T-1',
  technician: { userPrincipalName: 'alice@msp.example' },
  tenantId: CONTOSO,
  targetId: 'helpdesk-admin',
});

function genericDelivery(secret: string, body = genericEvent, at = NOW) {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  return delivery(body, { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signPayload(secret, timestamp, body) });
}

const autotaskCallout = JSON.stringify({
  Action: 'Update',
  EntityType: 'Ticket',
  Id: 351181,
  Fields: {
    Status: '21',
    CompanyID: 250,
    AssignedResourceID: '29682885',
    TicketNumber: 'T20250915.0001',
    'JIT Target': 'helpdesk-admin',
  },
});

const haloDelivery = JSON.stringify({
  event: 'ticket status changed',
  ticket: {
    id: 4242,
    status_id: 21,
    client_id: 250,
    agent_id: 3,
    customfields: [{ name: 'CFJitTarget', label: 'JIT Target', value: 'helpdesk-admin' }],
  },
});

const connectwiseCallback = JSON.stringify({
  CompanyId: 'mspco',
  Action: 'updated',
  Type: 'ticket',
  ID: 1234,
  Entity: JSON.stringify({
    id: 1234,
    status: { id: 44, name: 'JIT Access Requested' },
    company: { id: 250 },
    owner: { identifier: 'jsmith' },
    customFields: [{ caption: 'JIT Target', value: 'helpdesk-admin' }],
  }),
  Metadata: { key_url: KEY_URL },
});

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

describe('the registry', () => {
  it('has a connector for every kind, and one creation body per kind told apart by kind', () => {
    for (const kind of ['generic', 'connectwise', 'autotask', 'halopsa'] as const) {
      expect(connectorOf(kind).kind).toBe(kind);
      expect(connectorOf(kind).createBodySchema.shape.kind).toBeDefined();
    }
    expect(createIntegrationBodySchema.safeParse({ name: 'x', kind: 'servicenow' }).error?.issues[0]?.message).toBe(
      'kind must be generic, connectwise, autotask or halopsa',
    );
    expect(() => connectorOf('servicenow' as IntegrationKind)).toThrow(/no ticketing connector/);
  });
});

describe('integrations as stored (integrationSchema, the one definition of an integration)', () => {
  it('reads rows written before: a ConnectWise row from before the callback URL secret has no secretName', () => {
    const { secretName: _none, ...older } = integrations.connectwise;
    expect(integrationSchema.parse(older)).toEqual(older);
  });

  it('refuses a row of an unknown kind, a PSA row without its mapping, and fields no kind has', () => {
    expect(integrationSchema.safeParse({ ...common, kind: 'servicenow' }).success).toBe(false);
    expect(integrationSchema.safeParse({ ...common, kind: 'autotask' }).success).toBe(false);
    expect(integrationSchema.safeParse({ ...common, kind: 'generic', mapping }).success).toBe(false);
  });
});

describe('what each connector shows (integrationView)', () => {
  it('shows the common fields and the kind’s settings, never the secret’s name', () => {
    const rotated = { ...integrations.halopsa, previousSecret: { secretName: 'old', validUntil: NOW.toISOString() } };
    const views = [...Object.values(integrations), rotated].map(integrationView);
    for (const view of views) {
      expect(view.webhookPath).toBe(`/api/webhooks/${INTEGRATION_ID}`);
      expect(JSON.stringify(view)).not.toMatch(/integration-5c1e|"old"|secretName|previousSecret"/);
    }
    expect(integrationView(integrations.generic)).not.toHaveProperty('mapping');
    expect(integrationView(integrations.halopsa)).toMatchObject({ basicUsername: 'entra-jit', mapping });
    expect(integrationView(rotated)).toMatchObject({ previousSecretValidUntil: NOW.toISOString() });
    expect(integrationView(integrations.connectwise)).toMatchObject({ companyId: 'mspco', callbackKeyOrigin: SITE });
  });

  it('shows the secret once in the kind’s own words', () => {
    expect(connectorOf('generic').shownSecret(integrations.generic, 's')).toEqual({ signingSecret: 's' });
    expect(connectorOf('autotask').shownSecret(integrations.autotask, 's')).toEqual({ signingSecret: 's' });
    expect(connectorOf('halopsa').shownSecret(integrations.halopsa, 's')).toEqual({
      basicAuth: { username: 'entra-jit', password: 's' },
    });
    expect(connectorOf('connectwise').shownSecret(integrations.connectwise, 's')).toEqual({
      callbackSecret: 's',
      callbackPath: `/api/webhooks/${INTEGRATION_ID}?secret=s`,
    });
  });
});

describe('generic: the signed event', () => {
  const generic = connectorOf('generic');

  it('authenticates with the current secret or the replaced one in its overlap, and nothing else', async () => {
    const overlap = context({ secrets: [SECRET, OLD_SECRET] });
    expect(await generic.authenticate(integrations.generic, genericDelivery(SECRET), overlap)).toHaveProperty('json');
    expect(await generic.authenticate(integrations.generic, genericDelivery(OLD_SECRET), overlap)).toHaveProperty(
      'json',
    );
    expect(await generic.authenticate(integrations.generic, genericDelivery(OLD_SECRET), context())).toEqual({
      refused: `${SIGNATURE_HEADER} does not match the body`,
    });
    const stale = genericDelivery(SECRET, genericEvent, new Date(NOW.getTime() - 6 * 60_000));
    expect(await generic.authenticate(integrations.generic, stale, context())).toMatchObject({
      refused: expect.stringMatching(/5 minutes/) as unknown,
    });
    expect(await generic.authenticate(integrations.generic, genericDelivery(SECRET), context({ secrets: [] }))).toEqual(
      { refused: 'the integration has no secret' },
    );
  });

  it('refuses a signed body that is not JSON (400), and reads the event with the body as its fingerprint', async () => {
    await expect(generic.authenticate(integrations.generic, genericDelivery(SECRET, '{'), context())).rejects.toThrow(
      ValidationError,
    );
    const reading = generic.read(integrations.generic, {
      json: JSON.parse(genericEvent) as unknown,
      rawBody: genericEvent,
    });
    expect(reading).toMatchObject({ event: { deliveryId: 'd-1', targetId: 'helpdesk-admin' } });
    const other = genericEvent.replace('T-1', 'T-2');
    const second = generic.read(integrations.generic, { json: JSON.parse(other) as unknown, rawBody: other });
    expect('fingerprint' in second && 'fingerprint' in reading && second.fingerprint !== reading.fingerprint).toBe(
      true,
    );
    expect(() => generic.read(integrations.generic, { json: { deliveryId: 'd-1' }, rawBody: '{}' })).toThrow(
      ValidationError,
    );
  });
});

describe('Autotask', () => {
  const autotask = connectorOf('autotask');

  it('authenticates X-Hook-Signature with the secret key, and refuses another key', async () => {
    const signed = delivery(autotaskCallout, {
      [AUTOTASK_SIGNATURE_HEADER]: signAutotaskPayload(SECRET, autotaskCallout),
    });
    expect(await autotask.authenticate(integrations.autotask, signed, context())).toEqual({
      json: JSON.parse(autotaskCallout) as unknown,
    });
    const forged = delivery(autotaskCallout, {
      [AUTOTASK_SIGNATURE_HEADER]: signAutotaskPayload('guess', autotaskCallout),
    });
    expect(await autotask.authenticate(integrations.autotask, forged, context())).toEqual({
      refused: `${AUTOTASK_SIGNATURE_HEADER} does not match the body`,
    });
  });

  it('maps the ticket to the access request, the ticket being the delivery identity', () => {
    const json = JSON.parse(autotaskCallout) as Record<string, unknown>;
    const first = autotask.read(integrations.autotask, { json, rawBody: autotaskCallout });
    const resaved = autotask.read(integrations.autotask, { json: { ...json, SequenceNumber: 3 }, rawBody: 'other' });
    expect(first).toMatchObject({
      event: {
        ticket: 'T20250915.0001',
        tenantId: CONTOSO,
        targetId: 'helpdesk-admin',
        technician: { userPrincipalName: 'alice@msp.example' },
        justification: 'Autotask ticket T20250915.0001',
      },
    });
    expect(resaved).toEqual(first);
    expect(
      autotask.read(integrations.autotask, { json: { ...json, Fields: { Status: '5' } }, rawBody: '' }),
    ).toMatchObject({ ignored: expect.stringMatching(/not one that asks for access/) as unknown });
  });
});

describe('HaloPSA', () => {
  const halo = connectorOf('halopsa');

  it('authenticates the Basic credentials whole: the username and the password', async () => {
    const valid = delivery(haloDelivery, { Authorization: basic('entra-jit', SECRET) });
    expect(await halo.authenticate(integrations.halopsa, valid, context())).toHaveProperty('json');
    for (const authorization of [basic('someone', SECRET), basic('entra-jit', 'guess'), `Bearer ${SECRET}`]) {
      expect(
        await halo.authenticate(
          integrations.halopsa,
          delivery(haloDelivery, { Authorization: authorization }),
          context(),
        ),
        authorization,
      ).toHaveProperty('refused');
    }
  });

  it('maps the ticket, the target from its custom field, and says which setting to change for a batch', () => {
    expect(
      halo.read(integrations.halopsa, { json: JSON.parse(haloDelivery) as unknown, rawBody: haloDelivery }),
    ).toMatchObject({
      event: { ticket: '4242', targetId: 'helpdesk-admin', justification: 'HaloPSA ticket 4242' },
    });
    expect(() => halo.read(integrations.halopsa, { json: [JSON.parse(haloDelivery) as unknown], rawBody: '' })).toThrow(
      /Batching/,
    );
  });
});

describe('ConnectWise PSA', () => {
  const connectwise = connectorOf('connectwise');
  const signingKey = 'the-key-connectwise-serves';
  const signed = { [CONNECTWISE_SIGNATURE_HEADER]: signConnectWisePayload(signingKey, connectwiseCallback) };

  it('authenticates the callback URL secret first: without it no key is fetched, whatever the body', async () => {
    for (const query of [{}, { secret: 'guess' }] as Record<string, string>[]) {
      const keys = keyServer(signingKey);
      const refused = await connectwise.authenticate(
        integrations.connectwise,
        delivery(connectwiseCallback, signed, query),
        context({ callbackKeys: keys }),
      );
      expect(refused).toEqual({
        refused: "the callback URL does not carry the integration's secret (?secret=)",
      });
      expect(keys.asked).toEqual([]);
    }
    const keys = keyServer(signingKey);
    expect(
      await connectwise.authenticate(
        integrations.connectwise,
        delivery(connectwiseCallback, signed, { secret: SECRET }),
        context({ callbackKeys: keys }),
      ),
    ).toEqual({ json: JSON.parse(connectwiseCallback) as unknown });
    expect(keys.asked).toEqual([KEY_URL]);
  });

  it('refuses another company, a key_url off the configured site, and a signature by another key', async () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      [connectwiseCallback.replace('"mspco"', '"otherco"'), signed, /not from the integration's ConnectWise company/],
      [connectwiseCallback.replace(SITE, 'https://evil.example'), signed, /not on the configured ConnectWise site/],
      [
        connectwiseCallback,
        { [CONNECTWISE_SIGNATURE_HEADER]: signConnectWisePayload('other', connectwiseCallback) },
        /does not match/,
      ],
    ];
    for (const [body, headers, reason] of cases) {
      const result = await connectwise.authenticate(
        integrations.connectwise,
        delivery(body, headers, { secret: SECRET }),
        context({ callbackKeys: keyServer(signingKey) }),
      );
      expect(result, body).toMatchObject({ refused: expect.stringMatching(reason) as unknown });
    }
  });

  it('refuses a site on a private address outside local development, on creation and on delivery', async () => {
    const settings = { ...integrations.connectwise, callbackKeyOrigin: 'https://10.0.0.5' };
    expect(connectwise.settingsProblems?.(settings, { localDevelopment: false })).toEqual([
      { field: 'callbackKeyOrigin', message: expect.stringMatching(/loopback or private/) as unknown },
    ]);
    expect(connectwise.settingsProblems?.(settings, { localDevelopment: true })).toEqual([]);
    const keys = keyServer(signingKey);
    const result = await connectwise.authenticate(
      settings,
      delivery(connectwiseCallback, signed, { secret: SECRET }),
      context({ callbackKeys: keys }),
    );
    expect(result).toMatchObject({ refused: expect.stringMatching(/callbackKeyOrigin/) as unknown });
    expect(keys.asked).toEqual([]);
  });

  it('maps the ticket from Entity, by status name and member identifier', () => {
    expect(
      connectwise.read(integrations.connectwise, {
        json: JSON.parse(connectwiseCallback) as unknown,
        rawBody: connectwiseCallback,
      }),
    ).toMatchObject({ event: { ticket: '1234', tenantId: CONTOSO, justification: 'ConnectWise ticket 1234' } });
  });
});

describe('the API view (integrationViewSchema, derived from the rows)', () => {
  it('is every kind’s row without the secrets’ names: a connector that showed one would fail', () => {
    for (const integration of Object.values(integrations)) {
      const view = integrationView(integration);
      expect(integrationViewSchema.parse(view)).toEqual(view);
      expect(integrationViewSchema.safeParse({ ...view, secretName: integration.secretName }).success).toBe(false);
    }
    expect(integrationViewSchema.safeParse({ ...integrationView(integrations.generic), mapping }).success).toBe(false);
  });
});
