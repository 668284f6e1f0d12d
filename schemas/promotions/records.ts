import * as z from '../zod';
import {
  CurrencySchema, IdSchema, LongTextSchema, MoneySchema, NameSchema, ShortTextSchema, SystemFieldsSchema, TimestampSchema,
} from '../common';
import { lazy } from '../lazy';
import { defineRecord } from '../records/define';
import { referenceTo } from '../references';

/*
 * Trade promotions, funds, campaigns and expense claims (DOMAIN.md processes 1-3).
 *
 * Money is integer minor units. A fund keeps its balance as four integers that always satisfy
 *   allocatedMinor = availableMinor + reservedMinor + spentMinor
 * and every movement between them is a ledger entry (fundLedgerKey in schemas/keys/promotions.ts), written in the
 * same transaction as the balance change, so the balance is explainable line by line.
 *
 * The client writes the `fields` of each definition; everything else (status, balances, money
 * totals, workflow bookkeeping) is the server's, listed in the *RecordSchema below.
 */

const MinorSchema = z.int().check(z.gte(0));
const PeriodSchema = z.string().check(z.regex(/^\d{4}(-Q[1-4]|-H[12]|-(0[1-9]|1[0-2]))?$/, 'must be a year, a quarter, a half or a month, e.g. 2027, 2027-Q1, 2027-H2, 2027-03'));

// ------------------------------------------------------------------------------------------------
// Funds

export const Funds = defineRecord({
  type: 'FUND',
  plural: 'funds',
  owned: true,
  fields: () => ({
    name: NameSchema,
    region: ShortTextSchema,
    period: PeriodSchema,
    /** the budget given to the fund; its currency is the fund's */
    allocated: MoneySchema,
  }),
});
export const fundRecordSchema = lazy(() => z.object({
  ...Funds.record.shape,
  currency: CurrencySchema,
  allocatedMinor: MinorSchema,
  availableMinor: MinorSchema,
  reservedMinor: MinorSchema,
  spentMinor: MinorSchema,
}));
export type FundRecord = z.infer<ReturnType<typeof fundRecordSchema>>;

export const LEDGER_KINDS = ['allocate', 'reserve', 'release', 'spend'] as const;
export const ledgerEntrySchema = lazy(() => z.object({
  movementId: z.string(),
  kind: z.enum(LEDGER_KINDS),
  amountMinor: MinorSchema,
  currency: CurrencySchema,
  at: TimestampSchema,
  /** what the movement is for: the promotion, the claim */
  promotionId: z.optional(IdSchema),
  claimId: z.optional(IdSchema),
  note: z.string(),
  /** the fund's balance right after this movement */
  after: z.object({ availableMinor: MinorSchema, reservedMinor: MinorSchema, spentMinor: MinorSchema }),
}));
export type LedgerEntry = z.infer<ReturnType<typeof ledgerEntrySchema>>;

export const fundStatementSchema = lazy(() => z.object({
  fund: fundRecordSchema(),
  entries: z.array(ledgerEntrySchema()),
  /** what the entries add up to: equal to the fund's balance when the statement balances */
  totals: z.object({ allocatedMinor: z.int(), availableMinor: z.int(), reservedMinor: z.int(), spentMinor: z.int() }),
  balances: z.boolean(),
}));

// ------------------------------------------------------------------------------------------------
// Campaigns

export const Campaigns = defineRecord({
  type: 'CAMPAIGN',
  plural: 'campaigns',
  owned: true,
  fields: () => ({
    name: NameSchema,
    description: z.optional(LongTextSchema),
    startsAt: TimestampSchema,
    endsAt: TimestampSchema,
    /** days after the end before settling, for late payments */
    settlementDelayDays: z.int().check(z.gte(0), z.lte(365)),
    /** the currency its promotions and its report are in */
    currency: CurrencySchema,
  }),
});
export const CAMPAIGN_STATUSES = ['planned', 'settled'] as const;
export const campaignRecordSchema = lazy(() => z.object({ ...Campaigns.record.shape, status: z.enum(CAMPAIGN_STATUSES) }));

// ------------------------------------------------------------------------------------------------
// Promotions

export const PROMOTION_TYPES = ['price-discount', 'display', 'tasting', 'gift', 'listing-fee', 'other'] as const;
export const PROMOTION_STATUSES = [
  'draft', 'submitted', 'approved', 'rejected', 'active', 'ended', 'closed-out', 'settled', 'cancelled',
] as const;
export type PromotionStatus = (typeof PROMOTION_STATUSES)[number];

export const ExpenseLineSchema = z.strictObject({
  kind: ShortTextSchema,
  amount: MoneySchema,
  note: z.optional(z.string().check(z.maxLength(500))),
});

export const Promotions = defineRecord({
  type: 'PROMOTION',
  plural: 'promotions',
  owned: true,
  fields: () => ({
    name: NameSchema,
    description: LongTextSchema,
    type: z.enum(PROMOTION_TYPES),
    startsAt: TimestampSchema,
    endsAt: TimestampSchema,
    /** product ids or product series names */
    productIds: z.optional(z.array(referenceTo('PRODUCT')).check(z.maxLength(20))),
    productSeries: z.optional(z.array(ShortTextSchema).check(z.maxLength(20))),
    accountIds: z.array(referenceTo('ACCOUNT')).check(z.maxLength(20)),
    expenseLines: z.array(ExpenseLineSchema).check(z.minLength(1), z.maxLength(50)),
    fundId: referenceTo('FUND'),
    campaignId: z.optional(referenceTo('CAMPAIGN')),
    region: ShortTextSchema,
  }),
});

/** How often the rep is reminded to close out an ended promotion, and after how many reminders it is overdue (finance copied). */
export const CLOSE_OUT_REMIND_EVERY_SECONDS = 3 * 24 * 3600;
export const CLOSE_OUT_OVERDUE_AFTER_REMINDERS = 3;
/** A promotion without a campaign is settled this long after its end (for late payments). */
export const PROMOTION_SETTLEMENT_DELAY_DAYS = 30;

export const CloseOutSchema = z.strictObject({
  actuals: z.array(z.strictObject({
    productId: referenceTo('PRODUCT'),
    units: z.int().check(z.gte(0)),
    revenue: MoneySchema,
  })).check(z.maxLength(50)),
  evidenceRefs: z.array(ShortTextSchema).check(z.minLength(1, 'name at least one proof of execution'), z.maxLength(50)),
  comments: z.optional(LongTextSchema),
});
export type CloseOut = z.infer<typeof CloseOutSchema>;

/** A promotion's money, all in its fund's currency (minor units). */
export const PromotionMoneySchema = z.object({
  currency: CurrencySchema,
  /** the sum of its expense lines: what it asks for */
  budgetMinor: MinorSchema,
  /** what approval granted and the fund reserved */
  approvedMinor: MinorSchema,
  /** still held in the fund for it (approved - claimed - released) */
  reservedMinor: MinorSchema,
  /** approved claims (spent from the fund) */
  claimedMinor: MinorSchema,
  /** claims submitted and not yet decided */
  pendingClaimMinor: MinorSchema,
  /** what a new claim may still ask for (approved - claimed - pending) */
  claimableMinor: MinorSchema,
  /** given back to the fund (cancellation, settlement) */
  releasedMinor: MinorSchema,
});
export type PromotionMoney = z.infer<typeof PromotionMoneySchema>;

export const promotionRecordSchema = lazy(() => z.object({
  ...Promotions.record.shape,
  status: z.enum(PROMOTION_STATUSES),
  /** how often it was submitted; each submission is one lifecycle execution and one approval request */
  submission: z.int(),
  money: PromotionMoneySchema,
  rejectionReasons: z.optional(z.array(z.string())),
  closeOut: z.optional(CloseOutSchema),
  closeOutOverdue: z.optional(z.boolean()),
}));
export type PromotionRecord = z.infer<ReturnType<typeof promotionRecordSchema>>;

// ------------------------------------------------------------------------------------------------
// Expense claims

export const CLAIM_STATUSES = ['draft', 'submitted', 'approved', 'rejected', 'paid'] as const;
export const ClaimLineSchema = z.strictObject({
  kind: ShortTextSchema,
  amount: MoneySchema,
  /** a receipt or photo reference; each may be claimed once, across all claims */
  evidenceRef: ShortTextSchema,
});
export const Claims = defineRecord({
  type: 'CLAIM',
  plural: 'claims',
  owned: true,
  fields: () => ({
    promotionId: referenceTo('PROMOTION'),
    lines: z.array(ClaimLineSchema).check(z.minLength(1), z.maxLength(50)),
    note: z.optional(LongTextSchema),
  }),
});
export const claimRecordSchema = lazy(() => z.object({
  ...Claims.record.shape,
  status: z.enum(CLAIM_STATUSES),
  submission: z.int(),
  total: MoneySchema,
  rejectionReasons: z.optional(z.array(z.string())),
  paymentReference: z.optional(z.string()),
  paidAt: z.optional(TimestampSchema),
}));

// ------------------------------------------------------------------------------------------------
// The effect report (campaign settlement)

export const effectReportSchema = lazy(() => z.object({
  target: z.object({ type: z.enum(['campaign', 'promotion']), id: IdSchema }),
  settledAt: TimestampSchema,
  currency: CurrencySchema,
  /** payments attributed to it */
  revenueMinor: z.int(),
  payments: z.int(),
  /** orders attributed to it (their value; revenue counts payments, so nothing is counted twice) */
  orderValueMinor: z.int(),
  orders: z.int(),
  leads: z.int(),
  /** approved claims: what the campaign cost */
  costMinor: z.int(),
  /** (revenue - cost) / cost in basis points (1 % = 100); null without cost */
  roiBasisPoints: z.nullable(z.int()),
  costPerLeadMinor: z.nullable(z.int()),
  costPerOrderMinor: z.nullable(z.int()),
  /** leads converted by the campaign's nurture sequences; null for a promotion settled without a campaign */
  conversions: z.nullable(z.int()),
  promotions: z.array(z.object({
    id: IdSchema, name: z.string(), approvedMinor: z.int(), claimedMinor: z.int(), releasedMinor: z.int(),
  })),
  /** attributed events in another currency, left out of the sums */
  excludedEvents: z.int(),
  /** attributed events that arrived after settlement (recorded, flagged, not in the figures above) */
  lateEvents: z.int(),
}));
export type EffectReport = z.infer<ReturnType<typeof effectReportSchema>>;

/** GET /campaigns/{id}/report: the effect report as its reader may see it, with the late events listed. */
export const effectReportViewSchema = lazy(() => z.object({
  ...effectReportSchema().shape,
  /**
   * whose promotions the figures cover: all of them, or (for a reader of only some, a sales rep) the
   * reader's department's or own, each figure computed over those and the events attributed to them
   * alone; events attributed to the campaign as a whole and its conversions (null) are left out then
   */
  scope: z.enum(['all', 'department', 'own']),
  late: z.array(z.object({
    kind: z.enum(['order', 'payment', 'lead']), externalId: z.string(), amount: z.optional(MoneySchema), at: TimestampSchema, recordedAt: TimestampSchema,
  })),
}));

export const StoredSystemFields = SystemFieldsSchema;
