import { durationSeconds } from './duration';

/**
 * What is typed into the forms' text fields, read: lists, durations, and the role template ids of a
 * template (it spans tenants, so no one tenant's role picker applies; targets and rules pick ids).
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids typed into a field (comma- or whitespace-separated); the ones that are not GUIDs are named. */
export function idsOf(text: string): { readonly ids: string[]; readonly invalid: string[] } {
  const all = text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return { ids: all.filter((s) => GUID.test(s)), invalid: all.filter((s) => !GUID.test(s)) };
}

export function notIdsMessage(invalid: readonly string[]): string | undefined {
  return invalid.length > 0 ? `Not an object id (a GUID): ${invalid.join(', ')}` : undefined;
}

/** Comma- or line-separated entries of a text field, trimmed, empty ones dropped. */
export function listOf(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function isDuration(text: string): boolean {
  try {
    durationSeconds(text);
    return true;
  } catch {
    return false;
  }
}
