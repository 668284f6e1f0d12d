import {
  DescribeExecutionCommand, DescribeStateMachineForExecutionCommand, ListExecutionsCommand, SendTaskSuccessCommand, StartExecutionCommand, StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { until, untilIdle } from '../integration/support/until';
import { output, startSfnHarness, type SfnHarness } from './support/sfn-harness';

const INVOKE = 'arn:aws:states:::lambda:invoke';
const HOUR = 3600;
const tokens = new Map<string, string>();
/** calls of `mail`, per lead */
const mails = new Map<string, number>();
/** `slow` keeps its token and answers only once released */
let release: () => void = () => {};
const functions = {
  async invoke(nameOrArn: string, event: any) {
    const name = nameOrArn.split(':').at(-1);
    if (name === 'mail') mails.set(event.lead ?? event.sent, (mails.get(event.lead ?? event.sent) ?? 0) + 1);
    if (name === 'remember' || name === 'slow') tokens.set(event.id, event.token);
    if (name === 'slow') await new Promise<void>((resolve) => (release = resolve));
    return { echo: event };
  },
};

const harnesses: SfnHarness[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
async function harness(dataDir?: string) {
  const h = await startSfnHarness({ functions, ...(dataDir ? { dataDir } : {}) });
  harnesses.push(h);
  return h;
}
const advance = async (h: SfnHarness, seconds: number) => {
  const reply = await fetch(`${h.edge.url}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: seconds }) });
  expect(reply.status).toBe(200);
};
const parked = (h: SfnHarness, count: number) => until(`${count} parked execution(s)`, async () => h.service.stats().parked === count || undefined);

/** a callback task calling `fn` with its token, under `id` (what `tokens` keeps it by) */
const ask = (fn: string, id = fn) => ({ Type: 'Task', Resource: `${INVOKE}.waitForTaskToken`, Parameters: { FunctionName: fn, Payload: { id, 'token.$': '$$.Task.Token' } } });
/** a callback task calling `fn`, then an hour's Wait */
const askThenWait = (fn: string) => ({ StartAt: 'Ask', States: { Ask: { ...ask(fn), Next: 'W' }, W: { Type: 'Wait', Seconds: HOUR, End: true } } });

const mailThenWait = (seconds: number, extra: Record<string, unknown> = {}) => ({
  StartAt: 'Mail',
  ...extra,
  States: {
    Mail: { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: 'mail', 'Payload.$': '$' }, ResultSelector: { 'sent.$': '$.Payload.echo.lead' }, Next: 'Window' },
    Window: { Type: 'Wait', Seconds: seconds, Next: 'Again' },
    Again: { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: 'mail', 'Payload.$': '$' }, ResultSelector: { 'again.$': '$.Payload.echo.sent' }, End: true },
  },
});

describe('executions waiting long are parked on disk', () => {
  it('is described, listed and shown while parked, and continues from its journal when the Wait ends', async () => {
    const h = await harness();
    const machine = await h.machine(mailThenWait(2 * HOUR));
    const arn = await h.start(machine, { lead: 'l-1' });
    await h.reached(arn, 'WaitStateEntered');
    await parked(h, 1);

    expect(await h.sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).toMatchObject({ status: 'RUNNING', input: '{"lead":"l-1"}' });
    const { executions } = await h.sfn.send(new ListExecutionsCommand({ stateMachineArn: machine, statusFilter: 'RUNNING' }));
    expect(executions?.map((e) => e.executionArn)).toEqual([arn]);
    expect(JSON.parse((await h.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: arn }))).definition!).States.Window).toEqual({ Type: 'Wait', Seconds: 2 * HOUR, Next: 'Again' });
    expect((await h.history(arn)).at(-1)?.type).toBe('WaitStateEntered');
    // starting it again with the same name and input is the same execution, as while it ran
    const name = arn.split(':').at(-1)!;
    expect((await h.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name, input: '{"lead":"l-1"}' }))).executionArn).toBe(arn);

    await advance(h, 2 * HOUR);
    const done = await h.finished(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(output(done)).toEqual({ again: 'l-1' });
    const events = await h.history(arn);
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited',
      'WaitStateEntered', 'WaitStateExited',
      'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(h.service.stats()).toMatchObject({ parked: 0, executions: { RUNNING: 0, SUCCEEDED: 1 } });
    expect(mails.get('l-1')).toBe(2);
  });

  it('parks at each long Wait of its way', async () => {
    const h = await harness();
    const mail = { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: 'mail', Payload: { 'lead.$': '$.lead' } }, ResultPath: null };
    const arn = await h.start(await h.machine({
      StartAt: 'First',
      States: {
        First: { ...mail, Next: 'Day' }, Day: { Type: 'Wait', Seconds: 24 * HOUR, Next: 'Second' },
        Second: { ...mail, Next: 'Week' }, Week: { Type: 'Wait', Seconds: 7 * 24 * HOUR, Next: 'Third' },
        Third: { ...mail, End: true },
      },
    }), { lead: 'l-6' });
    await parked(h, 1);
    await advance(h, 24 * HOUR);
    await until('the second Wait', async () => (await h.history(arn)).filter((e) => e.type === 'WaitStateEntered').length === 2 || undefined);
    await parked(h, 1);
    expect(mails.get('l-6')).toBe(2);
    await advance(h, 7 * 24 * HOUR);
    expect((await h.finished(arn)).status).toBe('SUCCEEDED');
    expect(mails.get('l-6')).toBe(3);
    const events = await h.history(arn);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'WaitStateExited')).toHaveLength(2);
  });

  it('stops a parked execution, which then never wakes', async () => {
    const h = await harness();
    const arn = await h.start(await h.machine(mailThenWait(HOUR)), { lead: 'l-2' });
    await parked(h, 1);
    await h.sfn.send(new StopExecutionCommand({ executionArn: arn, error: 'Unsubscribed', cause: 'the lead unsubscribed' }));
    expect(await h.finished(arn)).toMatchObject({ status: 'ABORTED', error: 'Unsubscribed' });
    expect(h.service.stats().parked).toBe(0);
    expect(h.clock.pendingTimers()).toEqual([]);

    await advance(h, 2 * HOUR);
    // a woken execution would have run by the time nothing is under way
    await untilIdle(h.edge.url);
    expect((await h.history(arn)).map((e) => e.type).slice(-2)).toEqual(['WaitStateEntered', 'ExecutionAborted']);
    expect(mails.get('l-2')).toBe(1);
  });

  it('wakes for the execution\'s own timeout when that comes before the Wait\'s end', async () => {
    const h = await harness();
    const arn = await h.start(await h.machine(mailThenWait(10 * HOUR, { TimeoutSeconds: 2 * HOUR })), { lead: 'l-3' });
    await parked(h, 1);
    await advance(h, 3 * HOUR);
    expect(await h.finished(arn)).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
  });

  it('keeps in memory a Wait that ends within 15 minutes, and one inside a Parallel branch', async () => {
    const h = await harness();
    const short = await h.start(await h.machine(mailThenWait(10 * 60)), { lead: 'l-4' });
    const branch = await h.start(await h.machine({
      StartAt: 'Both', States: { Both: { Type: 'Parallel', End: true, Branches: [{ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: HOUR, End: true } } }] } },
    }));
    await h.reached(short, 'WaitStateEntered');
    await h.reached(branch, 'WaitStateEntered');
    expect(h.service.stats()).toMatchObject({ parked: 0, executions: { RUNNING: 2 } });
    await advance(h, HOUR);
    expect((await h.finished(short)).status).toBe('SUCCEEDED');
    expect((await h.finished(branch)).status).toBe('SUCCEEDED');
  });

  it('answers a finished task\'s token with TaskTimedOut while its execution is parked', async () => {
    const h = await harness();
    const arn = await h.start(await h.machine(askThenWait('remember')));
    const token = await until('the task token', () => tokens.get('remember'));
    await h.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"yes":true}' }));
    await parked(h, 1);
    await expect(h.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"yes":true}' }))).rejects.toMatchObject({ name: 'TaskTimedOut' });
    await advance(h, HOUR);
    expect(output(await h.finished(arn))).toEqual({ yes: true });
  });

  it('keeps in memory a run whose callback task\'s call is still out, and its history whole', async () => {
    const h = await harness();
    const arn = await h.start(await h.machine(askThenWait('slow')));
    const token = await until('the task token', () => tokens.get('slow'));
    // answered before the call that carried the token returns
    await h.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"early":true}' }));
    await h.reached(arn, 'WaitStateEntered');
    expect(h.service.stats().parked).toBe(0);
    release();
    await advance(h, HOUR);
    expect(output(await h.finished(arn))).toEqual({ early: true });
    const events = await h.history(arn);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
  });

  it('parks again after a restart, and wakes in the new process', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sfn-parking-'));
    dirs.push(dataDir);
    const first = await harness(dataDir);
    const machine = await first.machine(mailThenWait(HOUR));
    const arn = await first.start(machine, { lead: 'l-5' });
    await parked(first, 1);
    await first.stop();
    harnesses.splice(harnesses.indexOf(first), 1);

    const second = await harness(dataDir);
    await second.service.resumeAll();
    await parked(second, 1);
    expect((await second.sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe('RUNNING');
    await advance(second, HOUR);
    expect(output(await second.finished(arn))).toEqual({ again: 'l-5' });
    expect((await second.history(arn)).filter((e) => e.type === 'TaskScheduled')).toHaveLength(2);
  });
});

describe('ended executions leave memory', () => {
  const askThenEnd = (id: string) => ({ StartAt: 'Ask', States: { Ask: { ...ask('remember', id), End: true } } });
  const inMemory = (h: SfnHarness, count: number) => until(`${count} execution(s) in memory`, async () => h.service.stats().inMemory === count || undefined);

  it('describes, lists, shows and refuses to restart an ended execution read from its journal', async () => {
    const h = await harness();
    const machine = await h.machine(mailThenWait(60));
    const arn = await h.start(machine, { lead: 'l-7' });
    await h.reached(arn, 'WaitStateEntered');
    await advance(h, 60);
    const done = await h.finished(arn);
    await inMemory(h, 0);

    expect(await h.sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).toMatchObject({
      status: 'SUCCEEDED', input: '{"lead":"l-7"}', output: '{"again":"l-7"}', stopDate: done.stopDate,
    });
    const { executions } = await h.sfn.send(new ListExecutionsCommand({ stateMachineArn: machine, statusFilter: 'SUCCEEDED' }));
    expect(executions?.map((e) => [e.executionArn, e.stopDate])).toEqual([[arn, done.stopDate]]);
    expect((await h.history(arn)).map((e) => e.type).slice(-3)).toEqual(['TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect(JSON.parse((await h.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: arn }))).definition!).StartAt).toBe('Mail');
    expect((await h.sfn.send(new StopExecutionCommand({ executionArn: arn }))).stopDate).toEqual(done.stopDate);
    const name = arn.split(':').at(-1)!;
    await expect(h.sfn.send(new StartExecutionCommand({ stateMachineArn: machine, name, input: '{"lead":"l-7"}' }))).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    expect(h.service.stats()).toMatchObject({ inMemory: 0, executions: { RUNNING: 0, SUCCEEDED: 1 } });
    expect(mails.get('l-7')).toBe(2);
  });

  it('answers an ended execution\'s task token with TaskTimedOut', async () => {
    const h = await harness();
    const arn = await h.start(await h.machine(askThenEnd('ask-end')));
    const token = await until('the task token', () => tokens.get('ask-end'));
    await h.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"yes":true}' }));
    expect(output(await h.finished(arn))).toEqual({ yes: true });
    await inMemory(h, 0);
    await expect(h.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"yes":true}' }))).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('lets a parked execution that is stopped leave memory', async () => {
    const h = await harness();
    const arn = await h.start(await h.machine(mailThenWait(HOUR)), { lead: 'l-8' });
    await parked(h, 1);
    await h.sfn.send(new StopExecutionCommand({ executionArn: arn }));
    expect(h.service.stats()).toMatchObject({ parked: 0, inMemory: 0, executions: { ABORTED: 1 } });
    expect((await h.history(arn)).at(-1)?.type).toBe('ExecutionAborted');
  });

  it('keeps ended executions on disk after a restart, running ones in memory', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sfn-ended-'));
    dirs.push(dataDir);
    const first = await harness(dataDir);
    const machine = await first.machine(askThenEnd('ask-restart'));
    const over = await first.start(machine);
    const token = await until('the task token', () => tokens.get('ask-restart'));
    await first.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"done":1}' }));
    const done = await first.finished(over);
    tokens.delete('ask-restart');
    const running = await first.start(machine);
    const second = await until('the second task token', () => tokens.get('ask-restart'));
    await first.stop();
    harnesses.splice(harnesses.indexOf(first), 1);

    const h = await harness(dataDir);
    expect(h.service.stats()).toMatchObject({ inMemory: 1, executions: { RUNNING: 1, SUCCEEDED: 1 } });
    expect(await h.sfn.send(new DescribeExecutionCommand({ executionArn: over }))).toMatchObject({ status: 'SUCCEEDED', output: '{"done":1}', stopDate: done.stopDate });
    expect((await h.history(over)).at(-1)?.type).toBe('ExecutionSucceeded');
    await expect(h.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toMatchObject({ name: 'TaskTimedOut' });

    await h.service.resumeAll();
    await h.sfn.send(new SendTaskSuccessCommand({ taskToken: second, output: '{"done":2}' }));
    expect(output(await h.finished(running))).toEqual({ done: 2 });
    await inMemory(h, 0);
    const { executions } = await h.sfn.send(new ListExecutionsCommand({ stateMachineArn: machine }));
    expect(executions?.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });
});
