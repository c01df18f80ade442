/**
 * A small JSON Schema (2020-12) validator for the keywords z.toJSONSchema emits, so tests can
 * check live answers against the OpenAPI document without another dependency. `$ref` resolves
 * against `root` (`#/components/schemas/…`). Returns every problem found, with its JSON path.
 */
type Schema = Record<string, unknown>;

export function validateJson(value: unknown, schema: Schema, root: Schema, path = '$'): string[] {
  if (typeof schema.$ref === 'string') return validateJson(value, resolve(schema.$ref, root), root, path);
  const problems: string[] = [];
  const type = schema.type;
  if (type !== undefined) {
    const types = Array.isArray(type) ? (type as string[]) : [type as string];
    if (!types.some((t) => hasType(value, t))) return [`${path}: expected ${types.join('|')}, got ${describe(value)}`];
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value))
    problems.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    problems.push(`${path}: not one of ${JSON.stringify(schema.enum)}`);
  if (Array.isArray(schema.allOf))
    for (const s of schema.allOf as Schema[]) problems.push(...validateJson(value, s, root, path));
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const options = schema[keyword];
    if (!Array.isArray(options)) continue;
    const results = (options as Schema[]).map((s) => validateJson(value, s, root, path));
    const passing = results.filter((r) => r.length === 0).length;
    if (passing === 0) problems.push(`${path}: matches none of ${keyword} (${results.map((r) => r[0]).join(' / ')})`);
    if (keyword === 'oneOf' && passing > 1) problems.push(`${path}: matches ${passing} of oneOf`);
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength)
      problems.push(`${path}: shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === 'number' && [...value].length > schema.maxLength)
      problems.push(`${path}: longer than ${schema.maxLength}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      problems.push(`${path}: does not match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${path}: below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${path}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      problems.push(`${path}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      problems.push(`${path}: more than ${schema.maxItems} items`);
    if (isSchema(schema.items))
      value.forEach((item, i) => problems.push(...validateJson(item, schema.items as Schema, root, `${path}[${i}]`)));
  }
  if (isPlainObject(value)) {
    const properties = isSchema(schema.properties) ? (schema.properties as Record<string, Schema>) : {};
    for (const required of (schema.required as string[] | undefined) ?? [])
      if (!(required in value)) problems.push(`${path}: missing ${required}`);
    for (const [key, child] of Object.entries(value)) {
      const propertySchema = properties[key];
      if (propertySchema !== undefined) problems.push(...validateJson(child, propertySchema, root, `${path}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: unexpected property ${key}`);
      else if (isSchema(schema.additionalProperties))
        problems.push(...validateJson(child, schema.additionalProperties as Schema, root, `${path}.${key}`));
    }
  }
  return problems;
}

function resolve(ref: string, root: Schema): Schema {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  let node: unknown = root;
  for (const part of ref.slice(2).split('/'))
    node = isPlainObject(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  if (!isSchema(node)) throw new Error(`$ref ${ref} resolves to nothing`);
  return node as Schema;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isPlainObject(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return typeof value === type;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSchema(value: unknown): boolean {
  return isPlainObject(value);
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}
