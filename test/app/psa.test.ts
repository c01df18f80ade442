import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AppDeps } from '../../src/app/deps';
import { createIntegration, createIntegrationBodySchema } from '../../src/app/integrations';
import { autotaskPayloadSchema, autotaskTicketFacts, readAutotask } from '../../src/app/ticketing/autotask';
import {
  callbackKeyOriginSchema,
  callbackOriginProblem,
  connectwisePayloadSchema,
  connectwiseTicketFacts,
  trustedKeyUrl,
} from '../../src/app/ticketing/connectwise';
import { haloPayloadSchema, haloShapeProblem, haloTicketFacts } from '../../src/app/ticketing/halopsa';
import { decideTicket, ticketDeliveryId } from '../../src/app/ticketing/mapping';
import type { TicketFacts } from '../../src/app/ticketing/psaTicket';
import { isPrivateHost } from '../../src/domain/networkAddress';
import { psaMappingSchema, type PsaMapping } from '../../src/domain/psaMapping';
import { ValidationError } from '../../src/domain/errors';
import {
  autotaskEscapedForm,
  connectWiseSignatureShape,
  signAutotaskPayload,
  verifyAutotaskSignature,
  verifyBasicAuth,
  verifyConnectWiseSignature,
} from '../../src/domain/webhookSignature';

/** The native ticketing adapters: payload reading, the mapping to an access request, and each vendor's authentication. */

const CONTOSO = '11111111-1111-4111-8111-111111111111';
const FABRIKAM = '22222222-2222-4222-8222-222222222222';

const mapping: PsaMapping = psaMappingSchema.parse({
  tenants: { '250': CONTOSO, Fabrikam: FABRIKAM },
  technicians: { '29682885': 'Alice@MSP.example', jsmith: 'dave@msp.example' },
  accessRequestedStatuses: ['21', 'JIT Access Requested'],
  target: { field: 'JIT Target' },
  durationField: 'JIT Duration',
});

function facts(
  overrides: Partial<TicketFacts> = {},
  fields: Record<string, string> = { 'jit target': 'helpdesk-admin' },
): TicketFacts {
  return {
    ticketId: '351181',
    ticketReference: 'T20250915.0001',
    summary: 'Reset MFA for a user',
    status: ['21'],
    company: ['250'],
    technician: ['29682885'],
    field: (name) => fields[name.toLowerCase()] ?? null,
    ...overrides,
  };
}

describe('the mapping (psaMappingSchema)', () => {
  it('is strict and names what is wrong', () => {
    const bad = psaMappingSchema.safeParse({
      tenants: {},
      technicians: { '1': 'not-a-upn' },
      accessRequestedStatuses: [],
      target: { fixed: 'x', field: 'y' },
      extra: 1,
    });
    expect(bad.success).toBe(false);
    const fields = bad.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(fields).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^tenants: map at least one company/),
        expect.stringMatching(/^technicians\.1: a user principal name/),
        expect.stringMatching(/^accessRequestedStatuses: name at least one status/),
        expect.stringMatching(/^target: give exactly one of fixed/),
        expect.stringMatching(/^: Unrecognized key/),
      ]),
    );
    expect(psaMappingSchema.safeParse({ ...mapping, tenants: { '250': 'contoso' } }).error?.issues[0]?.message).toMatch(
      /tenant id/,
    );
  });

  it('kind picks the body: generic by default, each PSA with its own required settings', () => {
    expect(createIntegrationBodySchema.parse({ name: 'PSA' })).toEqual({ name: 'PSA', kind: 'generic' });
    expect(createIntegrationBodySchema.safeParse({ name: 'PSA', kind: 'servicenow' }).error?.issues[0]?.message).toBe(
      'kind must be generic, connectwise, autotask or halopsa',
    );
    expect(createIntegrationBodySchema.parse({ name: 'Halo', kind: 'halopsa', mapping })).toMatchObject({
      basicUsername: 'entra-jit',
    });
    const cw = createIntegrationBodySchema.safeParse({
      name: 'CW',
      kind: 'connectwise',
      mapping,
      callbackKeyOrigin: 'http://na.myconnectwise.net',
    });
    expect(cw.error?.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['companyId', 'callbackKeyOrigin']),
    );
    expect(
      createIntegrationBodySchema.safeParse({ name: 'AT', kind: 'autotask', mapping, secret: 'mine' }).success,
    ).toBe(false);
  });

  it('keeps the ConnectWise site to an https origin (http only on loopback)', () => {
    expect(callbackKeyOriginSchema.parse('https://na.myconnectwise.net/')).toBe('https://na.myconnectwise.net');
    expect(callbackKeyOriginSchema.parse('http://127.0.0.1:8123')).toBe('http://127.0.0.1:8123');
    for (const bad of [
      'http://na.myconnectwise.net',
      'https://na.myconnectwise.net/v4_6_release',
      'https://u:p@na.myconnectwise.net',
      'not a url',
    ]) {
      expect(callbackKeyOriginSchema.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe('decideTicket', () => {
  it('turns a ticket in an access-requested status into the request, ticket and technician included', () => {
    const decision = decideTicket(
      'autotask',
      'Autotask',
      mapping,
      facts({}, { 'jit target': 'helpdesk-admin', 'jit duration': 'PT2H' }),
    );
    expect(decision).toEqual({
      ask: {
        deliveryId: ticketDeliveryId('autotask', '351181', CONTOSO, 'helpdesk-admin', 'alice@msp.example'),
        ticket: 'T20250915.0001',
        technicianUserPrincipalName: 'alice@msp.example',
        tenantId: CONTOSO,
        targetId: 'helpdesk-admin',
        duration: 'PT2H',
        justification: 'Autotask ticket T20250915.0001: Reset MFA for a user',
        sources: { targetId: "the ticket's field 'JIT Target'", duration: "the ticket's field 'JIT Duration'" },
      },
    });
  });

  it('matches ids and names case-insensitively, and a fixed target needs no field', () => {
    const decision = decideTicket(
      'connectwise',
      'ConnectWise',
      { ...mapping, target: { fixed: 'user-admin' } },
      facts({ status: ['7', 'jit access requested'], company: ['19', 'FABRIKAM'], technician: ['JSmith', '144'] }, {}),
    );
    expect(decision).toMatchObject({
      ask: { tenantId: FABRIKAM, technicianUserPrincipalName: 'dave@msp.example', targetId: 'user-admin' },
    });
    expect('ask' in decision ? decision.ask : {}).not.toHaveProperty('duration');
  });

  it('ignores, with the reason, tickets that do not ask or cannot be mapped', () => {
    expect(decideTicket('halopsa', 'HaloPSA', mapping, facts({ status: ['3'] }))).toEqual({
      ignored: "ticket T20250915.0001: its status '3' is not one that asks for access",
    });
    expect(decideTicket('halopsa', 'HaloPSA', mapping, facts({ company: ['999'] }))).toEqual({
      ignored: "ticket T20250915.0001: company '999' is not mapped to a tenant",
    });
    expect(decideTicket('halopsa', 'HaloPSA', mapping, facts({ technician: [] }))).toEqual({
      ignored: 'ticket T20250915.0001: technician (none) is not mapped to a home-tenant user',
    });
    expect(decideTicket('halopsa', 'HaloPSA', mapping, facts({}, {}))).toEqual({
      ignored: "ticket T20250915.0001: its field 'JIT Target' (the target) is empty",
    });
  });

  it('gives a ticket one delivery identity per technician, tenant and target, whatever the event', () => {
    const a = ticketDeliveryId('autotask', '351181', CONTOSO, 'helpdesk-admin', 'alice@msp.example');
    expect(ticketDeliveryId('autotask', '351181', CONTOSO, 'helpdesk-admin', 'ALICE@msp.example')).toBe(a);
    expect(ticketDeliveryId('autotask', '351181', CONTOSO, 'user-admin', 'alice@msp.example')).not.toBe(a);
    expect(ticketDeliveryId('autotask', '351181', CONTOSO, 'helpdesk-admin', 'dave@msp.example')).not.toBe(a);
    expect(ticketDeliveryId('halopsa', '351181', CONTOSO, 'helpdesk-admin', 'alice@msp.example')).not.toBe(a);
    expect(a.length).toBeLessThanOrEqual(200);
  });
});

describe('Autotask', () => {
  const payload = {
    Action: 'Update',
    Guid: 'd0046a73-76a0-41c4-a634-4b7fce7e43ec',
    EntityType: 'Ticket',
    Id: 351181,
    Fields: {
      Status: '21',
      CompanyID: 250,
      AssignedResourceID: '29682885',
      TicketNumber: 'T20250915.0001',
      Title: 'Reset MFA',
      'JIT Target': 'helpdesk-admin',
    },
    EventTime: '2025-09-15T15:10:00Z',
    SequenceNumber: 2,
    PersonID: 30691780,
  };

  it('reads the ticket from Fields, whatever the casing of the names', () => {
    const read = autotaskTicketFacts(autotaskPayloadSchema.parse(payload));
    expect('facts' in read).toBe(true);
    if (!('facts' in read)) return;
    expect(read.facts).toMatchObject({
      ticketId: '351181',
      ticketReference: 'T20250915.0001',
      summary: 'Reset MFA',
      status: ['21'],
      company: ['250'],
      technician: ['29682885'],
    });
    expect(read.facts.field('jit target')).toBe('helpdesk-admin');
    const lower = autotaskTicketFacts(
      autotaskPayloadSchema.parse({
        ...payload,
        Fields: {
          status: 21,
          companyID: '250',
          assignedResourceID: 1,
          userDefinedFields: [{ name: 'JIT Target', value: 'user-admin' }],
        },
      }),
    );
    expect(
      'facts' in lower && [lower.facts.status, lower.facts.ticketReference, lower.facts.field('JIT Target')],
    ).toEqual([['21'], '351181', 'user-admin']);
  });

  it('ignores deletions, deactivation notices and other entities; refuses what is not a callout', () => {
    expect(autotaskTicketFacts(autotaskPayloadSchema.parse({ ...payload, Action: 'Delete' }))).toEqual({
      ignored: "ticket 351181: a 'Delete' event does not ask for access",
    });
    expect(autotaskTicketFacts(autotaskPayloadSchema.parse({ ...payload, Action: 'Deactivated' }))).toMatchObject({
      ignored: expect.stringMatching(/Deactivated/) as unknown,
    });
    expect(autotaskTicketFacts(autotaskPayloadSchema.parse({ ...payload, EntityType: 'Company' }))).toEqual({
      ignored: "an Autotask Company event, not a ticket's",
    });
    expect(readAutotask({ Action: 'Deactivated', Guid: payload.Guid })).toEqual({
      ignored: 'an Autotask deactivation notice: the webhook was turned off in Autotask',
    });
    expect(() => readAutotask({ Action: 'Update', EntityType: 'Ticket', Id: 'T1' })).toThrow(ValidationError);
    expect(
      autotaskPayloadSchema.safeParse({ Action: 'Update', EntityType: 'Ticket', Id: 'T1' }).error?.issues[0]?.path,
    ).toEqual(['Id']);
  });

  it("verifies X-Hook-Signature: sha1=<base64 HMAC-SHA1(secret key, body)>, as sent or in Autotask's escaped form", () => {
    const body = JSON.stringify({ ...payload, Fields: { ...payload.Fields, Title: 'R&D <laptop> + Café' } });
    const signature = `sha1=${createHmac('sha1', 'the-secret-key').update(body).digest('base64')}`;
    expect(signAutotaskPayload('the-secret-key', body)).toBe(signature);
    expect(verifyAutotaskSignature({ secretKey: 'the-secret-key', signature, rawBody: body })).toEqual({ valid: true });
    const escaped = autotaskEscapedForm(body);
    expect(escaped).toContain('R\\u0026D \\u003Claptop\\u003E \\u002B Caf\\u00E9');
    expect(JSON.parse(escaped)).toEqual(JSON.parse(body));
    expect(
      verifyAutotaskSignature({
        secretKey: 'the-secret-key',
        signature: signAutotaskPayload('the-secret-key', escaped),
        rawBody: body,
      }),
    ).toEqual({ valid: true });
    expect(verifyAutotaskSignature({ secretKey: 'another-key', signature, rawBody: body })).toMatchObject({
      valid: false,
      reason: 'X-Hook-Signature does not match the body',
    });
    expect(verifyAutotaskSignature({ secretKey: 'the-secret-key', signature, rawBody: `${body} ` }).valid).toBe(false);
    for (const bad of [null, '', 'sha256=abc', signature.slice(5)])
      expect(verifyAutotaskSignature({ secretKey: 'the-secret-key', signature: bad, rawBody: body }).valid).toBe(false);
  });
});

describe('HaloPSA', () => {
  const payload = {
    id: '8e25bc7b-e07e-4102-9398-5d6647e1e79d',
    webhook_id: '53232637-7724-4a19-b126-3c7267a292aa',
    event: 'ticket status changed',
    object_id: 4242,
    timestamp: '2026-09-25T06:41:08.7895915Z',
    ticket: {
      id: 4242,
      summary: 'Unlock a user',
      status_id: 21,
      client_id: 12,
      agent_id: 3,
      customfields: [{ id: 150, name: 'CFJitTarget', label: 'JIT Target', value: 'helpdesk-admin' }],
    },
  };

  it('reads the ticket and its custom fields by name or label', () => {
    const { facts: read } = haloTicketFacts(haloPayloadSchema.parse(payload));
    expect(read).toMatchObject({
      ticketId: '4242',
      ticketReference: '4242',
      summary: 'Unlock a user',
      status: ['21'],
      company: ['12'],
      technician: ['3'],
    });
    expect([read.field('CFJitTarget'), read.field('jit target'), read.field('JIT Duration')]).toEqual([
      'helpdesk-admin',
      'helpdesk-admin',
      null,
    ]);
  });

  it('says which webhook setting to change for batched and event-only payloads', () => {
    expect(haloShapeProblem([payload])).toMatch(/Batching off/);
    expect(haloShapeProblem(payload)).toBeNull();
    const eventOnly = haloPayloadSchema.safeParse({ id: payload.id, event: payload.event, object_id: 4242 });
    expect(eventOnly.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['ticket', 'the payload has no ticket: set the webhook\'s Payload to "Full object with linked objects"'],
    ]);
  });

  it('checks the Basic credentials whole, in constant time', () => {
    const basic = (v: string): string => `Basic ${Buffer.from(v).toString('base64')}`;
    expect(
      verifyBasicAuth({ username: 'entra-jit', password: 'pa:ss', authorization: basic('entra-jit:pa:ss') }),
    ).toEqual({ valid: true });
    for (const bad of [
      basic('entra-jit:other'),
      basic('someone:pa:ss'),
      basic('entra-jit'),
      basic('entra-jit:'),
      'Bearer x',
      '',
      null,
    ]) {
      expect(verifyBasicAuth({ username: 'entra-jit', password: 'pa:ss', authorization: bad }).valid, String(bad)).toBe(
        false,
      );
    }
  });
});

describe('ConnectWise PSA', () => {
  const ticket = {
    id: 1234,
    summary: 'Add a mailbox',
    status: { id: 44, name: 'JIT Access Requested' },
    company: { id: 250, identifier: 'Contoso' },
    owner: { id: 144, identifier: 'jsmith' },
    customFields: [{ id: 7, caption: 'JIT Target', value: 'helpdesk-admin' }],
    _info: { lastUpdated: '2026-01-02T03:04:05Z' },
  };
  const payload = {
    MessageId: 'b7c1',
    CompanyId: 'mspco',
    Action: 'updated',
    Type: 'ticket',
    ID: 1234,
    Entity: JSON.stringify(ticket),
    Metadata: { key_url: 'https://na.myconnectwise.net/v4_6_release/api/system/callbackkey/index.rails?id=9' },
  };

  it('reads the ticket from Entity (JSON text or an object)', () => {
    for (const entity of [JSON.stringify(ticket), ticket]) {
      const read = connectwiseTicketFacts(connectwisePayloadSchema.parse({ ...payload, Entity: entity }));
      expect('facts' in read && read.facts).toMatchObject({
        ticketId: '1234',
        summary: 'Add a mailbox',
        status: ['44', 'JIT Access Requested'],
        company: ['250', 'Contoso'],
        technician: ['jsmith', '144'],
      });
      expect('facts' in read && read.facts.field('jit target')).toBe('helpdesk-admin');
    }
  });

  it('ignores deletions and other record types; refuses an Entity that is not the ticket', () => {
    expect(connectwiseTicketFacts(connectwisePayloadSchema.parse({ ...payload, Action: 'deleted' }))).toEqual({
      ignored: "ticket 1234: an 'deleted' callback does not ask for access",
    });
    expect(connectwiseTicketFacts(connectwisePayloadSchema.parse({ ...payload, Type: 'company' }))).toEqual({
      ignored: "a ConnectWise company callback, not a ticket's",
    });
    const problems = (entity: unknown): unknown => {
      try {
        connectwiseTicketFacts(connectwisePayloadSchema.parse({ ...payload, Entity: entity }));
        return null;
      } catch (error) {
        return error instanceof ValidationError ? error.problems.map((p) => p.field) : error;
      }
    };
    expect(problems('{not json')).toEqual(['Entity']);
    expect(problems(null)).toEqual(['Entity']);
    expect(problems(JSON.stringify({ ...ticket, id: 'x' }))).toEqual(['Entity.id']);
    expect(problems(JSON.stringify({ ...ticket, id: 999 }))).toEqual(['Entity.id']);
  });

  it('follows key_url only to the configured site, and only to a callback key', () => {
    const origin = 'https://na.myconnectwise.net';
    expect(trustedKeyUrl(payload.Metadata.key_url, origin)).toMatchObject({ url: expect.any(URL) as unknown });
    expect(
      trustedKeyUrl('https://eu.myconnectwise.net/v4_6_release/api/system/callbackkey/index.rails?id=9', origin),
    ).toEqual({ refused: 'Metadata.key_url is not on the configured ConnectWise site' });
    expect(trustedKeyUrl('https://na.myconnectwise.net.evil.test/callbackkey', origin)).toMatchObject({
      refused: expect.any(String) as unknown,
    });
    expect(trustedKeyUrl('https://na.myconnectwise.net/v4_6_release/attachments/key.json', origin)).toEqual({
      refused: 'Metadata.key_url is not a callback key address',
    });
    expect(trustedKeyUrl('https://u:p@na.myconnectwise.net/callbackkey', origin)).toEqual({
      refused: 'Metadata.key_url carries credentials or a fragment',
    });
    expect(trustedKeyUrl('nonsense', origin)).toEqual({ refused: 'Metadata.key_url is not a URL' });
  });

  it('verifies X-Content-Signature: base64 HMAC-SHA256 keyed with SHA-256 of the signing key', () => {
    const body = JSON.stringify(payload);
    const signature = createHmac('sha256', createHash('sha256').update('cw-signing-key').digest())
      .update(body)
      .digest('base64');
    expect(verifyConnectWiseSignature({ signingKey: 'cw-signing-key', signature, rawBody: body })).toEqual({
      valid: true,
    });
    expect(verifyConnectWiseSignature({ signingKey: 'another-key', signature, rawBody: body }).valid).toBe(false);
    expect(
      verifyConnectWiseSignature({ signingKey: 'cw-signing-key', signature, rawBody: body.replace('1234', '1235') })
        .valid,
    ).toBe(false);
    // The plain HMAC keyed with the key itself (not its digest) is not ConnectWise's signature.
    expect(
      verifyConnectWiseSignature({
        signingKey: 'cw-signing-key',
        signature: createHmac('sha256', 'cw-signing-key').update(body).digest('base64'),
        rawBody: body,
      }).valid,
    ).toBe(false);
    expect(connectWiseSignatureShape('abc').valid).toBe(false);
    expect(connectWiseSignatureShape(null).valid).toBe(false);
  });
});

describe('the ConnectWise site (callbackKeyOrigin) outside local development', () => {
  const privateOrigins = [
    'http://127.0.0.1:8123',
    'https://127.0.0.1',
    'https://localhost:8443',
    'https://api.localhost',
    'https://10.1.2.3',
    'https://172.20.0.5',
    'https://192.168.1.10',
    'https://169.254.169.254',
    'https://100.64.0.1',
    'https://0.0.0.0',
    'https://[::1]',
    'https://[fd00::1]',
    'https://[fe80::1]',
    'https://[::ffff:127.0.0.1]',
    'https://[::ffff:10.0.0.1]',
    'https://2130706433',
  ];

  it('refuses loopback and private addresses, and allows them in local development (the local stack)', () => {
    for (const text of privateOrigins) {
      const origin = callbackKeyOriginSchema.parse(text);
      expect(callbackOriginProblem(origin, { localDevelopment: false }), text).toMatch(/loopback or private|https/);
      expect(callbackOriginProblem(origin, { localDevelopment: true }), text).toBeNull();
    }
    for (const text of [
      'https://na.myconnectwise.net',
      'https://api-eu.myconnectwise.net',
      'https://8.8.8.8',
      'https://[2001:4860:4860::8888]',
      'https://172.32.0.1',
    ]) {
      expect(callbackOriginProblem(callbackKeyOriginSchema.parse(text), { localDevelopment: false }), text).toBeNull();
    }
    expect(isPrivateHost('psa.example.com')).toBe(false);
  });

  it('createIntegration refuses such a site with a 400 naming callbackKeyOrigin, before anything is stored', async () => {
    // Any use of a dependency fails the test: nothing may be read or written for a refused body.
    const untouchable = new Proxy({} as AppDeps, {
      get: (_target, property) => {
        throw new Error(`dependency ${String(property)} used`);
      },
    });
    const admin = {
      objectId: '1a000000-0000-4000-8000-0000000ca201',
      tenantId: CONTOSO,
      userPrincipalName: 'carol@msp.example',
      displayName: undefined,
      groups: [],
      roles: ['Jit.Admin'],
    };
    const body = createIntegrationBodySchema.parse({
      name: 'CW',
      kind: 'connectwise',
      companyId: 'mspco',
      callbackKeyOrigin: 'https://10.0.0.5',
      mapping,
    });
    const refused = await createIntegration(untouchable, admin, body, { localDevelopment: false }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).problems).toEqual([
      { field: 'callbackKeyOrigin', message: expect.stringMatching(/loopback or private/) as unknown },
    ]);
  });
});
