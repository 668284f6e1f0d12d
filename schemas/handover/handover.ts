import * as z from '../zod';
import { ShortTextSchema, TimestampSchema } from '../common';
import { lazy } from '../lazy';
import { referenceTo } from '../references';

/*
 * Work handover: ops or admin hand a leaving (or moving) user's book to other users in one request.
 * The kinds of item a book holds are one list; each kind says how it is found and moved
 * (functions/records/handover-kinds.ts), so a new kind is one entry there and one name here.
 */
// in the order a book is listed and moved: the customers first, the leads (often the bulk) last
export const HANDOVER_ITEM_KINDS = ['account', 'contact', 'opportunity', 'promotion', 'approval-task', 'ticket', 'lead'] as const;
export const HandoverItemKindSchema = z.enum(HANDOVER_ITEM_KINDS);
export type HandoverItemKind = (typeof HANDOVER_ITEM_KINDS)[number];

/** Part of the book that goes to someone else than `toUserId`: by the accounts' regions, or by account. */
export const HandoverSplitSchema = z.strictObject({
  toUserId: referenceTo('USER'),
  regions: z.optional(z.array(ShortTextSchema).check(z.minLength(1), z.maxLength(20))),
  accountIds: z.optional(z.array(referenceTo('ACCOUNT')).check(z.minLength(1), z.maxLength(200))),
}).check(z.refine((split) => Boolean(split.regions ?? split.accountIds), { message: 'names regions or accountIds (or both)' }));
export type HandoverSplit = z.output<typeof HandoverSplitSchema>;

/** What a preview and a start take: whose book, to whom (the rest after the splits), and whether the leaver is deactivated at the end. */
export const HandoverBodySchema = z.strictObject({
  fromUserId: referenceTo('USER'),
  toUserId: referenceTo('USER'),
  split: z.optional(z.array(HandoverSplitSchema).check(z.maxLength(20))),
  deactivate: z.optional(z.boolean()),
});
export type HandoverBody = z.output<typeof HandoverBodySchema>;

/** One item of a book: what it is, who gets it, and whether it can move (and why not). */
export const HandoverItemSchema = z.object({
  kind: HandoverItemKindSchema,
  id: z.string(),
  label: z.string(),
  toUserId: z.string(),
  /** the department the item stays in whoever holds it: a ticket stays with the team that works it */
  departmentId: z.optional(z.string()),
  /** why it cannot move (a promotion under approval, an approval task the receiver may not decide); absent when it can */
  blocked: z.optional(z.string()),
});
export type HandoverItem = z.output<typeof HandoverItemSchema>;

export const HANDOVER_OUTCOMES = ['moved', 'not-moved'] as const;
export const HandoverOutcomeSchema = z.object({ outcome: z.enum(HANDOVER_OUTCOMES), reason: z.optional(z.string()), at: TimestampSchema });
export type HandoverOutcome = z.output<typeof HandoverOutcomeSchema>;

const countsSchema = () => z.record(z.string(), z.object({ move: z.int(), cannotMove: z.int() }));

export const handoverPreviewSchema = lazy(() => z.object({
  fromUserId: z.string(),
  total: z.int(),
  counts: countsSchema(),
  /** the first items, in kind order (all of them up to PREVIEW_ITEM_LIMIT) */
  items: z.array(HandoverItemSchema),
  truncated: z.boolean(),
  cannotMove: z.array(HandoverItemSchema),
}));
/** A preview lists this many items at most; its counts cover the whole book. */
export const PREVIEW_ITEM_LIMIT = 500;

export const HANDOVER_STATUSES = ['started', 'running', 'completed', 'failed'] as const;

export const handoverRecordSchema = lazy(() => z.object({
  id: z.string(),
  fromUserId: z.string(),
  toUserId: z.string(),
  split: z.array(HandoverSplitSchema),
  deactivate: z.boolean(),
  status: z.enum(HANDOVER_STATUSES),
  startedBy: z.string(),
  startedAt: TimestampSchema,
  finishedAt: z.optional(TimestampSchema),
  /** the leaver was deactivated at the end */
  deactivated: z.optional(z.boolean()),
  failure: z.optional(z.string()),
  /** what the workflow found to do and what it did so far: items total, moved, could not move, per kind */
  progress: z.object({ total: z.int(), moved: z.int(), notMoved: z.int(), pages: z.int(), byKind: z.record(z.string(), z.object({ moved: z.int(), notMoved: z.int(), total: z.int() })) }),
  /** every item that could not move, with why */
  notMoved: z.array(z.object({ ...HandoverItemSchema.shape, reason: z.string() })),
}));

export const handoverItemsPageSchema = lazy(() => z.object({
  items: z.array(z.object({ ...HandoverItemSchema.shape, outcome: z.optional(HandoverOutcomeSchema) })),
  nextCursor: z.optional(z.string()),
}));
