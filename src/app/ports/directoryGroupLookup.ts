import type { DirectoryGroup } from './directoryVerification';

/** Groups found by name, for templates that name groups the same way in every tenant. */
export interface DirectoryGroupLookup {
  /** Every group whose display name is this one (compared case-insensitively, as Graph does). */
  findGroupsByDisplayName(displayName: string): Promise<DirectoryGroup[]>;
}
