import * as z from '../zod';
import { MoneySchema, NameSchema, ShortTextSchema } from '../common';
import { defineRecord } from './define';

export const Products = defineRecord({
  type: 'PRODUCT',
  plural: 'products',
  owned: false,
  unique: ['code'],
  fields: () => ({
    code: z.string().check(z.regex(/^[A-Z0-9][A-Z0-9-]{1,31}$/, 'must be 2-32 capitals, digits or -')),
    name: NameSchema,
    series: ShortTextSchema,
    unitPrice: MoneySchema,
    status: z.enum(['active', 'discontinued']),
  }),
});
export type Product = z.infer<typeof Products.record>;
