import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { sdkClient } from './sdk-clients';

/*
 * What functions do to running workflows: complete a task's wait (a decision, a close-out, an open or a
 * click), start an execution, stop one. One client per function instance.
 */

const client = sdkClient(new SFNClient({}));

/** Completes a `.waitForTaskToken` task with its output; throws as Step Functions does (TaskTimedOut, TaskDoesNotExist...). */
export async function completeTask(taskToken: string, output: unknown): Promise<void> {
  await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
}

/** Starts a named execution; false when one of that name exists already (a redelivered start). */
export async function startNamedExecution(stateMachineArn: string, name: string, input: unknown): Promise<boolean> {
  try {
    await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    return true;
  } catch (error) {
    if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
    return false;
  }
}

/** Stops an execution; false when there is none of that ARN. */
export async function stopExecution(executionArn: string, error: string, cause: string): Promise<boolean> {
  try {
    await client.send(new StopExecutionCommand({ executionArn, error, cause }));
    return true;
  } catch (failure) {
    if ((failure as Error).name !== 'ExecutionDoesNotExist') throw failure;
    return false;
  }
}
