import * as z from '../../schemas/zod';
import { sendServiceMail } from '../platform/mail';
import { taskHandler } from '../platform/task-handler';
import { openCloseOutTask } from './promotion-lifecycle';

/**
 * Lifecycle task (.waitForTaskToken): the promotion ends; its close-out task token is stored for the
 * close-out POST, and the rep is asked (then reminded, then, overdue, finance is copied).
 */
export const handler = taskHandler(z.object({ promotionId: z.string(), taskToken: z.string(), reminder: z.int() }), async (input, now) => {
  const mail = await openCloseOutTask(input.promotionId, input.taskToken, input.reminder, now);
  await sendServiceMail(mail);
  return { asked: true };
}, (input) => input.promotionId);
