import * as z from '../../schemas/zod';
import { taskHandler } from '../platform/task-handler';
import { failHandover, finishHandover, moveHandoverPage, planHandover } from './handover';

const StepSchema = z.discriminatedUnion('step', [
  z.object({ step: z.literal('plan'), handoverId: z.string() }),
  z.object({ step: z.literal('move-page'), handoverId: z.string(), page: z.int() }),
  z.object({ step: z.literal('finish'), handoverId: z.string() }),
  z.object({ step: z.literal('fail'), handoverId: z.string(), failure: z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) }) }),
]);

/** The work-handover workflow's one task function: plan the book, move a page, finish, or record a failure. */
export const handler = taskHandler(StepSchema, async (input, now) => {
  switch (input.step) {
    case 'plan': return planHandover(input.handoverId, now);
    case 'move-page': return moveHandoverPage(input.handoverId, input.page, now);
    case 'finish': return finishHandover(input.handoverId, now);
    case 'fail': return failHandover(input.handoverId, `${input.failure.Error ?? 'Error'}: ${input.failure.Cause ?? ''}`, now);
  }
}, (input) => input.handoverId);
