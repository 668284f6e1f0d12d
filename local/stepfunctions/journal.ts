import { closeSync, existsSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';

/**
 * One append-only JSON-lines file per execution: its start (meta), then every history event, task
 * result, timer, task token and heartbeat as it happens. Replaying an execution reads these instead
 * of doing the work again (see interpreter.ts).
 *
 * Durability: every record is written (write(2), one line per call) on one file descriptor the journal
 * keeps open in append mode while its execution runs (closed when it ends or the service stops). A
 * record the engine would act on is fdatasync'd before the engine acts on it or before the API answers;
 * the others are made durable by the next fdatasync of the same file (it flushes every earlier write).
 * So at any moment, everything the engine has done something with is on disk, and what may be lost in
 * a crash of the machine is only a tail written after the last sync, which the engine acted on in no way
 * that leaves the process. Per record kind:
 *
 *  - meta: synced in create(): StartExecution answers only once the input is durable.
 *  - res (a task's outcome), memo (a result of `once`, e.g. a callback task's call), timer (Wait, retry
 *    interval), token, hb (heartbeat), end: each synced as it is written, before the engine goes on
 *    with it and before SendTask*, StopExecution or the run that wrote it see it recorded.
 *  - ev TaskScheduled / TaskStarted (LambdaFunction*): synced by ExecutionJournal.sync(), which the
 *    interpreter calls right before a task's call (its side effect) starts.
 *  - every other ev (ExecutionStarted, *StateEntered/Exited, Task/LambdaFunction Succeeded/Failed/
 *    TimedOut, TaskSubmitted, Map/Parallel bookkeeping, Execution Succeeded/Failed/TimedOut/Aborted): not
 *    synced by itself. Each is recomputed by replay from meta and the synced records above (an outcome
 *    event from its res, TaskSubmitted from its memo, an Execution* end event is followed at once by the
 *    synced end). If a crash loses it, replay writes it again, with a later timestamp (and, for
 *    concurrent Map/Parallel branches, maybe another interleaving); GetExecutionHistory may have shown
 *    the lost version. Nothing else was derived from it outside the process: every effect is preceded
 *    by a sync, which makes it durable with everything before it (e.g. WaitStateEntered, whose time a
 *    Wait's due time derives from, is synced together with the timer).
 *
 * Loading stops at the first line that does not parse or has no newline (a torn write, or the garbage
 * or zeros a machine crash may leave where unsynced data was): that record and everything after it
 * never happened, and before the journal is written again the file is truncated there, so the records
 * of the resumed run are not appended behind garbage that would hide them from the next load.
 * (A new file's directory entry is not synced separately: on ext4/xfs the file's sync commits it.)
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

  /** the open append-mode descriptor, while the execution runs */
  private fd: number | undefined;
  /** records written since the last sync */
  private dirty = false;
  /** ended (or the service stopped): a later write opens, appends and closes the file again */
  private closed = false;

  private constructor(
    readonly meta: ExecutionMeta,
    private readonly file: string | undefined,
    /** where the file's last complete record ends: a load truncates a torn tail there before writing */
    private validLength?: number,
  ) {}

  /** Starts an execution's journal in `dir`, which must exist; returns once the meta is durable. */
  static create(dir: string | undefined, meta: ExecutionMeta): ExecutionJournal {
    const file = dir === undefined ? undefined : journalFile(dir, meta.executionArn);
    // 0: a file left under this name by a crash that tore its first line holds nothing to keep
    const journal = new ExecutionJournal(meta, file, 0);
    journal.write({ t: 'meta', meta }, true);
    return journal;
  }

  /** `text`: the file's content, when the caller has read it already */
  static load(file: string, text: Buffer = readFileSync(file)): ExecutionJournal | undefined {
    let journal: ExecutionJournal | undefined;
    let offset = 0;
    let validLength = 0;
    for (;;) {
      const newline = text.indexOf(10, offset);
      if (newline < 0) break; // a last line without its newline is a torn write: it never happened
      const line = text.toString('utf8', offset, newline);
      offset = newline + 1;
      if (!line.trim()) {
        validLength = offset;
        continue;
      }
      let record: JournalRecord;
      try {
        record = JSON.parse(line) as JournalRecord;
      } catch {
        break; // torn or lost write at a crash: everything after it never happened
      }
      validLength = offset;
      if (record.t === 'meta') journal = new ExecutionJournal({ ...record.meta, definition: shared(record.meta.definition) }, file, validLength);
      else journal?.apply(record);
    }
    if (journal) {
      journal.validLength = validLength;
      journal.closed = journal.end !== undefined;
    }
    return journal;
  }

  status(): ExecutionStatus {
    return this.end?.status ?? 'RUNNING';
  }

  /** A history event: durable with the next sync (see the header). */
  addEvent(key: string, ev: HistoryEvent): void {
    this.write({ t: 'ev', key, ev }, false);
  }

  /** Makes every record written so far durable: called before a task's side effect starts. */
  sync(): void {
    if (!this.dirty || this.fd === undefined) return;
    fdatasyncSync(this.fd);
    this.dirty = false;
  }

  /** Releases the file descriptor (the execution ended, or the service stops); syncs first. */
  close(): void {
    this.closed = true;
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      if (this.dirty) fdatasyncSync(fd);
      this.dirty = false;
    } finally {
      closeSync(fd);
    }
  }

  /** Records a task's outcome unless one is recorded already; tells whether this call decided it. */
  settle(key: string, result: TaskResult): boolean {
    if (this.results.has(key) || this.end) return false;
    this.write({ t: 'res', key, ...result }, true);
    return true;
  }

  memo(key: string, value: unknown): void {
    this.write({ t: 'memo', key, value }, true);
  }

  timer(key: string, at: number): void {
    this.write({ t: 'timer', key, at }, true);
  }

  token(key: string, token: string): void {
    this.write({ t: 'token', key, token }, true);
  }

  heartbeat(key: string, at: number): void {
    this.write({ t: 'hb', key, at }, true);
  }

  finish(end: ExecutionEnd): boolean {
    if (this.end) return false;
    this.write({ t: 'end', ...end }, true);
    this.close();
    return true;
  }

  private write(record: JournalRecord, durable: boolean): void {
    if (this.file) {
      const line = `${JSON.stringify(record)}\n`;
      if (this.closed) {
        // after the end (e.g. a callback task's call answering late): rare, so no descriptor is kept
        const fd = this.open();
        try {
          appendWhole(fd, line);
          if (durable) fdatasyncSync(fd);
        } finally {
          closeSync(fd);
        }
      } else {
        this.fd ??= this.open();
        appendWhole(this.fd, line);
        this.dirty = true;
        if (durable) this.sync();
      }
    }
    if (record.t !== 'meta') this.apply(record);
  }

  private open(): number {
    const fd = openSync(this.file!, 'a');
    if (this.validLength !== undefined) {
      // drop a torn tail left by a crash (appends go to the end, which is then here)
      try {
        ftruncateSync(fd, this.validLength);
      } catch (error) {
        closeSync(fd);
        throw error;
      }
      this.validLength = undefined;
    }
    return fd;
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

/**
 * Appends `line` whole or not at all: a short write (a full disk) is cut off again and throws, so that no
 * record is ever appended onto a torn one.
 */
function appendWhole(fd: number, line: string): void {
  const bytes = Buffer.from(line);
  const written = writeSync(fd, bytes);
  if (written === bytes.length) return;
  ftruncateSync(fd, fstatSync(fd).size - written);
  throw new Error(`the journal wrote only ${written} of a record's ${bytes.length} bytes`);
}

/** one copy of each definition text for all the journals loaded with it (thousands after a restart) */
const definitions = new Map<string, string>();
function shared(definition: string): string {
  const known = definitions.get(definition);
  if (known !== undefined) return known;
  definitions.set(definition, definition);
  return definition;
}

export function journalFile(dir: string, executionArn: string): string {
  const hash = createHash('sha256').update(executionArn).digest('hex').slice(0, 32);
  return path.join(dir, `${hash}.jsonl`);
}

/**
 * What a restart keeps of an execution that has ended: its start, its end, and its task tokens (a late
 * SendTask* with one answers TaskTimedOut).
 */
export interface EndedJournal {
  meta: ExecutionMeta;
  end: ExecutionEnd;
  tokens: Map<string, string>;
}

const HISTORY_EVENT_RECORD = Buffer.from('{"t":"ev",');
const END_RECORD = Buffer.from('{"t":"end",');
const RECORD_START = Buffer.from('{"t":"');
const RECORD_END = Buffer.from('}}');
const isHistoryEvent = (text: Buffer, start: number, end: number) =>
  end - start >= HISTORY_EVENT_RECORD.length && text.compare(HISTORY_EVENT_RECORD, 0, HISTORY_EVENT_RECORD.length, start, start + HISTORY_EVENT_RECORD.length) === 0;
/**
 * Whether a history event's line looks whole without parsing it: it ends as one does, holds no zeros (what
 * a machine crash leaves of unsynced pages) and no second record (one appended onto a torn line). An event's
 * own details hold JSON as strings, where quotes are escaped, so they never look like a record's start.
 */
const looksWhole = (text: Buffer, start: number, end: number) => {
  const line = text.subarray(start, end);
  return line.subarray(line.length - RECORD_END.length).equals(RECORD_END) && !line.includes(0) && line.indexOf(RECORD_START, 1) < 0;
};

/**
 * The journal in `file` if its execution has ended, read as a restart needs it: its history events,
 * most of its lines, are checked for a whole look (looksWhole) but not parsed. Undefined for one still
 * running, and for any file where a line is not what it should be: load() then reads it whole and
 * decides, stopping at the first record that does not parse.
 */
export function loadIfEnded(file: string, text: Buffer = readFileSync(file)): EndedJournal | undefined {
  // a running execution's journal (most of them, after a launch) has no end record: no need to go through it
  if (text.lastIndexOf(END_RECORD) < 0) return undefined;
  let meta: ExecutionMeta | undefined;
  let end: ExecutionEnd | undefined;
  const tokens = new Map<string, string>();
  for (let offset = 0; ;) {
    const newline = text.indexOf(10, offset);
    if (newline < 0) break;
    const start = offset;
    offset = newline + 1;
    if (isHistoryEvent(text, start, newline)) {
      if (!looksWhole(text, start, newline)) return undefined;
      continue;
    }
    const line = text.toString('utf8', start, newline);
    if (!line.trim()) continue;
    let record: JournalRecord;
    try {
      record = JSON.parse(line) as JournalRecord;
    } catch {
      return undefined;
    }
    if (record.t === 'meta') meta = record.meta;
    else if (record.t === 'token') tokens.set(record.key, record.token);
    else if (record.t === 'end') {
      const { t: _t, ...ended } = record;
      end = ended;
    }
  }
  return meta && end ? { meta, end, tokens } : undefined;
}

/** The journals in `dir` after a restart: the running ones whole, the ended ones as loadIfEnded reads them (or load(), when it cannot tell). */
export function loadJournals(dir: string | undefined): { running: ExecutionJournal[]; ended: EndedJournal[] } {
  const loaded = { running: [] as ExecutionJournal[], ended: [] as EndedJournal[] };
  if (dir === undefined || !existsSync(dir)) return loaded;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    const file = path.join(dir, name);
    const text = readFileSync(file);
    const ended = loadIfEnded(file, text);
    if (ended) {
      loaded.ended.push(ended);
      continue;
    }
    const journal = ExecutionJournal.load(file, text);
    if (journal?.end) loaded.ended.push({ meta: journal.meta, end: journal.end, tokens: journal.tokens });
    else if (journal) loaded.running.push(journal);
  }
  return loaded;
}
