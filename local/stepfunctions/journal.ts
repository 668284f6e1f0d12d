import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';

/**
 * One append-only JSON-lines file per execution: its start (meta), then every history event, task
 * result, timer, task token and heartbeat as it happens, each line fsync'd before the engine acts on
 * it. Replaying an execution reads these instead of doing the work again (see interpreter.ts).
 * A torn last line (a crash mid-write) is ignored: that record never happened.
 */

export interface ExecutionMeta {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  input: string;
  /** epoch ms on the local clock */
  startDate: number;
  roleArn: string;
  /** the definition the execution started with: it keeps it across an update of its state machine */
  definition: string;
}

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** epoch seconds, as the JSON protocol sends timestamps */
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export type TaskResult = { ok: true; value: unknown } | { ok: false; error: string; cause: string };

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionEnd {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  stopDate: number;
  output?: string;
  error?: string;
  cause?: string;
}

type JournalRecord =
  | { t: 'meta'; meta: ExecutionMeta }
  | { t: 'ev'; key: string; ev: HistoryEvent }
  | ({ t: 'res'; key: string } & TaskResult)
  | { t: 'memo'; key: string; value: unknown }
  | { t: 'timer'; key: string; at: number }
  | { t: 'token'; key: string; token: string }
  | { t: 'hb'; key: string; at: number }
  | ({ t: 'end' } & ExecutionEnd);

export class ExecutionJournal {
  readonly events: HistoryEvent[] = [];
  readonly eventsByKey = new Map<string, HistoryEvent>();
  readonly results = new Map<string, TaskResult>();
  readonly memos = new Map<string, unknown>();
  readonly timers = new Map<string, number>();
  readonly tokens = new Map<string, string>();
  readonly heartbeats = new Map<string, number>();
  end: ExecutionEnd | undefined;

  private constructor(
    readonly meta: ExecutionMeta,
    private readonly file: string | undefined,
  ) {}

  static create(dir: string | undefined, meta: ExecutionMeta): ExecutionJournal {
    const file = dir === undefined ? undefined : journalFile(dir, meta.executionArn);
    if (file) mkdirSync(path.dirname(file), { recursive: true });
    const journal = new ExecutionJournal(meta, file);
    journal.write({ t: 'meta', meta });
    return journal;
  }

  static load(file: string): ExecutionJournal | undefined {
    const lines = readFileSync(file, 'utf8').split('\n');
    let journal: ExecutionJournal | undefined;
    for (const line of lines) {
      if (!line.trim()) continue;
      let record: JournalRecord;
      try {
        record = JSON.parse(line) as JournalRecord;
      } catch {
        break; // torn write at a crash: everything after it never happened
      }
      if (record.t === 'meta') journal = new ExecutionJournal(record.meta, file);
      else journal?.apply(record);
    }
    return journal;
  }

  status(): ExecutionStatus {
    return this.end?.status ?? 'RUNNING';
  }

  addEvent(key: string, ev: HistoryEvent): void {
    this.write({ t: 'ev', key, ev });
  }

  /** Records a task's outcome unless one is recorded already; tells whether this call decided it. */
  settle(key: string, result: TaskResult): boolean {
    if (this.results.has(key) || this.end) return false;
    this.write({ t: 'res', key, ...result });
    return true;
  }

  memo(key: string, value: unknown): void {
    this.write({ t: 'memo', key, value });
  }

  timer(key: string, at: number): void {
    this.write({ t: 'timer', key, at });
  }

  token(key: string, token: string): void {
    this.write({ t: 'token', key, token });
  }

  heartbeat(key: string, at: number): void {
    this.write({ t: 'hb', key, at });
  }

  finish(end: ExecutionEnd): boolean {
    if (this.end) return false;
    this.write({ t: 'end', ...end });
    return true;
  }

  private write(record: JournalRecord): void {
    if (this.file) {
      const fd = openSync(this.file, 'a');
      try {
        writeSync(fd, `${JSON.stringify(record)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    if (record.t !== 'meta') this.apply(record);
  }

  private apply(record: JournalRecord): void {
    switch (record.t) {
      case 'ev':
        this.events.push(record.ev);
        this.eventsByKey.set(record.key, record.ev);
        break;
      case 'res': {
        const { t: _t, key, ...result } = record;
        this.results.set(key, result as TaskResult);
        break;
      }
      case 'memo':
        this.memos.set(record.key, record.value);
        break;
      case 'timer':
        this.timers.set(record.key, record.at);
        break;
      case 'token':
        this.tokens.set(record.key, record.token);
        break;
      case 'hb':
        this.heartbeats.set(record.key, record.at);
        break;
      case 'end': {
        const { t: _t, ...end } = record;
        this.end = end;
        break;
      }
    }
  }
}

function journalFile(dir: string, executionArn: string): string {
  const hash = createHash('sha256').update(executionArn).digest('hex').slice(0, 32);
  return path.join(dir, `${hash}.jsonl`);
}

export function loadJournals(dir: string | undefined): ExecutionJournal[] {
  if (dir === undefined || !existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => ExecutionJournal.load(path.join(dir, f)))
    .filter((j): j is ExecutionJournal => j !== undefined);
}
