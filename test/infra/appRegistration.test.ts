import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { repoRoot } from './infraFiles';

// infra/scripts/create-app-registration.sh run against a stand-in `az` (test/infra/fixtures/fake-az.sh)
// that records every call and every Graph request body: what the script asks Entra for.

const azureCliAppId = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
const appId = '22222222-2222-4222-8222-222222222222';

/** The Graph application permissions the service needs, and why (docs/deploy.md, step 2). */
const requiredGraphPermissions = [
  'User.ReadWrite.All',
  'RoleManagement.ReadWrite.Directory',
  'GroupMember.ReadWrite.All',
  'Domain.Read.All',
  'Directory.Read.All',
  'UserAuthenticationMethod.ReadWrite.All',
  'Policy.Read.AuthenticationMethod',
  'AuditLog.Read.All',
];

const applicationPatch = z.object({
  groupMembershipClaims: z.string(),
  signInAudience: z.string(),
  identifierUris: z.array(z.string()),
  api: z.object({ oauth2PermissionScopes: z.array(z.object({ id: z.string(), value: z.string() })) }).loose(),
  requiredResourceAccess: z.array(
    z.object({ resourceAppId: z.string(), resourceAccess: z.array(z.object({ id: z.string(), type: z.string() })) }),
  ),
});
const preAuthorizationPatch = z.object({
  api: z.object({
    preAuthorizedApplications: z.array(z.object({ appId: z.string(), delegatedPermissionIds: z.array(z.string()) })),
  }),
});

/** Runs the script against the stand-in `az`; what it printed and every Graph request body it sent. */
async function runScript(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; bodies: unknown[]; calls: string[] }> {
  const logDir = await mkdtemp(join(tmpdir(), 'entra-jit-az-'));
  const binDir = await mkdtemp(join(tmpdir(), 'entra-jit-az-bin-'));
  try {
    await symlink(join(repoRoot, 'test/infra/fixtures/fake-az.sh'), join(binDir, 'az'));
    const out = await new Promise<string>((resolvePromise, reject) => {
      execFile(
        'bash',
        ['infra/scripts/create-app-registration.sh', ...args],
        {
          cwd: repoRoot,
          env: {
            ...process.env,
            PATH: `${binDir}:${process.env.PATH ?? ''}`,
            FAKE_AZ_LOG: logDir,
            JIT_MANAGED_IDENTITY_PRINCIPAL_ID: '',
            JIT_PORTAL_URL: '',
            ...env,
          },
        },
        (error, printed, err) =>
          error === null
            ? resolvePromise(printed)
            : reject(new Error(`create-app-registration.sh failed: ${error.message}\n${err}`)),
      );
    });
    const files = (await readdir(logDir)).filter((f) => f.startsWith('body-')).sort();
    const bodies = await Promise.all(
      files.map(async (f) => JSON.parse(await readFile(join(logDir, f), 'utf8')) as unknown),
    );
    const calls = (await readFile(join(logDir, 'calls'), 'utf8')).split('\n');
    return { stdout: out, bodies, calls };
  } finally {
    await rm(binDir, { recursive: true, force: true });
    await rm(logDir, { recursive: true, force: true });
  }
}

let stdout = '';
let bodies: unknown[] = [];
let calls: string[] = [];

beforeAll(async () => {
  ({ stdout, bodies, calls } = await runScript([]));
});

describe('infra/scripts/create-app-registration.sh', () => {
  it('asks for security groups in tokens, so group entitlement rules can match portal callers', () => {
    const patch = applicationPatch.parse(bodies[0]);
    expect(patch.groupMembershipClaims).toBe('SecurityGroup');
    expect(patch.signInAudience).toBe('AzureADMultipleOrgs');
    expect(patch.identifierUris).toEqual([`api://${appId}`]);
  });

  it('pre-authorises the Azure CLI on access_as_user, once the scope exists', () => {
    const scopeId = applicationPatch
      .parse(bodies[0])
      .api.oauth2PermissionScopes.find((s) => s.value === 'access_as_user')?.id;
    expect(scopeId).toMatch(/^[0-9a-f-]{36}$/);
    const patch = preAuthorizationPatch.parse(bodies[1]);
    expect(patch.api.preAuthorizedApplications).toEqual([{ appId: azureCliAppId, delegatedPermissionIds: [scopeId] }]);
    expect(stdout).toContain(
      `az account get-access-token --tenant 11111111-1111-4111-8111-111111111111 --scope api://${appId}/access_as_user`,
    );
  });

  it('requests exactly the Graph application permissions the service uses', () => {
    const graph = applicationPatch
      .parse(bodies[0])
      .requiredResourceAccess.find((r) => r.resourceAppId === '00000003-0000-0000-c000-000000000000');
    expect(graph?.resourceAccess.every((a) => a.type === 'Role')).toBe(true);
    expect(graph?.resourceAccess.map((a) => a.id.replace(/^role:/, '')).sort()).toEqual(
      [...requiredGraphPermissions].sort(),
    );
  });

  it('names the directory role each customer tenant must assign', () => {
    expect(stdout).toContain('Privileged Authentication Administrator');
    expect(stdout).toContain('7be44c8a-adaf-4e2a-84d6-ab2649e08a13');
  });
});

describe('create-app-registration.sh --home-mail-send', () => {
  const assignment = z.object({ principalId: z.string(), resourceId: z.string(), appRoleId: z.string() });

  it('grants Mail.Send to the service principal in the home tenant only, never in the list customer tenants consent to', async () => {
    expect(
      calls.some((c) => c.includes('appRoleAssignments')),
      'not without the option',
    ).toBe(false);
    const run = await runScript(['--home-mail-send']);
    const patch = applicationPatch.parse(run.bodies[0]);
    expect(patch.requiredResourceAccess.flatMap((r) => r.resourceAccess.map((a) => a.id))).not.toContain(
      'role:Mail.Send',
    );
    expect(assignment.parse(run.bodies.at(-1))).toEqual({
      principalId: '44444444-4444-4444-8444-444444444444',
      resourceId: '55555555-5555-4555-8555-555555555555',
      appRoleId: 'role:Mail.Send',
    });
    expect(
      run.calls.some((c) =>
        c.includes(
          '--method POST --uri https://graph.microsoft.com/v1.0/servicePrincipals/44444444-4444-4444-8444-444444444444/appRoleAssignments',
        ),
      ),
    ).toBe(true);
  });
});

describe('create-app-registration.sh --home-gdap', () => {
  const assignment = z.object({ principalId: z.string(), resourceId: z.string(), appRoleId: z.string() });

  it('grants DelegatedAdminRelationship.Read.All in the home tenant only, never in the list customer tenants consent to', async () => {
    const run = await runScript(['--home-gdap']);
    const patch = applicationPatch.parse(run.bodies[0]);
    expect(patch.requiredResourceAccess.flatMap((r) => r.resourceAccess.map((a) => a.id))).not.toContain(
      'role:DelegatedAdminRelationship.Read.All',
    );
    expect(run.bodies.map((b) => assignment.safeParse(b).data).filter((b) => b !== undefined)).toEqual([
      {
        principalId: '44444444-4444-4444-8444-444444444444',
        resourceId: '55555555-5555-4555-8555-555555555555',
        appRoleId: 'role:DelegatedAdminRelationship.Read.All',
      },
    ]);
  });

  it('with --home-mail-send too, grants both, each once', async () => {
    const run = await runScript(['--home-mail-send', '--home-gdap']);
    const granted = run.bodies.map((b) => assignment.safeParse(b).data?.appRoleId).filter((b) => b !== undefined);
    expect(granted).toEqual(['role:Mail.Send', 'role:DelegatedAdminRelationship.Read.All']);
  });
});

describe('create-app-registration.sh --portal-url', () => {
  const spaPatch = z.object({ spa: z.object({ redirectUris: z.array(z.string()) }) });
  const portal = 'https://swa-jit-abc.westeurope.7.azurestaticapps.net';

  it('leaves the SPA redirect URIs alone without a portal URL (the first run comes before provisioning)', () => {
    expect(bodies[0]).not.toHaveProperty('spa');
  });

  it("sets exactly the portal's origin + '/' as SPA redirect URIs, from the option or azd's JIT_PORTAL_URL", async () => {
    const fromOption = await runScript(['--portal-url', portal, '--portal-url', 'https://jit.example.com/']);
    expect(spaPatch.parse(fromOption.bodies[0]).spa.redirectUris).toEqual([`${portal}/`, 'https://jit.example.com/']);
    // The web platform keeps only the admin-consent landing page: a code for the portal is a SPA's.
    expect(fromOption.bodies[0]).toMatchObject({ web: { redirectUris: ['https://entra.microsoft.com/'] } });
    const fromEnvironment = await runScript([], { JIT_PORTAL_URL: portal });
    expect(spaPatch.parse(fromEnvironment.bodies[0]).spa.redirectUris).toEqual([`${portal}/`]);
  });

  it('refuses a portal URL that is not an https origin', async () => {
    for (const bad of ['http://portal.example', `${portal}/app`, 'portal.example'])
      await expect(runScript(['--portal-url', bad])).rejects.toThrow(/--portal-url must be the portal's origin/);
  });
});
