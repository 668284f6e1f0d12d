import * as z from '../zod';
import { DateSchema, EmailSchema, IdSchema, MoneySchema, NameSchema, PhoneSchema, ShortTextSchema, TimeZoneSchema, TimestampSchema } from '../common';
import { TicketCategorySchema, TicketPrioritySchema } from '../tickets/records';
import { defineEvent } from './define';
import { SOURCES } from './sources';

/** The ERP names accounts by their code, the key both systems share. */
const AccountCodeSchema = z.string().check(z.regex(/^[A-Z0-9][A-Z0-9-]{1,31}$/, 'must be an account code: 2-32 capitals, digits or -'));
/** Another system's id for its own record (an order number); short enough to name a CRM record after it. */
const ExternalIdSchema = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,49}$/, 'must be 1-50 letters, digits, - or _'));
/** What revenue is attributed to, when the sending system knows it. */
const Attribution = {
  campaignId: z.optional(IdSchema),
  promotionId: z.optional(IdSchema),
};

export const LeadCaptured = defineEvent({
  source: SOURCES.webForms,
  detailType: 'Lead.Captured',
  direction: 'inbound',
  description: 'A prospect filled in a web form (a webinar sign-up, a contact form, a download).',
  producers: ['web forms (POST /events)'],
  consumers: ['lead nurturing (function nurture/route-nurture-events: creates the lead, enrols it)'],
  detail: () => z.strictObject({
    formId: ShortTextSchema,
    capturedAt: TimestampSchema,
    firstName: ShortTextSchema,
    lastName: ShortTextSchema,
    email: EmailSchema,
    phone: z.optional(PhoneSchema),
    company: z.optional(NameSchema),
    interests: z.optional(z.array(ShortTextSchema).check(z.maxLength(50))),
    region: z.optional(ShortTextSchema),
    timeZone: z.optional(TimeZoneSchema),
    /** what the person agreed to on the form */
    consent: z.strictObject({ marketing: z.boolean(), text: z.optional(z.string().check(z.maxLength(1000))) }),
    ...Attribution,
  }),
});

export const OrderPlaced = defineEvent({
  source: SOURCES.erp,
  detailType: 'Order.Placed',
  direction: 'inbound',
  description: 'The ERP booked a customer order. It lands on the account\'s timeline and counts towards campaign revenue.',
  producers: ['ERP (POST /events or PutEvents)'],
  consumers: ['workflow record-erp-activity (the account timeline)', 'campaign settlement (planned)'],
  detail: () => z.strictObject({
    orderId: ExternalIdSchema,
    accountCode: AccountCodeSchema,
    placedAt: TimestampSchema,
    amount: MoneySchema,
    lines: z.optional(z.array(z.strictObject({
      productCode: ShortTextSchema,
      quantity: z.int().check(z.gte(1)),
      amount: MoneySchema,
    })).check(z.maxLength(500))),
    ...Attribution,
  }),
});

export const PaymentReceived = defineEvent({
  source: SOURCES.erp,
  detailType: 'Payment.Received',
  direction: 'inbound',
  description: 'A customer paid. It lands on the account\'s timeline and counts towards campaign revenue.',
  producers: ['ERP (POST /events or PutEvents)'],
  consumers: ['workflow record-erp-activity (the account timeline)', 'campaign settlement (planned)'],
  detail: () => z.strictObject({
    paymentId: ExternalIdSchema,
    accountCode: AccountCodeSchema,
    receivedAt: TimestampSchema,
    amount: MoneySchema,
    orderId: z.optional(ExternalIdSchema),
    ...Attribution,
  }),
});

export const ClaimPaid = defineEvent({
  source: SOURCES.erp,
  detailType: 'Claim.Paid',
  direction: 'inbound',
  description: 'The ERP paid an approved promotion expense claim.',
  producers: ['ERP (POST /events or PutEvents)'],
  consumers: ['expense claims (planned)'],
  detail: () => z.strictObject({
    claimId: IdSchema,
    paidAt: TimestampSchema,
    amount: MoneySchema,
    paymentReference: ExternalIdSchema,
  }),
});

export const TicketOpened = defineEvent({
  source: SOURCES.callCentre,
  detailType: 'Ticket.Opened',
  direction: 'inbound',
  description: 'The call centre opened a service ticket (a complaint or a request). It becomes a ticket of the intake team, under that team\'s SLA policy.',
  producers: ['call centre (POST /events)'],
  consumers: ['service tickets (function tickets/open-call-centre-ticket: creates the ticket once per ticketId; its Ticket.Created starts its SLA workflow)'],
  detail: () => z.strictObject({
    ticketId: ExternalIdSchema,
    openedAt: TimestampSchema,
    subject: NameSchema,
    priority: TicketPrioritySchema,
    /** what the call centre promised the caller; the team's SLA policy sets the targets, this is kept on the ticket's notes */
    slaHours: z.int().check(z.gte(1), z.lte(24 * 90)),
    category: z.optional(TicketCategorySchema),
    description: z.optional(z.string().check(z.maxLength(10_000))),
    accountCode: z.optional(AccountCodeSchema),
    contactEmail: z.optional(EmailSchema),
    dueDate: z.optional(DateSchema),
  }),
});
