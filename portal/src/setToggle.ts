/** A checkbox list's choices after one box changed: `value` added when `on`, else removed. */
export function toggled(set: ReadonlySet<string>, value: string, on: boolean): Set<string> {
  const next = new Set(set);
  if (on) next.add(value);
  else next.delete(value);
  return next;
}
