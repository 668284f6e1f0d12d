import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { logger } from './observability';
import { sdkClient } from './sdk-clients';
import { documentClient, tableName } from './table';

/*
 * What functions do to running workflows: complete a task's wait (a decision, a close-out, an open or a
 * click), start an execution, stop one. One client per function instance.
 */

const client = sdkClient(new SFNClient({}));

/** Completes a `.waitForTaskToken` task with its output; throws as Step Functions does (TaskTimedOut, TaskDoesNotExist...). */
export async function completeTask(taskToken: string, output: unknown): Promise<void> {
  await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
}

/**
 * A workflow waiting on an item (a `.waitForTaskToken` task whose token the item holds in `taskToken`):
 * its changes bump `signals`, and the wait stores the count it has seen in `tokenSignals`.
 */
export interface SignalledItemKey { pk: string; sk: string }

/**
 * Wakes the wait on the item if it has not seen the item's latest signal; a wait that is over (timed out,
 * woken already) is left alone: the workflow reads the item again when it runs. True when it woke one.
 */
export async function wakeWaitOn(key: SignalledItemKey): Promise<boolean> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  if (typeof Item?.taskToken !== 'string' || Number(Item.signals ?? 0) <= Number(Item.tokenSignals ?? -1)) return false;
  try {
    await completeTask(Item.taskToken, { woken: true });
    return true;
  } catch (error) {
    logger.info('wait already over', { pk: key.pk, error: (error as Error).name });
    return false;
  }
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
