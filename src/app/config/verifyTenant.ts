import type { Tenant } from '../../domain/config';
import { DependencyError, JitError, TransientDependencyError } from '../../domain/errors';
import type { AppDeps } from '../deps';
import type { Directory, DirectoryRoleDefinition } from '../ports';
import { kindOf } from '../targets';
import type { Verification, VerificationCheck, VerificationCheckName } from './schemas';
import { targetPolicyProblems } from '../../domain/temporaryAccessPassPolicy';
import { verificationCheckNameSchema } from '../../domain/tenantVerification';

/**
 * Onboarding checks against a customer tenant, each named, with what failed and how to fix it:
 * the service can sign in; the app holds every Graph permission the tenant's targets need; the JIT
 * domain exists, is verified and is managed (a federated domain is refused: its sign-ins happen at
 * another identity provider, so the password we set would not be the credential that counts, and
 * disabling the account in Entra would not end a session there); one read of each kind a lease
 * makes succeeds (role definitions, users, memberships, and for Temporary Access Pass targets the
 * user's authentication methods); the service principal holds Privileged Authentication
 * Administrator, without which Entra refuses app-only password changes and enabling or disabling
 * accounts that hold admin roles; and Temporary Access Pass targets fit the tenant's TAP policy.
 */
export const PRIVILEGED_AUTHENTICATION_ADMINISTRATOR = '7be44c8a-adaf-4e2a-84d6-ab2649e08a13';
const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';

interface RequiredPermission {
  readonly name: string;
  /** Permissions that also satisfy it (higher-privileged ones Graph accepts in its place). */
  readonly satisfiedBy: readonly string[];
  readonly why: string;
}

/** Graph application permissions every tenant needs (Graph's v1.0 reference names the least privileged). */
const REQUIRED_PERMISSIONS: readonly RequiredPermission[] = [
  {
    name: 'User.ReadWrite.All',
    satisfiedBy: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
    why: 'create, enable and disable JIT accounts and set their passwords',
  },
  {
    name: 'RoleManagement.ReadWrite.Directory',
    satisfiedBy: ['RoleManagement.ReadWrite.Directory'],
    why: 'assign and remove directory roles',
  },
  {
    name: 'GroupMember.ReadWrite.All',
    satisfiedBy: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
    why: 'add and remove group members',
  },
  {
    name: 'Domain.Read.All',
    satisfiedBy: ['Domain.Read.All', 'Domain.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    why: 'check the JIT domain',
  },
  // learn.microsoft.com/en-us/graph/api/user-list-memberof: app-only memberOf needs Directory.Read.All.
  {
    name: 'Directory.Read.All',
    satisfiedBy: ['Directory.Read.All', 'Directory.ReadWrite.All'],
    why: "read an account's group and role memberships (memberOf), which revocation and the reconciler check",
  },
];

/** What Temporary Access Pass targets need on top. */
const TAP_PERMISSIONS: readonly RequiredPermission[] = [
  {
    name: 'UserAuthenticationMethod.ReadWrite.All',
    satisfiedBy: ['UserAuthenticationMethod.ReadWrite.All'],
    why: 'create and delete Temporary Access Passes',
  },
  {
    name: 'Policy.Read.AuthenticationMethod',
    satisfiedBy: ['Policy.Read.AuthenticationMethod', 'Policy.ReadWrite.AuthenticationMethod'],
    why: "read the tenant's Temporary Access Pass policy",
  },
];

export interface VerifyOptions {
  /** The service's own multi-tenant app (federated connections). */
  readonly serviceAppId: string;
  readonly consentUrl: string;
}

export async function verifyTenantConnection(
  deps: Pick<AppDeps, 'directories' | 'clock' | 'config'>,
  tenant: Tenant,
  options: VerifyOptions,
): Promise<Verification> {
  const appId = tenant.connection.mode === 'clientSecret' ? tenant.connection.clientId : options.serviceAppId;
  const checks: VerificationCheck[] = [];
  const add = (name: VerificationCheckName, ok: boolean, detail: string, fix: string | null = null): void => {
    checks.push({ name, ok, detail, fix: ok ? null : fix });
  };
  const addBlocked = (name: VerificationCheckName, blockedBy: VerificationCheckName, detail: string): void => {
    checks.push({ name, ok: false, detail, fix: `fix ${blockedBy} first, then verify again`, blockedBy });
  };
  const finish = (): Verification => ({
    tenantId: tenant.tenantId,
    ok: checks.every((c) => c.ok),
    checkedAt: deps.clock.now().toISOString(),
    checks,
  });

  // Always a fresh sign-in: a cached token would hide a secret that is wrong or was rotated.
  deps.directories.forget(tenant.tenantId);
  let directory: Directory;
  let permissions: readonly string[] | null;
  try {
    directory = await deps.directories.forTenant(tenant);
    permissions = (await directory.signIn()).applicationPermissions;
    add('signIn', true, `a Microsoft Graph token was issued to app ${appId} in tenant ${tenant.tenantId}`);
  } catch (error) {
    const fix = signInFix(error, tenant, appId, options.consentUrl);
    checks.push({
      name: 'signIn',
      ok: false,
      detail: failureText(error),
      fix: fix.api,
      ...(fix.portal !== fix.api ? { portalFix: fix.portal } : {}),
    });
    // Every later check needs the sign-in: each is reported as not run, waiting for it.
    for (const name of verificationCheckNameSchema.options.filter((check) => check !== 'signIn'))
      addBlocked(name, 'signIn', 'not checked: the service could not sign in to the tenant (see signIn)');
    return finish();
  }

  const grantFix = (missing: string): string =>
    tenant.connection.mode === 'clientSecret'
      ? `In tenant ${tenant.tenantId}, open the app registration ${appId} → API permissions, add the Microsoft Graph application permission(s) ${missing}, then "Grant admin consent".`
      : `Have a Global Administrator of tenant ${tenant.tenantId} consent again at ${options.consentUrl} (the app asks for ${missing}).`;

  const tapTargets = (await deps.config.listTargets(tenant.tenantId)).filter(
    (t) => kindOf(t).credentialTypeOf(t) === 'temporaryAccessPass',
  );
  const required = tapTargets.length > 0 ? [...REQUIRED_PERMISSIONS, ...TAP_PERMISSIONS] : REQUIRED_PERMISSIONS;
  if (permissions === null) {
    add('permissions', true, 'the token does not list its permissions; the read checks below test them directly');
  } else {
    const missing = required.filter((p) => !p.satisfiedBy.some((s) => permissions.includes(s)));
    if (missing.length === 0) add('permissions', true, `granted: ${[...permissions].sort().join(', ')}`);
    else
      add(
        'permissions',
        false,
        `missing Microsoft Graph application permission(s): ${missing.map((p) => `${p.name} (to ${p.why})`).join('; ')}`,
        grantFix(missing.map((p) => p.name).join(', ')),
      );
  }

  await check(add, 'jitDomain', grantFix, async () => {
    const domain = await directory.getDomain(tenant.jitDomain);
    if (domain === null) {
      return fail(
        `domain ${tenant.jitDomain} does not exist in tenant ${tenant.tenantId}`,
        `Add ${tenant.jitDomain} to the tenant and verify it (Entra admin center → Settings → Domain names), or PATCH the tenant with one of its managed, verified domains (its <name>.onmicrosoft.com domain always is).`,
      );
    }
    if (!domain.isVerified)
      return fail(
        `domain ${tenant.jitDomain} exists but is not verified`,
        `Finish verifying ${tenant.jitDomain} (add the DNS record Entra shows), or choose a verified managed domain.`,
      );
    if (domain.authenticationType === 'Federated') {
      return fail(
        `domain ${tenant.jitDomain} is federated: its users sign in at another identity provider, so the password the service sets is not the credential that counts and disabling the account in Entra does not end sessions there. JIT accounts need a managed domain.`,
        `PATCH the tenant with a managed, verified domain (e.g. the tenant's <name>.onmicrosoft.com domain) as jitDomain.`,
      );
    }
    return pass(`domain ${tenant.jitDomain} exists, is verified and is managed`);
  });

  let definitions: DirectoryRoleDefinition[] = [];
  await check(add, 'readRoleDefinitions', grantFix, async () => {
    definitions = await directory.listRoleDefinitions();
    return pass(`read ${definitions.length} directory role definitions`);
  });

  let someUser: string | undefined;
  await check(add, 'readUsers', grantFix, async () => {
    someUser = (await directory.listUsers({ top: 1 }))[0]?.objectId;
    return pass('the app can read users');
  });

  const userToTry = someUser;
  if (userToTry === undefined)
    addBlocked('readMemberships', 'readUsers', 'no user could be read to try memberOf on (see readUsers)');
  else
    await check(add, 'readMemberships', grantFix, async () => {
      await directory.listGroupMemberships(userToTry);
      return pass("the app can read a user's group and role memberships (memberOf)");
    });

  await check(add, 'passwordResetRole', grantFix, async () => {
    const principal = await directory.getServicePrincipalByAppId(appId);
    if (principal === null) {
      return fail(
        `app ${appId} has no service principal in tenant ${tenant.tenantId}: nobody has consented to it there`,
        `Have a Global Administrator of the tenant consent at ${options.consentUrl}, then assign it Privileged Authentication Administrator: ${assignPasswordResetRoleCommand(tenant.tenantId, `(Get-MgServicePrincipal -Filter "appId eq '${appId}'").Id`)}`,
      );
    }
    const held = (await directory.listRoleAssignments(principal.objectId)).map((a) => a.roleTemplateId);
    const name = (id: string): string => definitions.find((d) => d.templateId === id)?.displayName ?? id;
    const assign =
      `A Global Administrator (or Privileged Role Administrator) of tenant ${tenant.tenantId} runs, in PowerShell with the Microsoft Graph module: ${assignPasswordResetRoleCommand(tenant.tenantId, principal.objectId)} ` +
      `(or: Entra admin center → Roles and administrators → Privileged Authentication Administrator → Add assignments → select the app "${principal.displayName}" (${appId})).`;
    if (held.includes(PRIVILEGED_AUTHENTICATION_ADMINISTRATOR))
      return pass(`service principal ${principal.objectId} holds Privileged Authentication Administrator`);
    if (held.includes(GLOBAL_ADMINISTRATOR)) {
      return pass(
        `service principal ${principal.objectId} holds Global Administrator, which covers password resets but is far more than needed; prefer Privileged Authentication Administrator`,
      );
    }
    const holding = held.length === 0 ? 'no directory role' : held.map(name).join(', ');
    return fail(
      `service principal "${principal.displayName}" (${principal.objectId}) holds ${holding}; it needs Privileged Authentication Administrator: an app needs a directory role to change any user's password, and that one to set the password of, enable or disable an account that holds admin roles`,
      assign,
    );
  });

  const tapFix = `In tenant ${tenant.tenantId}: Entra admin center → Protection → Authentication methods → Temporary Access Pass: enable it for all users (or a group the targets add their accounts to), with a maximum lifetime at least as long as the targets' maxDuration; or lower those targets' maxDuration.`;
  await check(add, 'temporaryAccessPassPolicy', grantFix, async () => {
    if (tapTargets.length === 0) return pass('not needed: the tenant has no temporaryAccessPass targets');
    const policy = await directory.getTemporaryAccessPassPolicy();
    const problems = tapTargets.flatMap((target) =>
      targetPolicyProblems(policy, target).map((p) => `target '${target.targetId}' ${p.field}: ${p.message}`),
    );
    if (problems.length > 0) return fail(problems.join('; '), tapFix);
    return pass(
      `the Temporary Access Pass policy (passes of ${policy.minimumLifetimeInMinutes} to ${policy.maximumLifetimeInMinutes} minutes${policy.isUsableOnce ? ', one-time' : ''}) covers ${tapTargets.map((t) => `'${t.targetId}'`).join(', ')}`,
    );
  });

  if (tapTargets.length > 0 && userToTry === undefined)
    addBlocked(
      'readAuthenticationMethods',
      'readUsers',
      "no user could be read to try reading a user's Temporary Access Passes on (see readUsers)",
    );
  else
    await check(add, 'readAuthenticationMethods', grantFix, async () => {
      if (tapTargets.length === 0 || userToTry === undefined)
        return pass('not needed: the tenant has no temporaryAccessPass targets');
      await directory.countTemporaryAccessPasses(userToTry);
      return pass("the app can read a user's Temporary Access Passes");
    });

  return finish();
}

/**
 * The one line that assigns Privileged Authentication Administrator to the service principal at
 * tenant scope: POST /roleManagement/directory/roleAssignments through Graph PowerShell, whose
 * built-in role definition id is the role's template id
 * (learn.microsoft.com/powershell/module/microsoft.graph.identity.governance/new-mgrolemanagementdirectoryroleassignment,
 * learn.microsoft.com/graph/api/rbacapplication-post-roleassignments: the signed-in admin needs
 * RoleManagement.ReadWrite.Directory and at least Privileged Role Administrator).
 */
export function assignPasswordResetRoleCommand(tenantId: string, principalIdExpression: string): string {
  return (
    `Connect-MgGraph -TenantId ${tenantId} -Scopes RoleManagement.ReadWrite.Directory; ` +
    `New-MgRoleManagementDirectoryRoleAssignment -PrincipalId ${principalIdExpression} -RoleDefinitionId ${PRIVILEGED_AUTHENTICATION_ADMINISTRATOR} -DirectoryScopeId '/'`
  );
}

type Outcome =
  | { readonly ok: true; readonly detail: string }
  | { readonly ok: false; readonly detail: string; readonly fix: string };
const pass = (detail: string): Outcome => ({ ok: true, detail });
const fail = (detail: string, fix: string): Outcome => ({ ok: false, detail, fix });

/** Runs one read check; a refused or failed directory call fails the check with its reason. */
async function check(
  add: (name: VerificationCheckName, ok: boolean, detail: string, fix?: string | null) => void,
  name: VerificationCheckName,
  grantFix: (missing: string) => string,
  run: () => Promise<Outcome>,
): Promise<void> {
  try {
    const outcome = await run();
    add(name, outcome.ok, outcome.detail, outcome.ok ? null : outcome.fix);
  } catch (error) {
    if (!(error instanceof JitError)) throw error;
    const permission = /needs (.+?) in this tenant/.exec(error.message)?.[1];
    const fix =
      error instanceof TransientDependencyError
        ? 'Microsoft Graph was unavailable or throttled; verify again in a minute.'
        : permission !== undefined
          ? grantFix(permission)
          : 'Check the connection and verify again.';
    add(name, false, failureText(error), fix);
  }
}

function failureText(error: unknown): string {
  if (error instanceof JitError) return error.message;
  return 'the check failed unexpectedly';
}

/**
 * What fixes a refused sign-in, for an API caller (`api`: the PATCH to send) and in the portal's
 * words (`portal`: "Edit" → "Replace the connection"); they differ only where a new secret is sent.
 */
function signInFix(
  error: unknown,
  tenant: Tenant,
  appId: string,
  consentUrl: string,
): { readonly api: string; readonly portal: string } {
  const code = error instanceof DependencyError ? error.code : undefined;
  const rotate = `PATCH /api/tenants/${tenant.tenantId} with { "connection": { "mode": "clientSecret", "clientId": "${appId}", "clientSecret": "<new secret>" } }`;
  const replace =
    'in the portal press "Edit" on this tenant, tick "Replace the connection" and paste it as the new client secret';
  const same = (text: string) => ({ api: text, portal: text });
  switch (code) {
    case 'AADSTS7000215': {
      const found = `The client secret is wrong. In tenant ${tenant.tenantId}, app registration ${appId} → Certificates & secrets, create a new client secret and send its value (not its id)`;
      return { api: `${found}: ${rotate}.`, portal: `${found}: ${replace}.` };
    }
    case 'AADSTS7000222': {
      const found = `The client secret has expired. Create a new one for app ${appId} and send it`;
      return { api: `${found}: ${rotate}.`, portal: `${found}: ${replace}.` };
    }
    case 'AADSTS700016':
      return same(
        `App ${appId} is not known in tenant ${tenant.tenantId}: check the client id, and have an admin of the tenant consent to it (${consentUrl}).`,
      );
    case 'AADSTS90002':
      return same(`Tenant ${tenant.tenantId} does not exist: check the tenant id.`);
    case 'FederatedConnectionUnsupported':
      return same(
        'Federated connections need the Function App\'s managed identity (Azure). Locally, connect the tenant with { "mode": "clientSecret" }.',
      );
    case 'TenantSecretMissing':
      return {
        api: `The stored client secret is gone from Key Vault: send it again with ${rotate}.`,
        portal: `The stored client secret is gone from Key Vault: send it again (${replace}).`,
      };
    default:
      return same(
        error instanceof TransientDependencyError
          ? 'The sign-in endpoint was unavailable; verify again in a minute.'
          : 'Check the tenant id, the client id and the secret; then verify again.',
      );
  }
}
