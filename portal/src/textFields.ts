import { durationSeconds } from './duration';

/** What is typed into the forms' text fields, read: lists and durations (ids are picked, not typed). */

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
