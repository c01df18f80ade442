import type { Caller } from '../../domain/caller';
import type { Target, TargetKind, TargetOfKind, Tenant } from '../../domain/config';
import type { FieldProblem } from '../../domain/errors';
import type { AccountRef, CredentialType, LeaseRequest } from '../../domain/request';
import type { AppDeps } from '../deps';
import type { Directory, DirectoryGroup, Versioned } from '../ports';

/** What the reconciler hands a kind for one connected tenant (see reconcile.ts). */
export interface TenantReconciliation {
  readonly deps: AppDeps;
  readonly directory: Directory;
  readonly tenant: Tenant;
  /** Whether a live lease holds (or is about to hold) the requester's access in this tenant. */
  readonly isLeased: (requesterObjectId: string) => Promise<boolean>;
  /** Audits and logs a `reconciler_finding` (the alert rule in infra/ matches it). */
  readonly finding: (kind: string, details: Readonly<Record<string, string | number | null>>) => Promise<void>;
  readonly report: { driftDisabled: string[]; foreignJitAccounts: string[]; accountsDeleted: string[] };
}

export interface Provisioned {
  /** The request as stored now (a kind may record what it is about to grant before granting it). */
  readonly stored: Versioned<LeaseRequest>;
  readonly account: AccountRef;
  /** Runs once the request is recorded active. */
  readonly afterActivated?: (now: Date) => Promise<void>;
}

export interface Revocation {
  readonly tenant: Tenant;
  readonly request: LeaseRequest;
  /** Null when provisioning failed before any account was known. */
  readonly account: AccountRef | null;
  /** When this revocation began: effects older than this do not count as done. */
  readonly startedAt: Date;
  /**
   * A previous call of this revocation did its containment writes, then its cleanup waited for
   * Graph's write window: a kind may skip them (each is a write the window has no room for).
   */
  readonly contained?: boolean;
}

/**
 * One kind of access target, everything that differs by kind in one module: how a target of the
 * kind is checked, what an ask for it must satisfy, how a lease is provisioned and revoked (and
 * its end state verified), and what the reconciler looks after. Registered in ./index.ts.
 */
export interface TargetKindModule<K extends TargetKind> {
  readonly kind: K;
  /** What a lease of this kind records as its credential type ('none': nothing to reveal). */
  credentialTypeOf(target: TargetOfKind<K>): CredentialType;
  /** Why a lease of this kind has no credential to reveal; null when it has one. */
  readonly noCredentialReason: string | null;
  /** Field problems of the target alone (no directory needed). */
  targetProblems(target: TargetOfKind<K>): FieldProblem[];
  /** Why a group of the tenant cannot serve a target of this kind; null when it can. */
  groupProblem(group: DirectoryGroup): string | null;
  /** Field problems the tenant's directory reveals (its policies), read only when the target may need them. */
  directoryProblems(deps: AppDeps, tenant: Tenant, target: TargetOfKind<K>): Promise<FieldProblem[]>;
  /** Field problems of a request for a target of this kind, beyond entitlement and durations. */
  askProblems(caller: Caller, target: TargetOfKind<K>): FieldProblem[];
  /** Grants the lease (idempotent: run again, it converges on the same grants). */
  provision(deps: AppDeps, stored: Versioned<LeaseRequest>, tenant: Tenant, target: Target): Promise<Provisioned>;
  /** Who the lease's access was given to when the request did not record it (provisioning failed part way). */
  accountOfUnrecorded(deps: AppDeps, request: LeaseRequest): Promise<AccountRef | null>;
  /** Takes the lease's access away and reads the end state back; throws (to be retried) until it shows. */
  revoke(deps: AppDeps, revocation: Revocation): Promise<void>;
  /** The `lease.provisioned` audit details. */
  provisionedDetails(active: LeaseRequest, target: Target | null): Record<string, string | number | null>;
  /**
   * The target as the API shows it when created or changed: what the kind computes from the
   * directory beyond the stored row (never stored). Throws a ValidationError when the directory
   * shows the target could grant nothing. Absent: the row as it is.
   */
  expand?(deps: AppDeps, tenant: Tenant, target: TargetOfKind<K>): Promise<TargetOfKind<K>>;
  /** What the reconciler checks in each connected tenant for this kind; absent: nothing. */
  reconcileTenant?(reconciliation: TenantReconciliation): Promise<void>;
}
