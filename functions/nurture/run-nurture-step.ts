import { taskHandler } from '../platform/task-handler';
import { runStep, StepInputSchema } from './nurture-steps';

/** The nurture state machine's one task: runs the enrolment's current step and says what comes next. */
export const handler = taskHandler(StepInputSchema, (input) => runStep(input), (input) => input.enrolmentId);
