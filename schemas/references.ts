import * as z from './zod';
import { IdSchema } from './common';

/**
 * A field that names another record is declared where the field is: `accountId: referenceTo('ACCOUNT')`.
 * The writers find every reference of a body by walking its schema (`referencesIn`), so a new reference
 * field is checked (it exists, and the writer may read it) without anyone listing it again.
 */
const REFERENCES = z.registry<{ type: string }>();

/** An id naming a record of `type` (ACCOUNT, FUND...). */
export function referenceTo(type: string) {
  const schema = z.clone(IdSchema);
  REFERENCES.add(schema, { type });
  return schema;
}

/** The record type a schema names when it is a reference, else undefined. */
export const referencedType = (schema: z.ZodMiniType): string | undefined => REFERENCES.get(schema)?.type;

/** One reference a value makes: where (as `accountIds.1`), to which record type, and the id. */
export interface Reference {
  field: string;
  type: string;
  id: string;
}

type Def = { type: string; innerType?: z.ZodMiniType; in?: z.ZodMiniType; element?: z.ZodMiniType; shape?: Record<string, z.ZodMiniType> };
const defOf = (schema: z.ZodMiniType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Every reference `value` makes where `schema` declares one, through objects, arrays and optional fields. */
export function referencesIn(schema: z.ZodMiniType, value: unknown, path: string[] = []): Reference[] {
  const type = referencedType(schema);
  if (type) return typeof value === 'string' ? [{ field: path.join('.'), type, id: value }] : [];
  const def = defOf(schema);
  if (def.innerType) return referencesIn(def.innerType, value, path);
  if (def.type === 'pipe' && def.in) return referencesIn(def.in, value, path);
  if (def.type === 'array' && def.element && Array.isArray(value)) {
    return value.flatMap((item, i) => referencesIn(def.element!, item, [...path, String(i)]));
  }
  if (def.type === 'object' && def.shape && value !== null && typeof value === 'object') {
    return Object.entries(def.shape).flatMap(([key, field]) => referencesIn(field, (value as Record<string, unknown>)[key], [...path, key]));
  }
  return [];
}
