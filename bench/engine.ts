import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { ListExecutionsCommand, SFNClient, StartExecutionCommand, type ExecutionStatus } from '@aws-sdk/client-sfn';
import { execFile } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startLocalRuntime, type LocalRuntime } from '../local/runtime';
import { PROJECT_ROOT } from '../local/synth';
import { figure, fixed1, progress, report, type Benchmark } from './support';

/**
 * The engine benchmark: how fast the local runtime routes events and runs simple executions, on
 * whatever machine runs it. It synthesizes bench/fixtures/engine-app.ts (a bus, a rule targeting a
 * do-nothing function, a Standard state machine Pass -> Task(lambda:invoke) -> Succeed), starts the
 * local runtime on it, and measures through the AWS SDK at the edge, as any client would:
 *
 *  a. events-routed-per-s: PutEvents (batches of 10, 8 requests in flight) until the rule's Lambda
 *     target has run once per event. Each run logs `bench-delivered <event id>` (one line, written to
 *     `<dataDir>/logs/<function>.log` by the runtime); the benchmark tails that file, matches the ids
 *     to the EventIds PutEvents returned, and takes the end time from the log line's own timestamp
 *     (the moment the handler ran), so the tailing's polling interval is not in the figure.
 *  b. executions-per-s: StartExecution (16 in flight) until ListExecutions reports every one
 *     SUCCEEDED; the end is the latest stopDate the engine reports (its clock is Date.now() here).
 *
 * A short warm-up (not measured) starts the function's worker and the SDK clients' connections first.
 * The load generator runs in this process, so its own CPU (SDK serialization, signing, HTTP) shares
 * the event loop with the runtime: the figures are what one process does, client included.
 */

const TARGET_EVENTS_PER_S = 1000;
const TARGET_EXECUTIONS_PER_S = 200;
const PUT_CONCURRENCY = 8;
const START_CONCURRENCY = 16;
const BATCH = 10;
/** no progress for this long ends a phase with what it has */
const STALL_MS = 30_000;
const CACHE_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'tradeflow-bench');
const FIXTURE_APP = path.join(PROJECT_ROOT, 'bench', 'fixtures', 'engine-app.ts');
const BUS = 'engine-bench';
const MACHINE = 'engine-bench-simple';

const intFromEnv = (name: string, fallback: number) => {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

function synthesizeFixture(outDir: string): Promise<void> {
  const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
  return new Promise((resolve, reject) => {
    execFile(tsx, [FIXTURE_APP], { cwd: PROJECT_ROOT, env: { ...process.env, CDK_OUTDIR: outDir }, timeout: 180_000, maxBuffer: 16 << 20 },
      (error, _stdout, stderr) => (error ? reject(new Error(`synth of ${FIXTURE_APP} failed: ${error.message}\n${stderr.slice(-2000)}`)) : resolve()));
  });
}

/** Runs `jobs` with at most `limit` at once; every job runs (failures are the job's to record). */
async function pool(count: number, limit: number, job: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}

/** Follows a function's log file as it grows; remembers each `bench-delivered <id>` with the handler's timestamp. */
class DeliveryLog {
  private offset = 0;
  private partial = '';
  /** id -> times seen */
  readonly seen = new Map<string, number>();
  /** handler timestamp (epoch ms) of the latest delivery line read */
  lastAt = 0;
  linesRead = 0;

  constructor(private readonly logDir: string) {}

  private file(): string | undefined {
    if (!existsSync(this.logDir)) return undefined;
    const name = readdirSync(this.logDir).find((f) => f.endsWith('.log'));
    return name && path.join(this.logDir, name);
  }

  /** Reads what was appended since the last call. */
  poll(): void {
    const file = this.file();
    if (!file) return;
    const fd = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(1 << 20);
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, this.offset);
        if (n === 0) break;
        this.offset += n;
        const lines = (this.partial + buffer.toString('utf8', 0, n)).split('\n');
        this.partial = lines.pop() ?? '';
        for (const line of lines) this.line(line);
      }
    } finally {
      closeSync(fd);
    }
  }

  private line(line: string): void {
    // Lambda's console format: <ISO time>\t<request id>\tINFO\tbench-delivered <id>
    const match = /^(\S+)\t[^\t]*\tINFO\tbench-delivered (\S+)$/.exec(line);
    if (!match) return;
    this.linesRead++;
    const id = match[2]!;
    this.seen.set(id, (this.seen.get(id) ?? 0) + 1);
    const at = Date.parse(match[1]!);
    if (at > this.lastAt) this.lastAt = at;
  }
}

interface Failure {
  what: string;
  count: number;
  example: string;
}

function noteFailure(failures: Map<string, Failure>, what: string, example: string, count = 1): void {
  const existing = failures.get(what);
  if (existing) existing.count += count;
  else failures.set(what, { what, count, example: example.slice(0, 300) });
}

// ---------------------------------------------------------------------------------------------- a.

function entriesFor(batch: number, size: number): PutEventsRequestEntry[] {
  return Array.from({ length: size }, (_, i) => ({
    EventBusName: BUS,
    Source: 'bench.engine',
    DetailType: 'Routed',
    Detail: JSON.stringify({ batch, i }),
  }));
}

async function putAll(events: EventBridgeClient, count: number, batchOffset: number, ids: Set<string>, failures: Map<string, Failure>): Promise<void> {
  const batches = Math.ceil(count / BATCH);
  await pool(batches, PUT_CONCURRENCY, async (b) => {
    const size = Math.min(BATCH, count - b * BATCH);
    try {
      const result = await events.send(new PutEventsCommand({ Entries: entriesFor(batchOffset + b, size) }));
      for (const entry of result.Entries ?? []) {
        if (entry.EventId) ids.add(entry.EventId);
        else noteFailure(failures, `PutEvents entry ${entry.ErrorCode ?? 'failed'}`, entry.ErrorMessage ?? '');
      }
    } catch (error) {
      noteFailure(failures, 'PutEvents request failed', String(error), size);
    }
  });
}

/** Waits until every id in `ids` was delivered (or nothing moved for STALL_MS). */
async function awaitDeliveries(log: DeliveryLog, ids: Set<string>, label: string): Promise<number> {
  let delivered = 0;
  let lastProgress = Date.now();
  let lastReport = 0;
  for (;;) {
    log.poll();
    const now = [...ids].filter((id) => log.seen.has(id)).length;
    if (now > delivered) {
      delivered = now;
      lastProgress = Date.now();
    }
    if (delivered >= ids.size) return delivered;
    if (Date.now() - lastProgress > STALL_MS) {
      progress(`${label}: no delivery for ${STALL_MS / 1000} s; stopping at ${delivered}/${ids.size}`);
      return delivered;
    }
    if (Date.now() - lastReport > 1000) {
      progress(`${label}: ${delivered}/${ids.size} delivered`);
      lastReport = Date.now();
    }
    await sleep(delivered * 100 < ids.size ? 50 : 20);
  }
}

async function measureRouting(runtime: LocalRuntime, dataDir: string, total: number): Promise<void> {
  const events = new EventBridgeClient({ endpoint: runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  const log = new DeliveryLog(path.join(dataDir, 'logs'));
  const failures = new Map<string, Failure>();
  try {
    progress('routing: warm-up (20 events, not measured)...');
    const warmIds = new Set<string>();
    await putAll(events, 20, 1_000_000, warmIds, failures);
    await awaitDeliveries(log, warmIds, 'routing warm-up');
    log.poll();

    progress(`routing: ${total} events, PutEvents batches of ${BATCH}, ${PUT_CONCURRENCY} in flight...`);
    const ids = new Set<string>();
    const started = Date.now();
    await putAll(events, total, 0, ids, failures);
    const putDone = Date.now();
    progress(`routing: all PutEvents answered after ${fixed1((putDone - started) / 1000)} s (${ids.size} accepted)`);
    const delivered = await awaitDeliveries(log, ids, 'routing');
    const observed = Date.now();
    const end = Math.max(log.lastAt, started + 1);
    const seconds = (end - started) / 1000;

    const duplicates = [...ids].filter((id) => (log.seen.get(id) ?? 0) > 1).length;
    const lost = ids.size - delivered;
    const failed = (await (await fetch(`${runtime.edgeUrl}/_local/events/failed?limit=1000`)).json()) as { failed: unknown[] };
    if (lost > 0) noteFailure(failures, 'events accepted but never delivered', `${lost} of ${ids.size}`, lost);
    if (failed.failed.length > 0) noteFailure(failures, 'EventBridge failed deliveries (/_local/events/failed)', JSON.stringify(failed.failed[0]), failed.failed.length);

    report(`routing: ${total} events put on bus ${BUS} (PutEvents x${Math.ceil(total / BATCH)}, ${BATCH} per batch, ${PUT_CONCURRENCY} in flight)`
      + ` -> rule -> Lambda target; ${delivered} delivered, ${duplicates} delivered more than once`);
    report(`  PutEvents: all answered in ${fixed1((putDone - started) / 1000)} s = ${Math.round(ids.size / ((putDone - started) / 1000))} events/s accepted`);
    report(`  last delivery (handler's log timestamp) ${fixed1(seconds)} s after the first put; seen by the tail ${observed - end} ms later`);
    figure('events-routed-per-s', Math.round(delivered / seconds), 'events/s');
    report(`target: >= ${TARGET_EVENTS_PER_S} events/s -> ${delivered / seconds >= TARGET_EVENTS_PER_S && lost === 0 ? 'met' : 'MISSED'}`);
    for (const f of failures.values()) report(`ERROR ${f.what}: ${f.count} (e.g. ${f.example})`);
  } finally {
    events.destroy();
  }
}

// ---------------------------------------------------------------------------------------------- b.

const COUNTED: ExecutionStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

/** Executions of the machine in each final status, and the latest stopDate (epoch ms) among the SUCCEEDED ones. */
async function finished(sfn: SFNClient, machineArn: string, since: number): Promise<{ counts: Record<string, number>; lastStop: number; examples: string[] }> {
  const counts: Record<string, number> = {};
  let lastStop = 0;
  const examples: string[] = [];
  for (const statusFilter of COUNTED) {
    let nextToken: string | undefined;
    counts[statusFilter] = 0;
    do {
      const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter, maxResults: 1000, nextToken }));
      for (const execution of page.executions ?? []) {
        if ((execution.startDate?.getTime() ?? 0) < since) continue; // the warm-up's
        counts[statusFilter]++;
        const stop = execution.stopDate?.getTime() ?? 0;
        if (statusFilter === 'SUCCEEDED' && stop > lastStop) lastStop = stop;
        if (statusFilter !== 'SUCCEEDED' && examples.length < 3) examples.push(execution.executionArn ?? '?');
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return { counts, lastStop, examples };
}

async function startAll(sfn: SFNClient, machineArn: string, count: number, offset: number, failures: Map<string, Failure>): Promise<number> {
  let started = 0;
  await pool(count, START_CONCURRENCY, async (i) => {
    try {
      await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, input: JSON.stringify({ n: offset + i }) }));
      started++;
    } catch (error) {
      noteFailure(failures, 'StartExecution failed', String(error));
    }
  });
  return started;
}

async function awaitExecutions(sfn: SFNClient, machineArn: string, since: number, expected: number, label: string) {
  let state = await finished(sfn, machineArn, since);
  let done = 0;
  let lastProgress = Date.now();
  let lastReport = 0;
  for (;;) {
    const now = COUNTED.reduce((sum, s) => sum + (state.counts[s] ?? 0), 0);
    if (now > done) {
      done = now;
      lastProgress = Date.now();
    }
    if (done >= expected) return state;
    if (Date.now() - lastProgress > STALL_MS) {
      progress(`${label}: no execution finished for ${STALL_MS / 1000} s; stopping at ${done}/${expected}`);
      return state;
    }
    if (Date.now() - lastReport > 1000) {
      progress(`${label}: ${state.counts.SUCCEEDED}/${expected} succeeded, ${done - (state.counts.SUCCEEDED ?? 0)} ended otherwise`);
      lastReport = Date.now();
    }
    await sleep(100);
    state = await finished(sfn, machineArn, since);
  }
}

async function measureExecutions(runtime: LocalRuntime, total: number): Promise<void> {
  const sfn = new SFNClient({ endpoint: runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  const machineArn = `arn:aws:states:${LOCAL_REGION}:000000000000:stateMachine:${MACHINE}`;
  const failures = new Map<string, Failure>();
  try {
    progress('executions: warm-up (16 executions, not measured)...');
    const warmSince = Date.now();
    const warm = await startAll(sfn, machineArn, 16, 1_000_000, failures);
    await awaitExecutions(sfn, machineArn, warmSince, warm, 'executions warm-up');
    await sleep(5); // the measured executions' startDate must be after every warm-up one

    progress(`executions: ${total} StartExecution, ${START_CONCURRENCY} in flight...`);
    const startedAt = Date.now();
    const started = await startAll(sfn, machineArn, total, 0, failures);
    const startsDone = Date.now();
    progress(`executions: ${started} started after ${fixed1((startsDone - startedAt) / 1000)} s`);
    const state = await awaitExecutions(sfn, machineArn, startedAt, started, 'executions');
    const succeeded = state.counts.SUCCEEDED ?? 0;
    const seconds = (Math.max(state.lastStop, startedAt + 1) - startedAt) / 1000;
    const otherwise = COUNTED.filter((s) => s !== 'SUCCEEDED').map((s) => `${s} ${state.counts[s] ?? 0}`).join(', ');
    const failed = COUNTED.filter((s) => s !== 'SUCCEEDED').reduce((sum, s) => sum + (state.counts[s] ?? 0), 0);
    const unfinished = started - succeeded - failed;

    report(`executions: ${total} x ${MACHINE} (Standard: Pass -> Task lambda:invoke -> Succeed), StartExecution ${START_CONCURRENCY} in flight;`
      + ` ${succeeded} SUCCEEDED, ${otherwise}, ${unfinished} still RUNNING at the end`);
    report(`  StartExecution: all answered in ${fixed1((startsDone - startedAt) / 1000)} s = ${Math.round(started / ((startsDone - startedAt) / 1000))} starts/s`);
    report(`  last SUCCEEDED stopDate ${fixed1(seconds)} s after the first start`);
    figure('executions-per-s', Math.round(succeeded / seconds), 'executions/s');
    if (failed > 0) {
      figure('executions-failed', failed, 'executions');
      noteFailure(failures, 'executions that did not succeed', `${otherwise}; e.g. ${state.examples.join(', ')}`, failed);
    }
    if (unfinished > 0) noteFailure(failures, 'executions still RUNNING when the wait gave up', `${unfinished} of ${started}`, unfinished);
    report(`target: >= ${TARGET_EXECUTIONS_PER_S} executions/s -> ${succeeded / seconds >= TARGET_EXECUTIONS_PER_S && failed === 0 ? 'met' : 'MISSED'}`);
    for (const f of failures.values()) report(`ERROR ${f.what}: ${f.count} (e.g. ${f.example})`);
  } finally {
    sfn.destroy();
  }
}

// ------------------------------------------------------------------------------------------------

export const engine: Benchmark = {
  name: 'engine',
  description: 'events routed per second (PutEvents -> rule -> Lambda) and simple Standard executions per second, locally',
  async run() {
    const events = intFromEnv('BENCH_EVENTS', 5000);
    const executions = intFromEnv('BENCH_EXECUTIONS', 1000);
    mkdirSync(CACHE_DIR, { recursive: true });
    const work = mkdtempSync(path.join(CACHE_DIR, 'engine-'));
    try {
      const cdkOut = path.join(work, 'cdk.out');
      const dataDir = path.join(work, 'data');
      progress(`synthesizing ${path.relative(PROJECT_ROOT, FIXTURE_APP)}...`);
      await synthesizeFixture(cdkOut);
      const template = readFileSync(path.join(cdkOut, 'EngineBench.template.json'), 'utf8');
      if (!template.includes('AWS::StepFunctions::StateMachine')) throw new Error('the fixture has no state machine');
      progress('starting the local runtime (free ports; logs kept in a temp data dir)...');
      const runtime = await startLocalRuntime({ cdkOut, dataDir, ports: { api: 0, edge: 0, dynamodb: 0 }, log: progress });
      try {
        await measureRouting(runtime, dataDir, events);
        report();
        await measureExecutions(runtime, executions);
        report();
        report(`targets: >= ${TARGET_EVENTS_PER_S} events routed/s, >= ${TARGET_EXECUTIONS_PER_S} executions/s (this machine: ${cpus().length} cores)`);
      } finally {
        progress('stopping the local runtime...');
        await runtime.stop();
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
