import * as z from '../zod';
import { IdSchema } from '../common';
import {
  OrderPlaced, PaymentReceived, RecordChanged, TicketClosed, TicketCreated, TicketFirstResponded, TicketRated, TicketReopened,
} from '../events';

/**
 * The events the measures count (functions/measures/record-measures.ts measures each; the deployment's
 * rule delivers exactly these). A measure of another event adds it here and its rule there.
 */
export const MEASURED_EVENTS = [
  RecordChanged, OrderPlaced, PaymentReceived, TicketCreated, TicketReopened, TicketFirstResponded, TicketClosed, TicketRated,
] as const;

/**
 * The dashboard's tiles (functions/measures): each is one partition of aggregates per bucket, read with
 * one Query over a range of months.
 *   pipeline    per opportunity stage: entered, exited, advanced, time in the stage
 *   leads       leads created in a month and how many of them converted
 *   response    per lead / opportunity: created, answered, time to the first activity
 *   campaigns   per campaign: leads, orders, revenue (payments), cost (approved claims): ROI, cost per lead and per order
 *   promotions  per promotion and per fund: approved, claimed, spent, released
 *   accounts    per account: orders, order value, payments, revenue, days from order to payment
 *   service     per team (the ticket's department, its tree above it): tickets opened and reopened, first
 *               responses and their working time, closed tickets with their resolution's working time and
 *               how many missed an SLA target (the breach rate), satisfaction ratings; one row per month
 */
export const MEASURE_TILES = ['pipeline', 'leads', 'response', 'campaigns', 'promotions', 'accounts', 'service'] as const;
export const MeasureTileSchema = z.enum(MEASURE_TILES);
export type MeasureTile = z.infer<typeof MeasureTileSchema>;

export const MonthSchema = z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM'));
/** Whose figures: the caller's own, one department's own, or a department with the departments under it. */
export const MEASURE_VIEWS = ['own', 'department', 'tree'] as const;
export const MeasureViewSchema = z.enum(MEASURE_VIEWS);
export type MeasureView = z.infer<typeof MeasureViewSchema>;
/** The longest range one tile reads: two years of months. */
export const MAX_MEASURE_MONTHS = 24;

export const MeasureQuerySchema = z.strictObject({
  /** first and last month (UTC), inclusive; default: the current month */
  from: z.optional(MonthSchema),
  to: z.optional(MonthSchema),
  /** default: the widest view the caller has (see GET /measures/scopes) */
  view: z.optional(MeasureViewSchema),
  departmentId: z.optional(IdSchema),
});
export type MeasureQuery = z.infer<typeof MeasureQuerySchema>;

const FigureSchema = z.nullable(z.number());
export const MeasureRowSchema = z.object({
  /** the month; absent in totals over the range */
  period: z.optional(MonthSchema),
  dimension: z.string(),
  label: z.optional(z.string()),
  /** counters and sums as stored (counts, seconds, days) */
  counts: z.record(z.string(), z.number()),
  /** money sums by field and currency, minor units */
  money: z.record(z.string(), z.record(z.string(), z.number())),
  /** what is computed from them: rates (0..1), averages; per currency for money (`costPerLeadMinor#EUR`); null without a basis */
  figures: z.record(z.string(), FigureSchema),
});
export type MeasureRow = z.infer<typeof MeasureRowSchema>;

export const MeasureTileResponseSchema = z.object({
  tile: MeasureTileSchema,
  from: MonthSchema,
  to: MonthSchema,
  view: MeasureViewSchema,
  departmentId: z.optional(IdSchema),
  /** one row per month and dimension */
  rows: z.array(MeasureRowSchema),
  /** one row per dimension over the whole range */
  totals: z.array(MeasureRowSchema),
});
export type MeasureTileResponse = z.infer<typeof MeasureTileResponseSchema>;

export const MeasureScopesSchema = z.object({
  /** what the caller may pick, widest first; the first is the default */
  choices: z.array(z.object({ view: MeasureViewSchema, departmentId: z.optional(IdSchema), label: z.string() })),
  tiles: z.array(MeasureTileSchema),
  /** the month it is (UTC) by the system's clock, which a tile reads when asked for no months: the dashboard's default */
  currentMonth: MonthSchema,
});
export type MeasureScopes = z.infer<typeof MeasureScopesSchema>;
