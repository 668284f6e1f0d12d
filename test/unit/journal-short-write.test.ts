import type * as Fs from 'node:fs';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExecutionJournal, type ExecutionMeta } from '../../local/stepfunctions/journal';

/** a disk that fills up mid-record: the next write writes only half of what it is given */
const disk = vi.hoisted(() => ({ full: false }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof Fs>();
  const writeSync = ((fd: number, data: Buffer) => {
    if (!disk.full || !Buffer.isBuffer(data)) return fs.writeSync(fd, data);
    disk.full = false;
    return fs.writeSync(fd, data, 0, Math.floor(data.length / 2));
  }) as typeof fs.writeSync;
  return { ...fs, default: { ...fs, writeSync }, writeSync };
});

const META: ExecutionMeta = {
  executionArn: 'arn:aws:states:us-east-1:000000000000:execution:m:e1', stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m',
  stateMachineName: 'm', name: 'e1', input: '{}', startDate: 0, roleArn: '', definition: '{}',
};
const ev = (id: number, type: string) => ({ id, previousEventId: id - 1, timestamp: id, type });
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('an execution journal on a disk that fills up', () => {
  it('cuts a record written in part off again and says so, so the records after it are read', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'journal-short-write-'));
    dirs.push(dir);
    const journal = ExecutionJournal.create(dir, META);
    journal.addEvent('|ExecutionStarted', ev(1, 'ExecutionStarted'));
    disk.full = true;
    expect(() => journal.addEvent('a|PassStateEntered', ev(2, 'PassStateEntered'))).toThrow(/wrote only \d+ of a record's \d+ bytes/);
    journal.addEvent('a|PassStateEntered', ev(2, 'PassStateEntered'));
    journal.finish({ status: 'SUCCEEDED', stopDate: 3, output: '{}' });

    const loaded = ExecutionJournal.load(path.join(dir, readdirSync(dir)[0]!))!;
    expect(loaded.events.map((e) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered']);
    expect(loaded.status()).toBe('SUCCEEDED');
  });
});
