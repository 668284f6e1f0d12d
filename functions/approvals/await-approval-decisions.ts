import * as z from '../../schemas/zod';
import { completeTask } from '../platform/step-functions';
import { taskHandler } from '../platform/task-handler';
import { storeWaitToken } from './approval-engine';

const AwaitInputSchema = z.object({ token: z.string(), requestId: z.string(), round: z.number(), signals: z.number(), countedAt: z.string() });

/**
 * Workflow task (`.waitForTaskToken`): stores the wait's token on the request, where decisions, recalls
 * and reassignments find it. If one came in between the engine's last read and now, or the wait started
 * too long after the engine counted its timer, ends the wait at once, so nothing waits for a timer it
 * does not need and no deadline fires late.
 */
export const handler = taskHandler(AwaitInputSchema, async (input) => {
  const wakeNow = await storeWaitToken(input.requestId, input.round, input.signals, input.token, input.countedAt);
  if (wakeNow) await completeTask(input.token, { woken: true });
  return { stored: true, wokeAtOnce: wakeNow };
}, (input) => input.requestId);
