import { CreateStateMachineCommand, SendTaskFailureCommand, SendTaskHeartbeatCommand, SendTaskSuccessCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaInvokeError } from '../../local/lambda/function-runtime';
import { until } from '../integration/support/until';
import { LOCAL, output, startSfnHarness, type SfnHarness } from './support/sfn-harness';

const INVOKE = 'arn:aws:states:::lambda:invoke';
const calls = new Map<string, number>();
const tokens = new Map<string, string>();

/** Stub functions: `flaky` fails twice then succeeds; `boom` always fails; `remember` keeps the task token. */
const functions = {
  async invoke(nameOrArn: string, event: any) {
    const name = nameOrArn.split(':').pop()!;
    calls.set(name, (calls.get(name) ?? 0) + 1);
    switch (name) {
      case 'flaky':
        if (calls.get(name)! <= 2) throw new LambdaInvokeError('Flaky.NotYet', `attempt ${calls.get(name)}`);
        return { ok: true };
      case 'boom':
        throw new LambdaInvokeError('BusinessRuleViolated', 'no way');
      case 'remember':
        tokens.set(event.id, event.token);
        return null;
      default:
        return { echo: event };
    }
  },
};

let h: SfnHarness;
beforeAll(async () => {
  h = await startSfnHarness({ functions });
});
afterAll(() => h?.stop());

const task = (extra: Record<string, unknown> = {}, fn = 'echo') => ({ Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: fn, 'Payload.$': '$' }, ...extra });

const waitForToken = (id: string) => until(`the task token of ${id}`, () => tokens.get(id), 10_000);

describe('local Step Functions engine', () => {
  it('runs lambda:invoke through the edge Lambda API, with AWS result shape and history events', async () => {
    const d = await h.run(
      { StartAt: 'Call', States: { Call: task({ ResultSelector: { 'body.$': '$.Payload', 'code.$': '$.StatusCode' }, ResultPath: '$.result', End: true }) } },
      { a: 1 },
    );
    expect(d.status).toBe('SUCCEEDED');
    expect(output(d)).toEqual({ a: 1, result: { body: { echo: { a: 1 } }, code: 200 } });
    const events = await h.history(d.executionArn);
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded',
    ]);
    events.forEach((e, i) => expect(e).toMatchObject({ id: i + 1, previousEventId: i }));
    expect(events[2]!.taskScheduledEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke' });
    expect(events[0]!.timestamp).toBeInstanceOf(Date);
  });

  it('answers @aws-sdk/client-lambda on the edge, with X-Amz-Function-Error on failure', async () => {
    const lambda = new LambdaClient({ endpoint: h.edge.url, ...LOCAL });
    const ok = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"x":1}') }));
    expect(JSON.parse(Buffer.from(ok.Payload!).toString())).toEqual({ echo: { x: 1 } });
    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:boom' }));
    expect(failed.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(failed.Payload!).toString())).toMatchObject({ errorType: 'BusinessRuleViolated', errorMessage: 'no way' });
    const queued = await lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event' }));
    expect(queued.StatusCode).toBe(202);
    lambda.destroy();
  });

  it('retries with backoff, then succeeds; the retry count is in the context object', async () => {
    const d = await h.run({
      StartAt: 'Call',
      States: {
        Call: {
          ...task({}, 'flaky'),
          Parameters: { FunctionName: 'flaky', Payload: { 'retry.$': '$$.State.RetryCount' } },
          ResultSelector: { 'retries.$': '$$.State.RetryCount' },
          Retry: [{ ErrorEquals: ['Flaky.NotYet'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3, MaxDelaySeconds: 5, JitterStrategy: 'FULL' }],
          End: true,
        },
      },
    });
    expect(d.status).toBe('SUCCEEDED');
    expect(output(d)).toEqual({ retries: 2 });
    const events = await h.history(d.executionArn);
    expect(events.filter((e) => e.type === 'TaskFailed').map((e) => e.taskFailedEventDetails?.error)).toEqual(['Flaky.NotYet', 'Flaky.NotYet']);
    expect(events.filter((e) => e.type === 'TaskStateEntered')).toHaveLength(1);
  });

  it('catches a function error by its errorType, placing it at the catcher ResultPath', async () => {
    const d = await h.run(
      {
        StartAt: 'Call',
        States: {
          Call: { ...task({}, 'boom'), Retry: [{ ErrorEquals: ['Other'] }], Catch: [{ ErrorEquals: ['BusinessRuleViolated'], ResultPath: '$.failure', Next: 'Handled' }], End: true },
          Handled: { Type: 'Pass', End: true },
        },
      },
      { order: 7 },
    );
    expect(d.status).toBe('SUCCEEDED');
    const out = output(d);
    expect(out.order).toBe(7);
    expect(out.failure.Error).toBe('BusinessRuleViolated');
    expect(JSON.parse(out.failure.Cause)).toMatchObject({ errorMessage: 'no way' });
  });

  it('fails the execution with the error when nothing catches it (Fail state with paths too)', async () => {
    const failed = await h.run({ StartAt: 'Call', States: { Call: { ...task({}, 'boom'), End: true } } });
    expect(failed).toMatchObject({ status: 'FAILED', error: 'BusinessRuleViolated' });
    const fail = await h.run({ StartAt: 'F', States: { F: { Type: 'Fail', ErrorPath: '$.code', CausePath: "States.Format('bad {}', $.code)" } } }, { code: 'E42' });
    expect(fail).toMatchObject({ status: 'FAILED', error: 'E42', cause: 'bad E42' });
  });

  it('maps with ItemsPath, ItemSelector, MaxConcurrency and $$.Map.Item', async () => {
    const d = await h.run(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 2,
            ItemSelector: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'tax.$': '$.tax' },
            ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Add', States: { Add: { Type: 'Pass', Parameters: { 'total.$': 'States.MathAdd($.value, $.tax)', 'i.$': '$.index' }, End: true } } },
            ResultPath: '$.totals', End: true,
          },
        },
      },
      { items: [1, 2, 3], tax: 10 },
    );
    expect(output(d).totals).toEqual([{ total: 11, i: 0 }, { total: 12, i: 1 }, { total: 13, i: 2 }]);
    const legacy = await h.run({ StartAt: 'M', States: { M: { Type: 'Map', Parameters: { 'v.$': '$$.Map.Item.Value' }, Iterator: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } } }, ['a']);
    expect(output(legacy)).toEqual([{ v: 'a' }]);
  });

  it('runs Parallel branches and fails as a whole when one branch fails', async () => {
    const ok = await h.run(
      { StartAt: 'Both', States: { Both: { Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', Result: 'a', End: true } } }, { StartAt: 'B', States: { B: task({ End: true }) } }], ResultSelector: { 'first.$': '$[0]', 'second.$': '$[1].Payload' }, End: true } } },
      { x: 1 },
    );
    expect(output(ok)).toEqual({ first: 'a', second: { echo: { x: 1 } } });
    const failed = await h.run({
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel', Branches: [{ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 100000, End: true } } }, { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Nope' } } }],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    });
    expect(failed.status).toBe('SUCCEEDED');
    expect(output(failed)).toMatchObject({ Error: 'Nope' });
  });

  it('chooses by a table of rules, with Default and States.NoChoiceMatched', async () => {
    const definition = (withDefault: boolean) => ({
      StartAt: 'Route',
      States: {
        Route: {
          Type: 'Choice',
          Choices: [
            { And: [{ Variable: '$.amount', IsPresent: true }, { Variable: '$.amount', NumericGreaterThanEquals: 10000 }], Next: 'Big' },
            { Variable: '$.region', StringMatches: 'eu-*', Next: 'Europe' },
            { Not: { Variable: '$.vip', IsPresent: false }, Next: 'Vip' },
          ],
          ...(withDefault ? { Default: 'Other' } : {}),
        },
        Big: { Type: 'Pass', Result: 'big', End: true },
        Europe: { Type: 'Pass', Result: 'europe', End: true },
        Vip: { Type: 'Pass', Result: 'vip', End: true },
        Other: { Type: 'Pass', Result: 'other', End: true },
      },
    });
    const arn = await h.machine(definition(true));
    const cases: [unknown, string][] = [[{ amount: 20000 }, 'big'], [{ amount: 5, region: 'eu-west-1' }, 'europe'], [{ vip: true, region: 'us' }, 'vip'], [{ region: 'us' }, 'other']];
    for (const [input, expected] of cases) {
      const d = await h.finished(await h.start(arn, input));
      expect([d.error, d.cause, output(d)]).toEqual([undefined, undefined, expected]);
    }
    const noMatch = await h.run(definition(false), { region: 'us' });
    expect(noMatch).toMatchObject({ status: 'FAILED', error: 'States.NoChoiceMatched' });
    const events = await h.history(noMatch.executionArn);
    expect(events.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.type)).toEqual(['ChoiceStateEntered']);
  });

  it('waits three days on the local clock and completes after an advance, without sleeping', async () => {
    const until = new Date(h.clock.now() + 4 * 24 * 3600 * 1000).toISOString();
    const arn = await h.start(await h.machine({ StartAt: 'Sleep', States: { Sleep: { Type: 'Wait', SecondsPath: '$.wait', Next: 'Until' }, Until: { Type: 'Wait', TimestampPath: '$.until', End: true } } }), {
      wait: 3 * 24 * 3600,
      until,
    });
    await h.reached(arn, 'WaitStateEntered');
    const advance = await fetch(`${h.edge.url}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: 3 * 24 * 3600 }) });
    expect(advance.status).toBe(200);
    expect(((await advance.json()) as any).offsetSeconds).toBeGreaterThanOrEqual(3 * 24 * 3600);
    await h.reached(arn, 'WaitStateExited');
    const bad = await fetch(`${h.edge.url}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: 'soon' }) });
    expect(bad.status).toBe(400);
    const badTime = await fetch(`${h.edge.url}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceTo: 'next monday' }) });
    expect(badTime.status).toBe(400);
    // the second wait ends at a time: the clock moves right there
    const to = await fetch(`${h.edge.url}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceTo: until }) });
    expect(Date.parse(((await to.json()) as any).now)).toBeGreaterThanOrEqual(Date.parse(until));
    expect((await h.finished(arn)).status).toBe('SUCCEEDED');
    // about 4 days ahead: the time moved to less the real time that passed since `until` was taken
    const clock = (await (await fetch(`${h.edge.url}/_local/clock`)).json()) as { now: string; realNow: string; offset: string };
    const shown = /^(?:(\d+) d)? ?(?:(\d+) h)? ?(?:(\d+) min)? ahead of real time$/.exec(clock.offset);
    expect(shown, clock.offset).not.toBeNull();
    const shownSeconds = Number(shown![1] ?? 0) * 86_400 + Number(shown![2] ?? 0) * 3600 + Number(shown![3] ?? 0) * 60;
    const actualSeconds = (Date.parse(clock.now) - Date.parse(clock.realNow)) / 1000;
    expect(Math.abs(shownSeconds - actualSeconds)).toBeLessThan(60);
    expect(actualSeconds).toBeGreaterThan(4 * 24 * 3600 - 3600);
  });

  it('applies the intrinsic functions inside an execution, with the context object', async () => {
    const d = await h.run(
      {
        StartAt: 'Shape',
        States: {
          Shape: {
            Type: 'Pass',
            Parameters: {
              'greeting.$': "States.Format('Hello {}', $.name)",
              'parts.$': "States.StringSplit($.csv, ',')",
              'chunks.$': 'States.ArrayPartition($.list, 2)',
              'has.$': 'States.ArrayContains($.list, 3)',
              'len.$': 'States.ArrayLength($.list)',
              'unique.$': 'States.ArrayUnique($.list)',
              'item.$': 'States.ArrayGetItem($.list, 0)',
              'range.$': 'States.ArrayRange(0, 4, 2)',
              'b64.$': "States.Base64Decode(States.Base64Encode('x'))",
              'hash.$': "States.Hash('x', 'MD5')",
              'json.$': 'States.JsonToString(States.StringToJson($.raw))',
              'merged.$': 'States.JsonMerge($.a, $.b, false)',
              'sum.$': 'States.MathAdd(1, 2)',
              'random.$': 'States.MathRandom(1, 3)',
              'uuid.$': 'States.UUID()',
              'arr.$': 'States.Array($.name, 1)',
              'execution.$': '$$.Execution.Name',
              'machine.$': '$$.StateMachine.Name',
              'state.$': '$$.State.Name',
              'input.$': '$$.Execution.Input.name',
            },
            End: true,
          },
        },
      },
      { name: 'Ann', csv: 'a,b', list: [1, 3, 3], raw: '{"k":1}', a: { x: 1 }, b: { y: 2 } },
    );
    const out = output(d);
    expect(out).toMatchObject({
      greeting: 'Hello Ann', parts: ['a', 'b'], chunks: [[1, 3], [3]], has: true, len: 3, unique: [1, 3], item: 1, range: [0, 2, 4],
      b64: 'x', hash: '9dd4e461268c8034f5c8564e155c67a6', json: '{"k":1}', merged: { x: 1, y: 2 }, sum: 3, arr: ['Ann', 1],
      state: 'Shape', input: 'Ann',
    });
    expect([1, 2]).toContain(out.random);
    expect(out.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.executionArn.endsWith(`:${out.execution}`)).toBe(true);
  });

  it('rejects JSONata and other unsupported fields at CreateStateMachine, naming the state and field', async () => {
    const create = (definition: object) => h.sfn.send(new CreateStateMachineCommand({ name: 'rejected', definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::000000000000:role/r' }));
    await expect(create({ QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', End: true } } })).rejects.toMatchObject({
      name: 'InvalidDefinition', message: expect.stringContaining("QueryLanguage 'JSONata' is not supported"),
    });
    await expect(create({ StartAt: 'A', States: { A: { Type: 'Task', Resource: INVOKE, Arguments: { FunctionName: 'f' }, End: true } } })).rejects.toMatchObject({
      name: 'InvalidDefinition', message: expect.stringContaining('/States/A/Arguments'),
    });
  });

  it('stops an execution (ExecutionAborted)', async () => {
    const arn = await h.start(await h.machine({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } }));
    await h.reached(arn, 'WaitStateEntered');
    await h.sfn.send(new StopExecutionCommand({ executionArn: arn, error: 'Why', cause: 'test' }));
    expect(await h.finished(arn)).toMatchObject({ status: 'ABORTED', error: 'Why' });
    expect((await h.history(arn)).at(-1)?.type).toBe('ExecutionAborted');
  });
});

describe('task tokens', () => {
  const callback = (extra: Record<string, unknown> = {}) => ({
    StartAt: 'Ask',
    States: {
      Ask: {
        Type: 'Task', Resource: `${INVOKE}.waitForTaskToken`,
        Parameters: { FunctionName: 'remember', Payload: { 'id.$': '$.id', 'token.$': '$$.Task.Token' } },
        Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'TimedOut' }],
        ...extra, End: true,
      },
      TimedOut: { Type: 'Pass', End: true },
    },
  });

  it('completes with SendTaskSuccess output; a used token is rejected afterwards', async () => {
    const arn = await h.start(await h.machine(callback()), { id: 'success' });
    const token = await waitForToken('success');
    await h.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: true }) }));
    expect(output(await h.finished(arn))).toEqual({ approved: true });
    await expect(h.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toMatchObject({ name: 'TaskTimedOut' });
    await expect(h.sfn.send(new SendTaskSuccessCommand({ taskToken: 'nope', output: '{}' }))).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
  });

  it('is answered by another state machine through aws-sdk:sfn:sendTaskSuccess, its parameters in PascalCase as in AWS', async () => {
    const arn = await h.start(await h.machine(callback()), { id: 'sdk' });
    const token = await waitForToken('sdk');
    const answered = await h.run({
      StartAt: 'Answer',
      States: {
        Answer: {
          Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sfn:sendTaskSuccess',
          Parameters: { 'TaskToken.$': '$.token', 'Output.$': 'States.JsonToString($.outcome)' }, End: true,
        },
      },
    }, { token, outcome: { outcome: 'approved' } });
    expect(answered.status).toBe('SUCCEEDED');
    expect(output(await h.finished(arn))).toEqual({ outcome: 'approved' });
  });

  it('fails with SendTaskFailure error and cause', async () => {
    const arn = await h.start(await h.machine(callback()), { id: 'failure' });
    await h.sfn.send(new SendTaskFailureCommand({ taskToken: await waitForToken('failure'), error: 'Rejected', cause: 'too expensive' }));
    expect(await h.finished(arn)).toMatchObject({ status: 'FAILED', error: 'Rejected', cause: 'too expensive' });
  });

  it('times out with States.Timeout when the clock passes TimeoutSeconds', async () => {
    const arn = await h.start(await h.machine(callback({ TimeoutSeconds: 3600 })), { id: 'timeout' });
    await waitForToken('timeout');
    h.clock.advance(3601);
    const d = await h.finished(arn);
    expect(output(d).timeout.Error).toBe('States.Timeout');
    expect((await h.history(arn)).some((e) => e.type === 'TaskTimedOut')).toBe(true);
  });

  it('stays alive while heartbeats arrive and fails with States.HeartbeatTimeout when they stop', async () => {
    const arn = await h.start(await h.machine(callback({ HeartbeatSeconds: 60, TimeoutSeconds: 100000 })), { id: 'heartbeat' });
    const token = await waitForToken('heartbeat');
    for (let i = 0; i < 3; i++) {
      h.clock.advance(45);
      await h.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    }
    const d = await h.sfn.send(new (await import('@aws-sdk/client-sfn')).DescribeExecutionCommand({ executionArn: arn }));
    expect(d.status).toBe('RUNNING');
    h.clock.advance(61);
    expect(output(await h.finished(arn)).timeout.Error).toBe('States.HeartbeatTimeout');
  });
});
