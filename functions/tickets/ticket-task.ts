import { TicketCreated, TicketReopened } from '../../schemas/events';
import * as z from '../../schemas/zod';
import { isDomainError } from '../platform/http';
import { completeTask } from '../platform/step-functions';
import { taskHandler } from '../platform/task-handler';
import { advanceSla, beginSla, storeWaitToken } from './ticket-sla';

const StepSchema = z.union([
  /** Begin: the event as the rule delivered it (Ticket.Created or Reopened), and the execution running it */
  z.object({
    step: z.literal('begin'),
    event: z.object({ source: z.literal(TicketCreated.source), 'detail-type': z.enum([TicketCreated.detailType, TicketReopened.detailType]), detail: TicketCreated.detail }),
    executionArn: z.string(),
  }),
  z.object({ step: z.literal('advance'), ticketId: z.string(), cycle: z.int() }),
  z.object({ step: z.literal('await'), token: z.string(), ticketId: z.string(), cycle: z.int(), signals: z.number(), countedAt: z.string() }),
]);

/** A write that met another change (an agent's action) is retried by the state machine, which reads the ticket again. */
function retryable(error: unknown): never {
  if (isDomainError(error) && error.kind === 'conflict') throw Object.assign(new Error(error.message), { name: 'ConcurrentChange' });
  throw error;
}

/**
 * The task function of the ticket-sla workflow (workflows/ticket-sla.ts): its steps. Throws on failure,
 * so the state machine's Retry and Catch see it.
 */
export const handler = taskHandler(StepSchema, async (input, now) => {
  switch (input.step) {
    case 'begin':
      return beginSla(input.event.detail.ticketId, input.event.detail.cycle, input.executionArn, new Date(now)).catch(retryable);
    case 'advance':
      return advanceSla(input.ticketId, input.cycle, new Date(now)).catch(retryable);
    case 'await': {
      const wakeNow = await storeWaitToken(input.ticketId, input.cycle, input.signals, input.token, input.countedAt);
      if (wakeNow) await completeTask(input.token, { woken: true });
      return { stored: true, wokeAtOnce: wakeNow };
    }
  }
}, (input) => ('ticketId' in input ? input.ticketId : input.event.detail.ticketId));
