import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitIdle, countedActivity } from '../../local/idle-probe';
import { untilIdle } from '../integration/support/until';
import { startSfnHarness, type SfnHarness } from './support/sfn-harness';

/**
 * The idle probe (GET /_local/idle) on the local Step Functions engine: busy while a task's call is
 * under way or a timer is due by `before`; idle when every execution waits for a task token or for a
 * later time. Functions here are stubs the test releases by hand.
 */
const INVOKE = 'arn:aws:states:::lambda:invoke';
const calls: { name: string; event: any }[] = [];
const held = new Map<string, () => void>();

const functions = {
  async invoke(nameOrArn: string, event: any) {
    const name = nameOrArn.split(':').pop()!;
    calls.push({ name, event });
    if (name === 'held') await new Promise<void>((release) => held.set(event.id, release));
    return { ok: true };
  },
};

let h: SfnHarness;
beforeAll(async () => {
  h = await startSfnHarness({ functions });
});
afterAll(() => h?.stop());

const probe = async (query = '') => {
  const response = await fetch(`${h.edge.url}/_local/idle?waitSeconds=0${query}`);
  return { status: response.status, body: (await response.json()) as { idle: boolean; before: string; busy?: string[] } };
};
const call = (fn: string, next: Record<string, unknown>) => ({ Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: fn, 'Payload.$': '$' }, ...next });
const callsOf = (id: string) => calls.filter((c) => c.event.id === id).map((c) => c.name);

describe('the idle probe', () => {
  it('answers idle when nothing runs, for the local clock\'s now unless told another time', async () => {
    const { status, body } = await probe();
    expect(status).toBe(200);
    expect(body.idle).toBe(true);
    expect(Date.parse(body.before)).toBeLessThanOrEqual(h.clock.now());
  });

  it('is busy while a task\'s call is under way, and idle once the execution waits for its task token', async () => {
    const arn = await h.machine({
      StartAt: 'Work',
      States: {
        Work: call('held', { ResultPath: null, Next: 'Ask' }),
        Ask: { Type: 'Task', Resource: `${INVOKE}.waitForTaskToken`, Parameters: { FunctionName: 'asker', Payload: { 'id.$': '$.id', 'token.$': '$$.Task.Token' } }, End: true },
      },
    });
    const executionArn = await h.start(arn, { id: 'token' });
    await h.reached(executionArn, 'TaskStarted');
    const busy = await probe();
    expect(busy.body).toMatchObject({ idle: false, busy: ['1 Step Functions task call(s) under way'] });

    held.get('token')!();
    await untilIdle(h.edge.url);
    expect(callsOf('token')).toEqual(['held', 'asker']);
    expect((await h.history(executionArn)).map((e) => e.type)).toContain('TaskSubmitted');
    const token = calls.find((c) => c.name === 'asker' && c.event.id === 'token')!.event.token as string;
    await h.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    expect((await h.finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('counts a Wait due by `before` as busy and one due after it as idle; after the clock passes it, idle means what followed ran', async () => {
    const arn = await h.machine({
      StartAt: 'Hold',
      States: { Hold: { Type: 'Wait', Seconds: 3600, Next: 'After' }, After: call('after', { End: true }) },
    });
    const executionArn = await h.start(arn, { id: 'wait' });
    await h.reached(executionArn, 'WaitStateEntered');
    await untilIdle(h.edge.url);
    const inTwoHours = new Date(h.clock.now() + 2 * 3600_000).toISOString();
    const later = await probe(`&before=${inTwoHours}`);
    expect(later.body.idle).toBe(false);
    expect(later.body.busy).toEqual([expect.stringMatching(/^1 timer\(s\) on the local clock due by /)]);
    expect(callsOf('wait')).toEqual([]);

    h.clock.advance(3600);
    await untilIdle(h.edge.url);
    expect(callsOf('wait')).toEqual(['after']);
    expect((await h.finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('refuses a `before` that is no time, a wait out of range, and other methods', async () => {
    expect((await probe('&before=tomorrow')).status).toBe(400);
    expect((await fetch(`${h.edge.url}/_local/idle?waitSeconds=61`)).status).toBe(400);
    expect((await fetch(`${h.edge.url}/_local/idle`, { method: 'POST' })).status).toBe(405);
  });
});

describe('awaitIdle', () => {
  it('answers only when two looks in a row find nothing: one quiet look may fall between two pieces of work', async () => {
    const shown = [0, 1, 0, 0]; // on each look: between two pieces of work, the second one, then nothing, nothing
    let looks = 0;
    const answer = await awaitIdle([countedActivity('piece(s) of work', () => shown[looks++] ?? 0)], Date.now(), 5_000);
    expect(answer.idle).toBe(true);
    expect(looks).toBe(4);
  });

  it('says what was still busy when its wait ended', async () => {
    const answer = await awaitIdle([countedActivity('thing(s) forever', () => 2)], Date.parse('2030-01-01T00:00:00Z'), 0);
    expect(answer).toEqual({ idle: false, before: '2030-01-01T00:00:00.000Z', busy: ['2 thing(s) forever'] });
  });
});
