import * as z from '../zod';
import { SystemFieldsSchema } from '../common';
import { lazy } from '../lazy';
import { referenceTo } from '../references';

type Shape = z.core.$ZodLooseShape;

const ownershipShape = () => ({ ownerId: referenceTo('USER'), departmentId: referenceTo('DEPARTMENT') });
/** What an owned record adds to its fields (an unowned one adds nothing), so that its inferred type has them. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an unowned record adds no field
type Ownership<O extends boolean> = O extends true ? ReturnType<typeof ownershipShape> : {};

/**
 * One definition per record type gives the three contracts the API needs from the same fields:
 * the stored record, the create body and the update body (a partial plus the version it was read at).
 * Owned records also carry ownerId/departmentId; on create they default to the caller. Fields the
 * server sets (`serverFields`) are in the stored record only: a body that sends one is refused, naming it.
 * A field naming another record is declared with referenceTo (schemas/references.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a record type without server fields adds none
export function defineRecord<const T extends string, F extends Shape, O extends boolean, S extends Shape = {}>(spec: {
  type: T;
  /** the path segment and the OpenAPI tag, e.g. "accounts" */
  plural: string;
  /** the fields a client writes; a function so that no schema is built before a request uses one */
  fields: () => F;
  owned: O;
  /** fields only the server writes (a stage's start time, an away period that has its own route) */
  serverFields?: () => S;
  /** fields whose value no other live record of this type may have */
  unique?: string[];
}) {
  const ownership = () => (spec.owned ? ownershipShape() : {}) as Ownership<O>;
  const shape = lazy(spec.fields);
  const fields = lazy(() => z.strictObject(shape()));
  const create = lazy(() => z.strictObject({
    ...shape(),
    ...(spec.owned ? { ownerId: z.optional(referenceTo('USER')), departmentId: z.optional(referenceTo('DEPARTMENT')) } : {}),
  }));
  const update = lazy(() => z.strictObject({
    version: z.int().check(z.gte(1)),
    ...z.partial(z.strictObject({ ...shape(), ...ownership() })).shape,
  }));
  const record = lazy(() => z.object({ ...SystemFieldsSchema.shape, ...ownership(), ...shape(), ...(spec.serverFields ? spec.serverFields() : ({} as S)) }));
  return {
    type: spec.type, plural: spec.plural, owned: spec.owned, unique: spec.unique ?? [],
    get fields() { return fields(); },
    get create() { return create(); },
    get update() { return update(); },
    get record() { return record(); },
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
  unique: string[];
}
