import { randomUUID } from 'node:crypto';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { CONTOSO_TENANT_ID } from '../../../local/sandbox/seed';
import { createServiceCredential } from '../../../src/adapters/identity';
import { KeyVaultSecretVault } from '../../../src/adapters/keyvault/secretVault';
import { ValidationError } from '../../../src/domain/errors';
import { sandboxCall, sandboxSettings, sandboxState, startTestSandbox } from '../sandboxSupport';

let sandbox: RunningSandbox;
let vault: KeyVaultSecretVault;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  const settings = sandboxSettings(sandbox);
  vault = new KeyVaultSecretVault(settings.JIT_KEY_VAULT_URL, createServiceCredential(settings), {
    pollIntervalInMs: 50,
    purgeWaitsInMs: [50, 100],
  });
});

afterAll(async () => {
  await sandbox.close();
});

describe('KeyVaultSecretVault', () => {
  it('stores a lease credential with its expiry and tags, reads it, lists it, deletes and purges it', async () => {
    const requestId = randomUUID();
    const expiresOn = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000);
    await vault.putLeaseCredential('Pa55word!-lease-1', {
      requestId,
      tenantId: CONTOSO_TENANT_ID,
      userPrincipalName: 'jit-alice@contoso.example',
      expiresOn,
    });

    expect(await vault.getLeaseCredential(requestId)).toBe('Pa55word!-lease-1');
    const stored = (await sandboxState(sandbox)).keyVault.secrets.find((s) => s.name === `lease-${requestId}`);
    expect(stored).toMatchObject({
      contentType: 'text/plain',
      expiresOn: expiresOn.toISOString(),
      deleted: false,
      tags: { kind: 'lease-credential', requestId, tenantId: CONTOSO_TENANT_ID, upn: 'jit-alice@contoso.example' },
    });
    expect(await vault.listLeaseCredentials()).toContainEqual({ requestId, expiresOn });

    await vault.deleteLeaseCredential(requestId);
    expect(await vault.getLeaseCredential(requestId)).toBeNull();
    expect((await sandboxState(sandbox)).keyVault.secrets.some((s) => s.name === `lease-${requestId}`)).toBe(false);
    expect((await vault.listLeaseCredentials()).some((c) => c.requestId === requestId)).toBe(false);
    await vault.deleteLeaseCredential(requestId); // already gone
  });

  it('writes again over a soft-deleted name (a retried activity)', async () => {
    const requestId = randomUUID();
    const metadata = {
      requestId,
      tenantId: CONTOSO_TENANT_ID,
      userPrincipalName: 'jit-bob@contoso.example',
      expiresOn: new Date(Date.now() + 60_000),
    };
    await vault.putLeaseCredential('first-Pa55word!', metadata);
    // Soft-delete without purging, as a vault with purge protection leaves it.
    await softDelete(`lease-${requestId}`);
    expect((await sandboxState(sandbox)).keyVault.secrets.find((s) => s.name === `lease-${requestId}`)?.deleted).toBe(
      true,
    );

    await vault.putLeaseCredential('second-Pa55word!', metadata);
    expect(await vault.getLeaseCredential(requestId)).toBe('second-Pa55word!');
    await vault.putLeaseCredential('third-Pa55word!', metadata); // a plain retry: a new version
    expect(await vault.getLeaseCredential(requestId)).toBe('third-Pa55word!');
  });

  it('keeps tenant secrets under a name derived from the tenant id', async () => {
    const tenantId = randomUUID();
    const name = await vault.putTenantSecret(tenantId, 'client-secret-value');
    expect(name).toBe(`tenant-${tenantId}`);
    expect(await vault.getTenantSecret(name)).toBe('client-secret-value');
    expect((await sandboxState(sandbox)).keyVault.secrets.find((s) => s.name === name)?.tags).toEqual({
      kind: 'tenant-secret',
      tenantId,
    });
    expect((await vault.listLeaseCredentials()).some((c) => c.requestId === tenantId)).toBe(false);

    await vault.deleteTenantSecret(name);
    await vault.deleteTenantSecret(name);
    expect(await vault.getTenantSecret(name)).toBeNull();
    expect(await vault.putTenantSecret(tenantId, 'reconnected')).toBe(name);
    expect(await vault.getTenantSecret(name)).toBe('reconnected');
  });

  it('lists lease credentials across pages of the vault listing', async () => {
    const ids = Array.from({ length: 30 }, () => randomUUID());
    const expiresOn = new Date(Date.now() + 600_000);
    for (const requestId of ids) {
      await vault.putLeaseCredential('Pa55word!-many', {
        requestId,
        tenantId: CONTOSO_TENANT_ID,
        userPrincipalName: 'jit-carol@contoso.example',
        expiresOn,
      });
    }
    const listed = new Set((await vault.listLeaseCredentials()).map((c) => c.requestId));
    expect(ids.every((id) => listed.has(id))).toBe(true);
    await Promise.all(ids.map((id) => vault.deleteLeaseCredential(id)));
  });

  it('deletes a lease credential in two calls, a DELETE and the purge, with no poll in between', async () => {
    const requestId = randomUUID();
    await vault.putLeaseCredential('Pa55word!-two-calls', leaseMetadata(requestId));
    const before = await keyVaultCalls();
    await vault.deleteLeaseCredential(requestId);
    expect(await keyVaultCalls()).toEqual({ total: before.total + 2, writes: before.writes + 2 });
    expect((await sandboxState(sandbox)).keyVault.secrets.some((s) => s.name === `lease-${requestId}`)).toBe(false);
  });

  it('purges once a slow deletion completes: the purge refused meanwhile (409 being deleted) is sent again', async () => {
    const requestId = randomUUID();
    await vault.putLeaseCredential('Pa55word!-slow-delete', leaseMetadata(requestId));
    // Longer than the first purge wait (50 ms), shorter than both (150 ms).
    await sandboxCall(sandbox, 'PUT', '/_sandbox/faults', { secretDeletionMs: 100 });
    try {
      await vault.deleteLeaseCredential(requestId);
    } finally {
      await sandboxCall(sandbox, 'DELETE', '/_sandbox/faults');
    }
    expect((await sandboxState(sandbox)).keyVault.secrets.some((s) => s.name === `lease-${requestId}`)).toBe(false);
    // The name is free again at once.
    await vault.putLeaseCredential('Pa55word!-again', leaseMetadata(requestId));
    expect(await vault.getLeaseCredential(requestId)).toBe('Pa55word!-again');
  });

  it('writes a name again right after its deletion, once that deletion completes (409 being deleted meanwhile)', async () => {
    const requestId = randomUUID();
    await vault.putLeaseCredential('Pa55word!-before', leaseMetadata(requestId));
    await sandboxCall(sandbox, 'PUT', '/_sandbox/faults', { secretDeletionMs: 100 });
    try {
      // Deleted, not purged, and the deletion still completing: as a revocation leaves it in Azure.
      await serviceSecretClient().beginDeleteSecret(`lease-${requestId}`);
      await vault.putLeaseCredential('Pa55word!-after', leaseMetadata(requestId));
    } finally {
      await sandboxCall(sandbox, 'DELETE', '/_sandbox/faults');
    }
    expect(await vault.getLeaseCredential(requestId)).toBe('Pa55word!-after');
  });

  it('refuses names that are not Key Vault names before calling the vault', async () => {
    await expect(vault.getTenantSecret('../secrets/other')).rejects.toBeInstanceOf(ValidationError);
    await expect(vault.getLeaseCredential('x/y')).rejects.toBeInstanceOf(ValidationError);
  });
});

function leaseMetadata(requestId: string) {
  return {
    requestId,
    tenantId: CONTOSO_TENANT_ID,
    userPrincipalName: 'jit-dave@contoso.example',
    expiresOn: new Date(Date.now() + 600_000),
  };
}

async function keyVaultCalls(): Promise<{ total: number; writes: number }> {
  const res = await fetch(`${sandbox.url}/_sandbox/calls`);
  return ((await res.json()) as { keyVault: { total: number; writes: number } }).keyVault;
}

function serviceSecretClient(): SecretClient {
  const settings = sandboxSettings(sandbox);
  return new SecretClient(settings.JIT_KEY_VAULT_URL, createServiceCredential(settings), {
    disableChallengeResourceVerification: true,
  });
}

/** Soft-deletes a secret with the SDK, leaving it recoverable (no purge). */
async function softDelete(name: string): Promise<void> {
  const poller = await serviceSecretClient().beginDeleteSecret(name, { intervalInMs: 50 });
  await poller.pollUntilDone();
}
