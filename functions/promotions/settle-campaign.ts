import * as z from '../../schemas/zod';
import { taskHandler } from '../platform/task-handler';
import { settle } from './campaign-settlement';

/** Settlement task: waits while anything is under way or a claim pending; otherwise settles and says what to mail. */
export const handler = taskHandler(z.object({ target: z.object({ type: z.enum(['campaign', 'promotion']), id: z.string() }) }),
  (input, now) => settle(input.target, now), (input) => input.target.id);
