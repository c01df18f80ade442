import { durationSeconds } from './duration';

/** What is typed into the forms' text fields, read: lists, object ids, durations. */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An Entra object id (user, group, role template) is a GUID. */
export function isObjectId(text: string): boolean {
  return GUID.test(text);
}

/** Comma- or line-separated entries of a text field, trimmed, empty ones dropped. */
export function listOf(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Ids typed into a field (comma- or whitespace-separated); the ones that are not GUIDs are named. */
export function idsOf(text: string): { readonly ids: string[]; readonly invalid: string[] } {
  const all = text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return { ids: all.filter(isObjectId), invalid: all.filter((s) => !isObjectId(s)) };
}

export function notIdsMessage(invalid: readonly string[]): string | undefined {
  return invalid.length > 0 ? `Not an object id (a GUID): ${invalid.join(', ')}` : undefined;
}

export function isDuration(text: string): boolean {
  try {
    durationSeconds(text);
    return true;
  } catch {
    return false;
  }
}
