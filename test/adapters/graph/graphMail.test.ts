import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { APP_ROLES, HOME_GROUPS, HOME_TENANT, HOME_USERS, SERVICE_APP, seedAppOf } from '../../../local/sandbox/seed';
import type { Adapters } from '../../../src/adapters';
import type { Directory } from '../../../src/app/ports';
import type { Tenant } from '../../../src/domain/config';
import { DependencyError } from '../../../src/domain/errors';
import { sandboxCall, startTestSandbox } from '../sandboxSupport';
import { adaptersFor, contosoDirectory } from './graphFixtures';

/** Graph sendMail and approver groups' users, through the real Graph client against the sandbox. */
let sandbox: RunningSandbox;
let adapters: Adapters;
let home: Directory;
let contoso: Directory;
const MAILBOX = 'jit-mail@msp.example';

interface SentMail {
  readonly tenantId: string;
  readonly from: string;
  readonly to: string[];
  readonly subject: string;
  readonly contentType: string;
  readonly content: string;
}

async function sentMail(): Promise<SentMail[]> {
  const res = await fetch(`${sandbox.url}/_sandbox/mail`);
  return ((await res.json()) as { value: SentMail[] }).value;
}

async function refusal(promise: Promise<unknown>): Promise<DependencyError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DependencyError);
  return error as DependencyError;
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  adapters = adaptersFor(sandbox);
  const app = seedAppOf(HOME_TENANT);
  const secretName = await adapters.vault.putTenantSecret(HOME_TENANT.id, app.clientSecret);
  const now = new Date().toISOString();
  const tenant: Tenant = {
    tenantId: HOME_TENANT.id,
    displayName: 'MSP',
    jitDomain: 'msp.example',
    connection: { mode: 'clientSecret', clientId: app.clientId, secretName },
    protectedAccounts: [],
    createdAt: now,
    updatedAt: now,
  };
  home = await adapters.directories.forTenant(tenant);
  contoso = (await contosoDirectory(sandbox)).directory;
  await sandboxCall(sandbox, 'POST', `/_sandbox/tenants/${HOME_TENANT.id}/users`, {
    userPrincipalName: MAILBOX,
    groups: [],
  });
});

afterAll(async () => {
  await sandbox.close();
});

describe('Graph sendMail against the sandbox', () => {
  it('sends a plain-text message from a mailbox of the tenant; the sandbox keeps it as sent', async () => {
    await home.sendMail(MAILBOX, {
      to: [HOME_USERS.bob.userPrincipalName, HOME_USERS.dave.userPrincipalName],
      subject: 'Approval needed',
      text: 'Line one\n<b>not bold</b>',
    });
    expect((await sentMail()).at(-1)).toMatchObject({
      tenantId: HOME_TENANT.id,
      from: MAILBOX,
      to: [HOME_USERS.bob.userPrincipalName, HOME_USERS.dave.userPrincipalName],
      subject: 'Approval needed',
      contentType: 'text',
      content: 'Line one\n<b>not bold</b>',
    });
  });

  it('is refused without Mail.Send (403), naming the permission; nothing is sent', async () => {
    const before = (await sentMail()).length;
    const error = await refusal(
      contoso.sendMail('staff@contoso.example', { to: ['someone@contoso.example'], subject: 's', text: 't' }),
    );
    expect(error.code).toBe('ErrorAccessDenied');
    expect(error.message).toContain('Mail.Send');
    expect((await sentMail()).length).toBe(before);
  });

  it('is refused for a mailbox that does not exist (404 ErrorInvalidUser)', async () => {
    const error = await refusal(
      home.sendMail('nobody@msp.example', { to: [HOME_USERS.bob.userPrincipalName], subject: 's', text: 't' }),
    );
    expect(error.code).toBe('ErrorInvalidUser');
  });

  it('is refused without a recipient, or with one that is not an address (400 ErrorInvalidRecipients)', async () => {
    expect((await refusal(home.sendMail(MAILBOX, { to: [], subject: 's', text: 't' }))).code).toBe(
      'ErrorInvalidRecipients',
    );
    expect((await refusal(home.sendMail(MAILBOX, { to: ['not an address'], subject: 's', text: 't' }))).code).toBe(
      'ErrorInvalidRecipients',
    );
  });

  it('refuses a malformed message as Graph does (400), over raw HTTP', async () => {
    const token = await fetch(`${sandbox.url}/${HOME_TENANT.id}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: seedAppOf(HOME_TENANT).clientId,
        client_secret: seedAppOf(HOME_TENANT).clientSecret,
        scope: 'https://graph.microsoft.com/.default',
      }),
    });
    const accessToken = ((await token.json()) as { access_token: string }).access_token;
    const send = (body: unknown) =>
      fetch(`${sandbox.url}/v1.0/users/${MAILBOX}/sendMail`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await send({})).status).toBe(400);
    expect(
      (
        await send({
          message: {
            subject: 's',
            body: { contentType: 'Markdown', content: 'x' },
            toRecipients: [{ emailAddress: { address: 'bob@msp.example' } }],
          },
        })
      ).status,
    ).toBe(400);
    const accepted = await send({
      message: {
        subject: 's',
        body: { contentType: 'Text', content: 'x' },
        toRecipients: [{ emailAddress: { address: 'bob@msp.example' } }],
      },
    });
    expect(accepted.status).toBe(202);
    expect(await accepted.text()).toBe('');
  });
});

describe('users of an approver group', () => {
  it('lists the enabled user members of a group, and [] for a group that is gone', async () => {
    const users = await home.listGroupUsers(HOME_GROUPS.allTechnicians.id);
    expect(users.map((u) => u.userPrincipalName).sort()).toEqual(
      [HOME_USERS.alice.userPrincipalName, HOME_USERS.dave.userPrincipalName].sort(),
    );
    expect(await home.listGroupUsers('2b000000-0000-4000-8000-000000000000')).toEqual([]);
  });
});

describe('holders of an app role', () => {
  it("lists the users assigned the service app's Jit.Approver, and nobody for a role or an app that is not there", async () => {
    expect(await home.listAppRoleHolders(SERVICE_APP.clientId, APP_ROLES.approver)).toEqual([
      { type: 'user', id: HOME_USERS.bob.id },
    ]);
    expect(await home.listAppRoleHolders(SERVICE_APP.clientId, APP_ROLES.admin)).toEqual([
      { type: 'user', id: HOME_USERS.carol.id },
    ]);
    expect(await home.listAppRoleHolders(SERVICE_APP.clientId, 'Jit.Nobody')).toEqual([]);
    expect(await home.listAppRoleHolders('00000000-0000-4000-8000-000000000001', APP_ROLES.approver)).toEqual([]);
  });
});
