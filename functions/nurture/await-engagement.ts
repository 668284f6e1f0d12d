import { taskHandler } from '../platform/task-handler';
import { awaitEngagement, AwaitEngagementInputSchema } from './nurture-engagement';

/** The engagement wait (waitForTaskToken): parks the task token where the open/click event finds it. */
export const handler = taskHandler(AwaitEngagementInputSchema, (input) => awaitEngagement(input), (input) => input.enrolmentId);
