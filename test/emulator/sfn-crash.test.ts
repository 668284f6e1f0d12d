import { DescribeExecutionCommand, GetExecutionHistoryCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { until } from '../integration/support/until';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL } from './support/sfn-harness';

const CHILD = path.resolve('test/emulator/support/sfn-crash-child.ts');
const ARN = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;

interface Child {
  process: ChildProcess;
  sfn: SFNClient;
  url: string;
}

let dataDir: string;
const children: Child[] = [];

function startChild(): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('READY ')) return;
      const url = line.slice('READY '.length);
      const started = { process: child, url, sfn: new SFNClient({ endpoint: url, ...LOCAL }) };
      children.push(started);
      resolve(started);
    });
  });
}

function kill9(child: Child): Promise<void> {
  return new Promise((resolve) => {
    child.process.once('exit', () => resolve());
    child.process.kill('SIGKILL');
  });
}

const callsOf = (name: string) =>
  existsSync(path.join(dataDir, 'calls.log'))
    ? readFileSync(path.join(dataDir, 'calls.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((c) => c.name === name)
    : [];

const finished = (child: Child, executionArn: string) =>
  until(`${executionArn} to finish`, async () => {
    const d = await child.sfn.send(new DescribeExecutionCommand({ executionArn }));
    return d.status === 'RUNNING' ? undefined : d;
  });

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'sfn-crash-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.sfn.destroy();
    if (child.process.exitCode === null && child.process.signalCode === null) await kill9(child);
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('durable executions across kill -9', () => {
  it('resumes a Wait after a restart; the task completed before the crash does not run again', async () => {
    const first = await startChild();
    const { executionArn } = await first.sfn.send(new StartExecutionCommand({ stateMachineArn: ARN('waits'), input: '{"order":1}' }));
    await until('the Wait to start', async () => {
      const { events } = await first.sfn.send(new GetExecutionHistoryCommand({ executionArn: executionArn! }));
      return events?.find((e) => e.type === 'WaitStateEntered');
    });
    await kill9(first);

    const second = await startChild();
    expect((await second.sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    const advance = await fetch(`${second.url}/_local/clock`, { method: 'POST', body: '{"advanceSeconds": 3600}' });
    expect(advance.status).toBe(200);
    const done = await finished(second, executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ from: 'second' });
    expect(callsOf('first')).toHaveLength(1);
    expect(callsOf('second')).toHaveLength(1);
    expect(callsOf('second')[0].event).toEqual({ first: { from: 'first' } });
    const { events } = await second.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    expect(events!.filter((e) => e.type === 'TaskStateEntered')).toHaveLength(2);
    expect(events!.map((e) => e.id)).toEqual(events!.map((_, i) => i + 1));
  });

  it('keeps a task token valid across kill -9: SendTaskSuccess to the new process completes the execution', async () => {
    const first = await startChild();
    const { executionArn } = await first.sfn.send(new StartExecutionCommand({ stateMachineArn: ARN('callback') }));
    const token = await until('the task token', () => callsOf('ask')[0]?.event.token as string | undefined);
    // once TaskSubmitted is recorded the call is never made again; before it, it may be (at-least-once)
    await until('TaskSubmitted', async () => {
      const { events } = await first.sfn.send(new GetExecutionHistoryCommand({ executionArn: executionArn! }));
      return events?.find((e) => e.type === 'TaskSubmitted');
    });
    await kill9(first);

    const second = await startChild();
    await second.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
    const done = await finished(second, executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ approved: true });
    expect(callsOf('ask')).toHaveLength(1);
  });
});
