import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecutionJournal, loadIfEnded, loadJournals, type ExecutionMeta } from '../../local/stepfunctions/journal';

const META: ExecutionMeta = {
  executionArn: 'arn:aws:states:us-east-1:000000000000:execution:m:e1', stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m',
  stateMachineName: 'm', name: 'e1', input: '{}', startDate: 0, roleArn: '', definition: '{}',
};
const ev = (id: number, type: string) => ({ id, previousEventId: id - 1, timestamp: id, type });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sfn-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fileOf = () => path.join(dir, readdirSync(dir)[0]!);

describe('execution journal after a crash', () => {
  it.each([
    ['zeros where an unsynced tail was lost', '\0\0\0\0\0\0{"t":"ev","key":"x|PassStateExited"'],
    ['a torn last line', '{"t":"ev","key":"x|PassStateEx'],
    ['a whole record without its newline', '{"t":"ev","key":"x|PassStateExited","ev":{"id":3,"previousEventId":2,"timestamp":3,"type":"PassStateExited"}}'],
  ])('ignores %s, and the resumed run\'s records are not hidden behind it', (_, tail) => {
    const first = ExecutionJournal.create(dir, META);
    first.addEvent('|ExecutionStarted', ev(1, 'ExecutionStarted'));
    first.addEvent('x|PassStateEntered', ev(2, 'PassStateEntered'));
    first.timer('w', 1000);
    first.close();
    appendFileSync(fileOf(), tail);

    const [resumed] = loadJournals(dir).running;
    expect(resumed!.events.map((e) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered']);
    expect(resumed!.timers.get('w')).toBe(1000);
    resumed!.addEvent('x|PassStateExited', ev(3, 'PassStateExited'));
    expect(resumed!.settle('t', { ok: true, value: 1 })).toBe(true);
    resumed!.finish({ status: 'SUCCEEDED', stopDate: 5, output: '1' });

    expect(loadJournals(dir).ended.map((j) => j.end.status)).toEqual(['SUCCEEDED']);
    const again = ExecutionJournal.load(fileOf());
    expect(again!.events.map((e) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited']);
    expect(again!.results.get('t')).toEqual({ ok: true, value: 1 });
    expect(again!.status()).toBe('SUCCEEDED');
    expect(readFileSync(fileOf(), 'utf8')).not.toContain('\0');
  });

  it('a new execution does not append behind a file whose first line was torn', () => {
    const first = ExecutionJournal.create(dir, META);
    first.close();
    const file = fileOf();
    rmSync(file);
    appendFileSync(file, '{"t":"meta","me');
    expect(loadJournals(dir)).toEqual({ running: [], ended: [] });
    const second = ExecutionJournal.create(dir, META);
    second.finish({ status: 'SUCCEEDED', stopDate: 1, output: '{}' });
    expect(loadJournals(dir).ended.map((j) => j.end.status)).toEqual(['SUCCEEDED']);
  });
});

describe('execution journals read at a restart', () => {
  const ended = () => {
    const journal = ExecutionJournal.create(dir, META);
    journal.addEvent('|ExecutionStarted', ev(1, 'ExecutionStarted'));
    journal.addEvent('ask|TaskScheduled', ev(2, 'TaskScheduled'));
    journal.token('ask', 'token-1');
    journal.settle('ask', { ok: true, value: { approved: true } });
    journal.addEvent('|ExecutionSucceeded', ev(3, 'ExecutionSucceeded'));
    journal.finish({ status: 'SUCCEEDED', stopDate: 7, output: '{"approved":true}' });
    journal.memo('late', 'a callback call answering after the end');
    return journal;
  };

  it('an ended execution: its start, end and task tokens, the same as a whole load reads', () => {
    ended();
    const whole = ExecutionJournal.load(fileOf())!;
    expect(loadIfEnded(fileOf())).toEqual({ meta: whole.meta, end: whole.end, tokens: whole.tokens });
    expect(loadIfEnded(fileOf())!.tokens.get('ask')).toBe('token-1');
    const { running, ended: ends } = loadJournals(dir);
    expect(running).toEqual([]);
    expect(ends.map((j) => [j.meta.executionArn, j.end.status])).toEqual([[META.executionArn, 'SUCCEEDED']]);
  });

  it('a running execution is loaded whole, history and all', () => {
    const journal = ExecutionJournal.create(dir, META);
    journal.addEvent('|ExecutionStarted', ev(1, 'ExecutionStarted'));
    journal.timer('wait', 1000);
    journal.close();
    expect(loadIfEnded(fileOf())).toBeUndefined();
    const { running, ended: ends } = loadJournals(dir);
    expect(ends).toEqual([]);
    expect(running.map((j) => [j.events.map((e) => e.type), j.timers.get('wait')])).toEqual([[['ExecutionStarted'], 1000]]);
  });

  it('an end record torn by a crash did not happen: the execution runs on', () => {
    const journal = ExecutionJournal.create(dir, META);
    journal.addEvent('|ExecutionStarted', ev(1, 'ExecutionStarted'));
    journal.close();
    appendFileSync(fileOf(), '{"t":"end","status":"SUCC');
    expect(loadIfEnded(fileOf())).toBeUndefined();
    expect(loadJournals(dir).running.map((j) => j.status())).toEqual(['RUNNING']);
  });

  it.each([
    ['a torn history event with a task result appended onto it', (event: string) => `${event.slice(0, -20)}${JSON.stringify({ t: 'res', key: 'k', ok: true, value: { a: 1 } })}`],
    ['zeros where a history event was half written', (event: string) => `${event.slice(0, 30)}${'\0'.repeat(16)}}}`],
    ['a history event cut short', (event: string) => event.slice(0, -1)],
  ])('reads a journal as load() does when an end follows %s', (_, damage) => {
    const journal = ExecutionJournal.create(dir, META);
    journal.addEvent('|ExecutionStarted', ev(1, 'ExecutionStarted'));
    journal.close();
    const [meta, event] = readFileSync(fileOf(), 'utf8').split('\n');
    const end = JSON.stringify({ t: 'end', status: 'SUCCEEDED', stopDate: 5, output: '{}' });
    writeFileSync(fileOf(), `${meta}\n${damage(event!)}\n${end}\n`);
    expect(ExecutionJournal.load(fileOf())!.status()).toBe('RUNNING');
    expect(loadIfEnded(fileOf())).toBeUndefined();
    expect(loadJournals(dir).running.map((j) => j.status())).toEqual(['RUNNING']);
  });
});
