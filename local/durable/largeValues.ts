/**
 * Table Storage caps a string property at 64 KiB (32 K UTF-16 characters) and an entity at 1 MiB.
 * Long JSON texts are split over `Name`, `Name_1`, `Name_2`, … with the count in `NameChunks`;
 * texts that could not fit in one entity are refused with a message naming the value.
 */
const CHUNK_CHARS = 30_000;
const MAX_CHUNKS = 14;
export const MAX_VALUE_CHARS = CHUNK_CHARS * MAX_CHUNKS;

export class ValueTooLargeError extends Error {
  constructor(what: string, length: number) {
    super(
      `${what} is ${length} characters of JSON; the local task hub stores at most ${MAX_VALUE_CHARS} (Table Storage entity limit)`,
    );
    this.name = 'ValueTooLargeError';
  }
}

export function putText(entity: Record<string, unknown>, name: string, text: string | null, what: string): void {
  if (text === null) {
    entity[`${name}Chunks`] = 0;
    return;
  }
  if (text.length > MAX_VALUE_CHARS) throw new ValueTooLargeError(what, text.length);
  const count = Math.max(1, Math.ceil(text.length / CHUNK_CHARS));
  entity[`${name}Chunks`] = count;
  for (let i = 0; i < count; i += 1)
    entity[i === 0 ? name : `${name}_${i}`] = text.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
}

export function getText(entity: Record<string, unknown>, name: string): string | null {
  const count = entity[`${name}Chunks`];
  if (typeof count !== 'number' || count === 0) return null;
  let text = '';
  for (let i = 0; i < count; i += 1) {
    const part = entity[i === 0 ? name : `${name}_${i}`];
    if (typeof part !== 'string') throw new Error(`Stored value "${name}" is missing chunk ${i}`);
    text += part;
  }
  return text;
}
