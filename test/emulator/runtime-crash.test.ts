import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { fetchWithin } from '../integration/support/fetch-within';
import { clientOf, kill9 as killProcess, runtimesOnOneDataDir, type RuntimeProcess } from '../integration/support/runtime-process';
import { until } from '../integration/support/until';

/**
 * The whole runtime (`npm start`'s, from cdk.out) killed with -9 while an execution waits, restarted on
 * the same data, killed again while it waits for a human's decision (a task token), restarted again:
 * the execution completes, and no task ran twice.
 */
const runtimes = runtimesOnOneDataDir('tradeflow-crash');
const COUNTER = { pk: 'TEST#crash-counter', sk: 'COUNTER' };

interface Runtime extends RuntimeProcess {
  sfn: SFNClient;
}
const clients: SFNClient[] = [];

async function start(): Promise<Runtime> {
  const started = await runtimes.start();
  const sfn = new SFNClient(clientOf(started.edgeUrl));
  clients.push(sfn);
  return { ...started, sfn };
}

async function kill9(runtime: Runtime) {
  runtime.sfn.destroy();
  await killProcess(runtime);
}

const historyOf = async (runtime: Runtime, executionArn: string) =>
  (await runtime.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];

const count = (table: string, field: string) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::dynamodb:updateItem',
  Parameters: {
    TableName: table,
    Key: { pk: { S: COUNTER.pk }, sk: { S: COUNTER.sk } },
    UpdateExpression: `ADD ${field} :one`,
    ExpressionAttributeValues: { ':one': { N: '1' } },
  },
  ResultPath: null,
});

afterAll(async () => {
  for (const sfn of clients) sfn.destroy();
  await runtimes.cleanUp();
});

describe('the local runtime killed with -9', () => {
  it('resumes a Wait and a human decision where they were, running no task twice', async () => {
    let runtime = await start();
    const { stateMachineArn } = await runtime.sfn.send(new CreateStateMachineCommand({
      name: 'crash-test',
      roleArn: 'arn:aws:iam::000000000000:role/local',
      definition: JSON.stringify({
        StartAt: 'Count before',
        States: {
          'Count before': { ...count(runtime.tableName, 'firstRuns'), Next: 'Wait a day' },
          'Wait a day': { Type: 'Wait', Seconds: 86_400, Next: 'Ask for a decision' },
          'Ask for a decision': {
            Type: 'Task',
            Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
            Parameters: { Entries: [{ EventBusName: 'crm', Source: 'test.crash', DetailType: 'Decision.Wanted', Detail: { 'token.$': '$$.Task.Token' } }] },
            TimeoutSeconds: 7 * 86_400,
            ResultPath: '$.decision',
            Next: 'Count after',
          },
          'Count after': { ...count(runtime.tableName, 'lastRuns'), End: true },
        },
      }),
    }));
    const executionArn = (await runtime.sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }))).executionArn!;
    await until('the wait', async () => ((await historyOf(runtime, executionArn)).some((e) => e.type === 'WaitStateEntered') ? true : undefined));

    await kill9(runtime); // mid-wait
    runtime = await start();
    expect((await runtime.sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    await fetchWithin(`${runtime.edgeUrl}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: 86_400 }) });
    const token = await until('the decision task', async () => {
      const history = await historyOf(runtime, executionArn);
      if (!history.some((e) => e.type === 'TaskSubmitted')) return undefined;
      const asked = history.filter((e) => e.type === 'TaskScheduled').pop();
      return JSON.parse(asked!.taskScheduledEventDetails!.parameters!).Entries[0].Detail.token as string;
    });

    await kill9(runtime); // mid-approval
    runtime = await start();
    await runtime.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: true }) }));
    const done = await until('the end', async () => {
      const d = await runtime.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === 'RUNNING' ? undefined : d;
    });
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!).decision).toEqual({ approved: true });

    const documents = DynamoDBDocumentClient.from(new DynamoDBClient(clientOf(runtime.edgeUrl)));
    const { Item } = await documents.send(new GetCommand({ TableName: runtime.tableName, Key: COUNTER, ConsistentRead: true }));
    documents.destroy();
    expect(Item).toMatchObject({ firstRuns: 1, lastRuns: 1 });
  }, 180_000); // three cold starts of the whole runtime: over a minute on a busy 2-core machine
});
