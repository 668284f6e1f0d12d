import * as z from './zod';

export const IdSchema = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1-64 letters, digits, - or _'));
export const TimestampSchema = z.iso.datetime({ offset: true });
export const DateSchema = z.iso.date();
export const EmailSchema = z.email();
export const CurrencySchema = z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'));
export const TimeZoneSchema = z.string().check(
  z.refine((value) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/Berlin'),
);
/** A BCP 47 language tag such as en-GB: the language and formats (money, dates) a person reads. */
export const LocaleSchema = z.string().check(
  z.refine((value) => {
    try {
      return Intl.getCanonicalLocales(value).length === 1;
    } catch {
      return false;
    }
  }, 'must be a BCP 47 language tag such as en-GB'),
);
const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
export const NameSchema = text(200);
export const ShortTextSchema = text(100);
export const LongTextSchema = z.string().check(z.maxLength(10_000));
export const PhoneSchema = z.string().check(z.regex(/^\+?[0-9 ()./-]{3,32}$/, 'must be a phone number'));
export const UrlSchema = z.url();

/** Money is an integer number of minor units (cents) and its currency: never a float. */
export const MoneySchema = z.strictObject({
  amountMinor: z.int().check(z.gte(0)),
  currency: CurrencySchema,
});
export type Money = z.infer<typeof MoneySchema>;

/** service: the customer-care agents who work service tickets */
export const RoleSchema = z.enum(['admin', 'ops', 'marketing', 'finance', 'sales', 'service']);
export type Role = z.infer<typeof RoleSchema>;
export const ROLES = RoleSchema.options;

export const ConsentSchema = z.strictObject({
  status: z.enum(['given', 'withdrawn', 'unknown']),
  at: z.optional(TimestampSchema),
  source: z.optional(ShortTextSchema),
});

/** Attributes the server owns on every record; clients never send them except `version` on updates. */
export const SystemFieldsSchema = z.object({
  id: IdSchema,
  version: z.int().check(z.gte(1)),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  deletedAt: z.optional(TimestampSchema),
});

/** Every record a user owns carries its owner and the owner's department (for record-level access). */
export const OwnershipSchema = z.object({
  ownerId: IdSchema,
  departmentId: IdSchema,
});

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.optional(z.string()),
  errors: z.optional(z.array(z.object({ field: z.string(), message: z.string(), code: z.optional(z.string()) }))),
});

export const PageQuerySchema = z.strictObject({
  limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100))),
  cursor: z.optional(z.string().check(z.maxLength(2048))),
});
