/**
 * A small JSON Schema 2020-12 checker for the keywords zod's converter emits, resolving `$ref` inside an OpenAPI
 * document. Used to hold a request against the API description the server publishes. A keyword it does not know
 * throws instead of being ignored, so a schema it cannot really check fails the test rather than passing it.
 */
type Schema = { [k: string]: unknown };

/** Keywords that constrain nothing here (`discriminator` only says which `oneOf` alternative to try first). */
const ANNOTATIONS = new Set(['description', 'default', 'format', 'title', 'examples', 'contentMediaType', 'deprecated', 'readOnly', 'writeOnly', 'discriminator']);
const KNOWN = new Set([
  '$ref',
  'type',
  'const',
  'enum',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'anyOf',
  'oneOf',
  'allOf',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

export function resolveRef(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`only local references are resolved: ${ref}`);
  let at: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    at = typeof at === 'object' && at !== null && Object.hasOwn(at, key) ? (at as Record<string, unknown>)[key] : undefined;
    if (at === undefined) throw new Error(`unresolved reference ${ref}`);
  }
  return at;
}

/** The problems of `value` against `schema` (empty when it conforms), each as "path: what". */
export function check(doc: unknown, schema: unknown, value: unknown, path = ''): string[] {
  if (schema === true || (typeof schema === 'object' && schema !== null && Object.keys(schema).length === 0)) return [];
  if (schema === false) return [`${path}: nothing is allowed here`];
  const s = schema as Schema;
  for (const k of Object.keys(s)) if (!KNOWN.has(k) && !ANNOTATIONS.has(k)) throw new Error(`the checker does not know the keyword ${k} (at ${path || 'the root'})`);
  const out: string[] = [];
  const at = path || '(root)';
  if (typeof s.$ref === 'string') out.push(...check(doc, resolveRef(doc, s.$ref), value, path));
  const t = typeOf(value);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return [...out, `${at}: expected ${types.join(' or ')}, got ${t}`];
  }
  if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(value)) out.push(`${at}: must be ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) out.push(`${at}: must be one of ${JSON.stringify(s.enum)}`);
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof s.minLength === 'number' && length < s.minLength) out.push(`${at}: shorter than ${s.minLength}`);
    if (typeof s.maxLength === 'number' && length > s.maxLength) out.push(`${at}: longer than ${s.maxLength}`);
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) out.push(`${at}: does not match ${s.pattern}`);
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) out.push(`${at}: below ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) out.push(`${at}: above ${s.maximum}`);
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) out.push(`${at}: not above ${s.exclusiveMinimum}`);
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) out.push(`${at}: not below ${s.exclusiveMaximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) out.push(`${at}: fewer than ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) out.push(`${at}: more than ${s.maxItems} items`);
    if (s.items !== undefined) value.forEach((v, i) => out.push(...check(doc, s.items, v, `${path}${path ? '.' : ''}${i}`)));
  }
  if (t === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, unknown>;
    for (const r of (s.required ?? []) as string[]) if (!Object.hasOwn(obj, r)) out.push(`${path ? `${path}.` : ''}${r}: required`);
    for (const [k, v] of Object.entries(obj)) {
      const p = `${path}${path ? '.' : ''}${k}`;
      if (s.propertyNames !== undefined) out.push(...check(doc, s.propertyNames, k, `${p} (name)`));
      if (Object.hasOwn(props, k)) out.push(...check(doc, props[k], v, p));
      else if (s.additionalProperties !== undefined) out.push(...check(doc, s.additionalProperties, v, p).map((e) => (s.additionalProperties === false ? `${p}: not an allowed field` : e)));
    }
  }
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) out.push(...check(doc, sub, value, path));
  if (Array.isArray(s.anyOf) && !s.anyOf.some((sub) => check(doc, sub, value, path).length === 0)) out.push(`${at}: matches none of the alternatives`);
  if (Array.isArray(s.oneOf)) {
    const fits = s.oneOf.map((sub) => check(doc, sub, value, path));
    const n = fits.filter((f) => f.length === 0).length;
    if (n !== 1) out.push(n === 0 ? `${at}: matches none of the alternatives (${fits.map((f) => f[0]).join(' | ')})` : `${at}: matches ${n} alternatives, not exactly one`);
  }
  return out;
}
