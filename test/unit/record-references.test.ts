import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../schemas/api/routes';
import { CloseOutSchema, Promotions } from '../../schemas/promotions/records';
import { referencedType, referencesIn } from '../../schemas/references';
import type * as z from '../../schemas/zod';

type Def = { type: string; innerType?: z.ZodMiniType; in?: z.ZodMiniType; element?: z.ZodMiniType; shape?: Record<string, z.ZodMiniType> };
const defOf = (schema: z.ZodMiniType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Every field of a schema named like an id of another record (`accountId`, `productIds`), as
 * `actuals.*.productId`, and whether the schema declares it a reference.
 */
function idNamedFields(schema: z.ZodMiniType, path: string[] = []): { field: string; reference: boolean }[] {
  const def = defOf(schema);
  const named = /[a-z]Ids?$/.test(path.filter((segment) => segment !== '*').at(-1) ?? '');
  if (named && referencedType(schema)) return [{ field: path.join('.'), reference: true }];
  if (def.innerType) return idNamedFields(def.innerType, path);
  if (def.type === 'array' && def.element) return idNamedFields(def.element, [...path, '*']);
  if (def.type === 'object' && def.shape) return Object.entries(def.shape).flatMap(([key, field]) => idNamedFields(field, [...path, key]));
  return named ? [{ field: path.join('.'), reference: false }] : [];
}

describe('references declared in the record schemas', () => {
  it('declare every id field of every record and promotion body as a reference, so each write checks it', () => {
    const bodies = ROUTES.filter((r) => /^(records|promotions)\//.test(r.operation))
      .map((r) => ({ route: `${r.method} ${r.path}`, body: r.contract?.().body }))
      .filter((b): b is { route: string; body: z.ZodMiniType } => b.body !== undefined);
    expect(bodies.length).toBeGreaterThan(20);
    expect(bodies.flatMap(({ body }) => idNamedFields(body)).length).toBeGreaterThan(20);
    for (const { route, body } of bodies) {
      const fields = idNamedFields(body);
      expect(fields.filter((f) => !f.reference).map((f) => f.field), route).toEqual([]);
    }
  });

  it('finds the references of a value, in arrays and nested objects, with the path of each', () => {
    const promotion = { fundId: 'f-1', accountIds: ['a-1', 'a-2'], productIds: ['p-1'], ownerId: 'u-1', name: 'n' };
    expect(referencesIn(Promotions.create, promotion)).toEqual(expect.arrayContaining([
      { field: 'fundId', type: 'FUND', id: 'f-1' },
      { field: 'accountIds.0', type: 'ACCOUNT', id: 'a-1' },
      { field: 'accountIds.1', type: 'ACCOUNT', id: 'a-2' },
      { field: 'productIds.0', type: 'PRODUCT', id: 'p-1' },
      { field: 'ownerId', type: 'USER', id: 'u-1' },
    ]));
    expect(referencesIn(CloseOutSchema, { actuals: [{ productId: 'p-9', units: 1 }], evidenceRefs: ['x'] }))
      .toEqual([{ field: 'actuals.0.productId', type: 'PRODUCT', id: 'p-9' }]);
  });
});
