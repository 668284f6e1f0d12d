import * as z from '../../schemas/zod';
import { settle } from './campaigns';
import { taskHandler } from '../platform/task-handler';

/** Settlement task: waits while anything is under way or a claim pending; otherwise settles and says what to mail. */
export const handler = taskHandler(z.object({ target: z.object({ type: z.enum(['campaign', 'promotion']), id: z.string() }) }),
  (input, now) => settle(input.target, now));
