import * as z from '../zod';
import { IdSchema, SystemFieldsSchema } from '../common';

type Shape = z.core.$ZodLooseShape;

/**
 * One definition per record type gives the three contracts the API needs from the same fields:
 * the stored record, the create body and the update body (a partial plus the version it was read at).
 * Owned records also carry ownerId/departmentId; on create they default to the caller.
 */
export function defineRecord<const T extends string, F extends Shape, O extends boolean>(spec: {
  type: T;
  /** the path segment and the OpenAPI tag, e.g. "accounts" */
  plural: string;
  fields: F;
  owned: O;
  /** fields that name another record, and its type: checked to exist in the same transaction as the write */
  references?: Record<string, string>;
  /** fields whose value no other live record of this type may have */
  unique?: string[];
}) {
  const ownership = spec.owned ? { ownerId: IdSchema, departmentId: IdSchema } : {};
  const fields = z.strictObject(spec.fields);
  const create = z.strictObject({
    ...spec.fields,
    ...(spec.owned ? { ownerId: z.optional(IdSchema), departmentId: z.optional(IdSchema) } : {}),
  });
  const update = z.strictObject({
    version: z.int().check(z.gte(1)),
    ...z.partial(z.strictObject({ ...spec.fields, ...ownership })).shape,
  });
  const record = z.object({ ...SystemFieldsSchema.shape, ...ownership, ...spec.fields });
  const references = { ...(spec.owned ? { ownerId: 'USER', departmentId: 'DEPARTMENT' } : {}), ...spec.references };
  return {
    type: spec.type, plural: spec.plural, owned: spec.owned, fields, create, update, record,
    references, unique: spec.unique ?? [],
  };
}

/** The shape the generic record code works with, whatever the record's own fields. */
export interface RecordDefinition {
  type: string;
  plural: string;
  owned: boolean;
  fields: z.ZodMiniType;
  create: z.ZodMiniType<Record<string, unknown>>;
  update: z.ZodMiniType<{ version: number } & Record<string, unknown>>;
  record: z.ZodMiniType<Record<string, unknown>>;
  references: Record<string, string>;
  unique: string[];
}
