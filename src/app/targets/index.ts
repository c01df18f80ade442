import { targetKindSchema, type Target, type TargetKind } from '../../domain/config';
import type { LeaseRequest } from '../../domain/request';
import { adminAccount } from './adminAccount';
import { elevation } from './elevation';
import { gdapGroup } from './gdapGroup';
import type { TargetKindModule } from './targetKind';

export type { Provisioned, Revocation, TargetKindModule, TenantReconciliation } from './targetKind';

/** Every target kind, by name: a kind added to the domain's targetSchema fails to compile until it is here. */
export const targetKinds: { readonly [K in TargetKind]: TargetKindModule<K> } = {
  adminAccount,
  elevation,
  gdapGroup,
};

/**
 * A kind's module as one that takes any Target. Sound as used here: the target passed to it is
 * the one whose kind chose it (TypeScript cannot follow that link through the index).
 */
function moduleOf(kind: TargetKind): TargetKindModule<TargetKind> {
  return targetKinds[kind] as unknown as TargetKindModule<TargetKind>;
}

/** The module of a target's kind. */
export function kindOf(target: Target): TargetKindModule<TargetKind> {
  return moduleOf(target.kind);
}

/**
 * The module a lease runs under: the kind recorded on the request when it was submitted (a target
 * changed since does not change a live lease), else the target's (requests stored before kinds).
 */
export function kindOfLease(request: LeaseRequest, target?: Target | null): TargetKindModule<TargetKind> {
  return moduleOf(request.targetKind ?? target?.kind ?? 'adminAccount');
}

/** The modules that look after something in each tenant at every reconciler run. */
export function reconcilingKinds(): TargetKindModule<TargetKind>[] {
  return targetKindSchema.options.map(moduleOf).filter((kind) => kind.reconcileTenant !== undefined);
}
