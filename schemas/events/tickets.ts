import * as z from '../zod';
import { IdSchema, TimestampSchema } from '../common';
import { SLA_TARGETS, TicketCategorySchema, TicketPrioritySchema } from '../tickets/records';
import { defineEvent } from './define';
import { SOURCES } from './sources';

/*
 * Service tickets, source crm.tickets. Created and Reopened start the ticket's SLA workflow (one
 * execution per cycle); the others tell other systems (and the measures) what happened to it.
 */

const TicketStartSchema = () => z.strictObject({
  ticketId: IdSchema,
  /** 1 for a new ticket, one more per reopening: one SLA workflow per cycle */
  cycle: z.int().check(z.gte(1)),
  accountId: IdSchema,
  teamId: IdSchema,
  assigneeId: IdSchema,
  priority: TicketPrioritySchema,
  category: TicketCategorySchema,
  at: TimestampSchema,
});

export const TicketCreated = defineEvent({
  source: SOURCES.tickets,
  detailType: 'Ticket.Created',
  direction: 'internal',
  description: 'A service ticket was created (by the call centre\'s Ticket.Opened, the API or the console). Starts its SLA workflow.',
  producers: ['POST /tickets', 'function tickets/open-call-centre-ticket (Ticket.Opened)'],
  consumers: ['workflow ticket-sla', 'measures (tickets opened)'],
  detail: TicketStartSchema,
});

export const TicketReopened = defineEvent({
  source: SOURCES.tickets,
  detailType: 'Ticket.Reopened',
  direction: 'internal',
  description: 'A resolved or closed ticket was reopened within its policy\'s reopening window. Restarts its SLA workflow for the new cycle.',
  producers: ['POST /tickets/{id}/reopen'],
  consumers: ['workflow ticket-sla', 'measures (tickets opened)'],
  detail: TicketStartSchema,
});

export const TicketBreached = defineEvent({
  source: SOURCES.tickets,
  detailType: 'Ticket.Breached',
  direction: 'internal',
  description: 'A ticket missed an SLA target (first response or resolution), or went one manager further up after one: level 1 is the assignee\'s manager.',
  producers: ['workflow ticket-sla'],
  consumers: ['other systems (the measures count breaches from Ticket.Closed, once per closed cycle)'],
  detail: () => z.strictObject({
    ticketId: IdSchema, cycle: z.int(), teamId: IdSchema, target: z.enum(SLA_TARGETS), dueAt: TimestampSchema,
    level: z.int().check(z.gte(1)), escalatedTo: z.optional(IdSchema),
  }),
});

/** Working time on the ticket's SLA clock (its team's calendar and zone, waits on the customer left out), in whole seconds. */
const WorkingSecondsSchema = () => z.int().check(z.gte(0));

export const TicketFirstResponded = defineEvent({
  source: SOURCES.tickets,
  detailType: 'Ticket.FirstResponded',
  direction: 'internal',
  description: 'A ticket got its first answer in this cycle (a response, or a resolution or close without one), with the working time it took on the SLA clock and whether it met its target.',
  producers: ['POST /tickets/{id}/{action}'],
  consumers: ['measures (time to first response)', 'other systems'],
  detail: () => z.strictObject({
    ticketId: IdSchema, cycle: z.int(), teamId: IdSchema, assigneeId: IdSchema, priority: TicketPrioritySchema,
    /** when this cycle's SLA started (opened, or reopened) */
    openedAt: TimestampSchema,
    respondedAt: TimestampSchema,
    /** absent for a ticket without SLA terms */
    workingSeconds: z.optional(WorkingSecondsSchema()),
    withinSla: z.boolean(),
  }),
});

export const TicketClosed = defineEvent({
  source: SOURCES.tickets,
  detailType: 'Ticket.Closed',
  direction: 'internal',
  description: 'A ticket was closed; its satisfaction survey is mailed.',
  producers: ['POST /tickets/{id}/close'],
  consumers: ['measures (time to resolution, breach rate)', 'other systems'],
  detail: () => z.strictObject({
    ticketId: IdSchema, cycle: z.int(), teamId: IdSchema, accountId: IdSchema, priority: TicketPrioritySchema, category: TicketCategorySchema,
    /** who had it when it closed */
    assigneeId: z.optional(IdSchema),
    /** when this cycle's SLA started (opened, or reopened) */
    openedAt: TimestampSchema,
    /** the first answer to the customer in this cycle, and whether it met its target */
    firstRespondedAt: TimestampSchema,
    firstResponseWithinSla: z.boolean(),
    resolvedAt: TimestampSchema,
    resolutionWithinSla: z.boolean(),
    /** working time from openedAt to resolvedAt on the SLA clock; absent for a ticket without SLA terms */
    resolutionWorkingSeconds: z.optional(WorkingSecondsSchema()),
    closedAt: TimestampSchema,
  }),
});

export const TicketRated = defineEvent({
  source: SOURCES.tickets,
  detailType: 'Ticket.Rated',
  direction: 'internal',
  description: 'The customer answered a closed ticket\'s satisfaction survey (1-5), once per cycle.',
  producers: ['POST /ticket-surveys/{token}'],
  consumers: ['measures (satisfaction)', 'other systems'],
  detail: () => z.strictObject({
    ticketId: IdSchema, cycle: z.int(), teamId: IdSchema, accountId: IdSchema,
    /** who had it when it closed */
    assigneeId: z.optional(IdSchema),
    score: z.int().check(z.gte(1), z.lte(5)), at: TimestampSchema,
  }),
});
