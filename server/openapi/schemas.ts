/**
 * zod → JSON Schema 2020-12 (what OpenAPI 3.1 uses) with zod's own converter. Schemas registered in `components`
 * are emitted once into components.schemas and referenced; everything else is inlined where it is used.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { components } from './components.js';

export type Json = { [key: string]: unknown };

export const SCHEMA_REF = '#/components/schemas/';
const ZOD_DEFS = '#/$defs/';

/** Descriptions given with `.describe()` live in zod's global registry; the converter reads only the one it is given. */
function describeFromGlobal(ctx: { zodSchema: z.core.$ZodType; jsonSchema: z.core.JSONSchema.BaseSchema }): void {
  const description = z.globalRegistry.get(ctx.zodSchema)?.description;
  if (description !== undefined && ctx.jsonSchema.description === undefined) ctx.jsonSchema.description = description;
}

/**
 * A discriminated union of named objects (the events of a contract) gets OpenAPI's `discriminator`, so a client
 * generator picks the type by its `type` field instead of trying every alternative.
 */
function discriminate(ctx: { zodSchema: z.core.$ZodType; jsonSchema: z.core.JSONSchema.BaseSchema }): void {
  const union = ctx.zodSchema;
  if (!(union instanceof z.ZodDiscriminatedUnion)) return;
  const key = union.def.discriminator;
  const mapping: Record<string, string> = {};
  for (const option of union.options) {
    const id = components.get(option)?.id;
    const tag = option instanceof z.ZodObject ? (option.shape as Record<string, unknown>)[key] : undefined;
    if (id === undefined || !(tag instanceof z.ZodLiteral)) return;
    mapping[String(tag.value)] = SCHEMA_REF + id;
  }
  ctx.jsonSchema.discriminator = { propertyName: key, mapping };
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) out[k] = k === '$ref' && typeof v === 'string' && v.startsWith(ZOD_DEFS) ? SCHEMA_REF + v.slice(ZOD_DEFS.length) : rewriteRefs(v);
  return out;
}

export class SchemaSet {
  /** components.schemas, filled as schemas that use them are converted. */
  readonly named: Record<string, Json> = {};

  /**
   * A request part is described as zod parses it ('input': defaults make a field optional, a transform's accepted
   * form); a reply as it is produced ('output').
   */
  convert(schema: z.ZodType, io: 'input' | 'output'): Json {
    const json = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
      metadata: components,
      override: (ctx) => {
        describeFromGlobal(ctx);
        discriminate(ctx);
      },
    }) as Json;
    const { $defs, $schema: _dialect, ...root } = json as Json & { $defs?: Record<string, Json> };
    for (const [name, def] of Object.entries($defs ?? {})) {
      const body = rewriteRefs(def) as Json;
      const known = this.named[name];
      if (known !== undefined && !isDeepStrictEqual(known, body)) {
        throw new Error(`the component schema ${name} reads differently as a request and as a reply; register the reply's schema under its own name`);
      }
      this.named[name] = body;
    }
    return rewriteRefs(root) as Json;
  }
}
