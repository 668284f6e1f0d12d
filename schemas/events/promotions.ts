import * as z from '../zod';
import { IdSchema, MoneySchema, NameSchema, ShortTextSchema, TimestampSchema } from '../common';
import { defineEvent } from './define';
import { SOURCES } from './sources';

/*
 * The trade-promotion events, source crm.promotions. Submitted events start the workflows
 * (promotion lifecycle, expense claim); the others tell other systems (the ERP pays Claim.Approved).
 */

const SettlementTargetSchema = z.strictObject({ type: z.enum(['campaign', 'promotion']), id: IdSchema });
/** What the settlement workflow settles, and when (the end plus the settlement delay). */
const SettlementSchema = z.strictObject({ target: SettlementTargetSchema, settleAt: TimestampSchema });

export const PromotionSubmitted = defineEvent({
  source: SOURCES.promotions,
  detailType: 'Promotion.Submitted',
  direction: 'internal',
  description: 'A rep submitted a promotion for approval (validated: dates, lines, fund and currency). Starts its lifecycle.',
  producers: ['POST /promotions/{id}/submit'],
  consumers: ['workflow promotion-lifecycle'],
  detail: () => z.strictObject({
    promotionId: IdSchema,
    /** what people call it, its target accounts and its fund, by name: what its approvers read */
    name: NameSchema,
    accountNames: z.array(NameSchema),
    fundName: NameSchema,
    submission: z.int(),
    submitterId: IdSchema,
    ownerId: IdSchema,
    departmentId: IdSchema,
    fundId: IdSchema,
    campaignId: z.optional(IdSchema),
    type: ShortTextSchema,
    region: ShortTextSchema,
    amount: MoneySchema,
    startsAt: TimestampSchema,
    endsAt: TimestampSchema,
  }),
});

export const PromotionApproved = defineEvent({
  source: SOURCES.promotions,
  detailType: 'Promotion.Approved',
  direction: 'internal',
  description: 'A promotion was approved and its budget reserved from its fund.',
  producers: ['workflow promotion-lifecycle'],
  consumers: ['other systems (the ERP may set up the price conditions)'],
  detail: () => z.strictObject({ promotionId: IdSchema, fundId: IdSchema, amount: MoneySchema, startsAt: TimestampSchema, endsAt: TimestampSchema }),
});

export const PromotionClosedOut = defineEvent({
  source: SOURCES.promotions,
  detailType: 'Promotion.ClosedOut',
  direction: 'internal',
  description: 'The rep closed a promotion out with its actual results; a promotion without a campaign is then settled on its own.',
  producers: ['workflow promotion-lifecycle'],
  consumers: ['workflow campaign-settlement (promotions without a campaign)'],
  detail: () => z.strictObject({ promotionId: IdSchema, campaignId: z.optional(IdSchema), settlement: z.optional(SettlementSchema) }),
});

export const CampaignPlanned = defineEvent({
  source: SOURCES.promotions,
  detailType: 'Campaign.Planned',
  direction: 'internal',
  description: 'Marketing created a campaign; its settlement is scheduled for its end plus the settlement delay.',
  producers: ['POST /campaigns'],
  consumers: ['workflow campaign-settlement'],
  detail: () => z.strictObject({ campaignId: IdSchema, settlement: SettlementSchema }),
});

export const ClaimSubmitted = defineEvent({
  source: SOURCES.promotions,
  detailType: 'Claim.Submitted',
  direction: 'internal',
  description: 'A rep submitted an expense claim (within the promotion\'s claimable budget, evidence not claimed before). Starts the claim workflow.',
  producers: ['POST /claims/{id}/submit'],
  consumers: ['workflow expense-claim'],
  detail: () => z.strictObject({
    claimId: IdSchema,
    submission: z.int(),
    promotionId: IdSchema,
    /** the promotion's name: what finance reads */
    promotionName: NameSchema,
    submitterId: IdSchema,
    ownerId: IdSchema,
    departmentId: IdSchema,
    region: ShortTextSchema,
    amount: MoneySchema,
  }),
});

export const ClaimApproved = defineEvent({
  source: SOURCES.promotions,
  detailType: 'Claim.Approved',
  direction: 'internal',
  description: 'Finance approved an expense claim: its money is spent from the fund and it is payable. The ERP pays it and answers Claim.Paid.',
  producers: ['workflow expense-claim'],
  consumers: ['ERP (pays it)'],
  detail: () => z.strictObject({ claimId: IdSchema, promotionId: IdSchema, fundId: IdSchema, payeeId: IdSchema, amount: MoneySchema, approvedAt: TimestampSchema }),
});

export const CampaignSettled = defineEvent({
  source: SOURCES.promotions,
  detailType: 'Campaign.Settled',
  direction: 'internal',
  description: 'A campaign (or a promotion without one) was settled: unclaimed budget released, effect report stored and mailed.',
  producers: ['workflow campaign-settlement'],
  consumers: ['other systems'],
  detail: () => z.strictObject({
    target: SettlementTargetSchema,
    currency: ShortTextSchema,
    revenueMinor: z.int(),
    costMinor: z.int(),
    roiBasisPoints: z.nullable(z.int()),
    releasedMinor: z.int(),
  }),
});
