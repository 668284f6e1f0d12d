import { execFile } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startLocalRuntime, type LocalRuntime } from '../local/runtime';
import { PROJECT_ROOT } from '../local/synth';
import { figure, fixed1, progress, report, type Benchmark } from './support';

/**
 * The engine benchmark: how fast the local runtime routes events and runs simple executions, on
 * whatever machine runs it. It synthesizes bench/fixtures/engine-app.ts (a bus, a rule targeting a
 * do-nothing function, a Standard state machine Pass -> Task(lambda:invoke) -> Succeed), starts the
 * local runtime on it in this process, and drives it through the AWS SDK at the edge, as any client
 * would, from a load worker (engine-load.mjs: its own thread and event loop, like a separate client
 * process, so the client's SDK work does not run on the runtime's event loop):
 *
 *  a. events-routed-per-s: PutEvents (batches of 10, 8 requests in flight) until the rule's Lambda
 *     target has run once per event. Each run logs `bench-delivered <event id>` (one line, written to
 *     `<dataDir>/logs/<function>.log` by the runtime); the benchmark tails that file, matches the ids
 *     to the EventIds PutEvents returned, and takes the end time from the log line's own timestamp
 *     (the moment the handler ran), so the tailing's polling interval is not in the figure.
 *  b. executions-per-s: StartExecution (16 in flight) until ListExecutions reports none RUNNING;
 *     the end is the latest stopDate of the SUCCEEDED ones (the engine's clock is Date.now() here).
 *
 * A short warm-up (not measured) starts the function's worker and the clients' connections first.
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
const LOAD_WORKER = new URL('./engine-load.mjs', import.meta.url);
const BUS = 'engine-bench';
const MACHINE = 'engine-bench-simple';
const FINAL_STATUSES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

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

/**
 * What one journal record costs on this disk right now, done the way local/stepfunctions/journal.ts
 * writes each record (open, write, fsync, close): the executions figure depends on it.
 */
function fsyncProbeMs(dir: string, records = 100): number {
  const file = path.join(dir, 'fsync-probe.jsonl');
  const started = performance.now();
  for (let i = 0; i < records; i++) {
    const fd = openSync(file, 'a');
    try {
      writeSync(fd, `${JSON.stringify({ t: 'ev', key: `probe|${i}`, ev: { id: i, type: 'PassStateEntered' } })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  const ms = (performance.now() - started) / records;
  rmSync(file, { force: true });
  return ms;
}

const load1 = () => loadavg()[0]!.toFixed(2);

// ---------------------------------------------------------------------------------- the load worker

interface Failure {
  what: string;
  count: number;
  example: string;
}

interface LoadOps {
  put: {
    args: { count: number; batch: number; concurrency: number; bus: string; batchOffset: number };
    result: { ids: string[]; startedAt: number; doneAt: number; failures: Failure[] };
  };
  start: {
    args: { count: number; concurrency: number; machineArn: string; offset: number };
    result: { started: number; startedAt: number; doneAt: number; failures: Failure[] };
  };
  list: {
    args: { machineArn: string; statusFilter: string; since: number };
    result: { count: number; lastStop: number; examples: string[] };
  };
}

interface LoadReply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** The load generator: a worker thread with its own AWS SDK clients (see engine-load.mjs). */
class LoadWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 0;

  constructor(edgeUrl: string) {
    this.worker = new Worker(LOAD_WORKER, { workerData: { edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS } });
    this.worker.on('message', (reply: LoadReply) => {
      const pending = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) pending?.resolve(reply.result);
      else pending?.reject(new Error(`load worker: ${reply.error ?? 'failed'}`));
    });
    const fail = (error: Error) => {
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`load worker exited with code ${code}`)));
  }

  call<K extends keyof LoadOps>(op: K, args: LoadOps[K]['args']): Promise<LoadOps[K]['result']> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: (value) => resolve(value as LoadOps[K]['result']), reject });
      this.worker.postMessage({ id, op, args });
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

function mergeFailures(into: Map<string, Failure>, failures: Failure[]): void {
  for (const f of failures) {
    const existing = into.get(f.what);
    if (existing) existing.count += f.count;
    else into.set(f.what, { ...f });
  }
}

const noteFailure = (into: Map<string, Failure>, what: string, example: string, count = 1) =>
  mergeFailures(into, [{ what, count, example: example.slice(0, 300) }]);

// ---------------------------------------------------------------------------------------------- a.

/** Follows a function's log file as it grows; remembers each `bench-delivered <id>` with the handler's timestamp. */
class DeliveryLog {
  private offset = 0;
  private partial = '';
  private readonly buffer = Buffer.alloc(1 << 20);
  /** id -> times seen */
  readonly seen = new Map<string, number>();
  /** ids seen for the first time since the last take() */
  private fresh: string[] = [];
  /** handler timestamp (epoch ms) of the latest delivery line read */
  lastAt = 0;

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
      for (;;) {
        const n = readSync(fd, this.buffer, 0, this.buffer.length, this.offset);
        if (n === 0) break;
        this.offset += n;
        const lines = (this.partial + this.buffer.toString('utf8', 0, n)).split('\n');
        this.partial = lines.pop() ?? '';
        for (const line of lines) this.line(line);
      }
    } finally {
      closeSync(fd);
    }
  }

  /** The ids first seen since the last call. */
  take(): string[] {
    const fresh = this.fresh;
    this.fresh = [];
    return fresh;
  }

  private line(line: string): void {
    // Lambda's console format: <ISO time>\t<request id>\tINFO\tbench-delivered <id>
    const match = /^(\S+)\t[^\t]*\tINFO\tbench-delivered (\S+)$/.exec(line);
    if (!match) return;
    const id = match[2]!;
    const times = (this.seen.get(id) ?? 0) + 1;
    this.seen.set(id, times);
    if (times === 1) this.fresh.push(id);
    const at = Date.parse(match[1]!);
    if (at > this.lastAt) this.lastAt = at;
  }
}

/** Waits until every id was delivered (or nothing moved for STALL_MS); answers how many were. */
async function awaitDeliveries(log: DeliveryLog, ids: Set<string>, label: string): Promise<number> {
  log.poll();
  log.take();
  let delivered = [...ids].filter((id) => log.seen.has(id)).length;
  let lastProgress = Date.now();
  let lastReport = Date.now();
  while (delivered < ids.size) {
    if (Date.now() - lastProgress > STALL_MS) {
      progress(`${label}: no delivery for ${STALL_MS / 1000} s; stopping at ${delivered}/${ids.size}`);
      break;
    }
    if (Date.now() - lastReport > 1000) {
      progress(`${label}: ${delivered}/${ids.size} delivered`);
      lastReport = Date.now();
    }
    await sleep(25);
    log.poll();
    const fresh = log.take().filter((id) => ids.has(id)).length;
    if (fresh > 0) {
      delivered += fresh;
      lastProgress = Date.now();
    }
  }
  return delivered;
}

async function measureRouting(runtime: LocalRuntime, load: LoadWorker, dataDir: string, total: number): Promise<void> {
  const log = new DeliveryLog(path.join(dataDir, 'logs'));
  const failures = new Map<string, Failure>();
  const put = (count: number, batchOffset: number) =>
    load.call('put', { count, batch: BATCH, concurrency: PUT_CONCURRENCY, bus: BUS, batchOffset });

  progress('routing: warm-up (100 events, not measured)...');
  const warm = await put(100, 1_000_000);
  mergeFailures(failures, warm.failures);
  await awaitDeliveries(log, new Set(warm.ids), 'routing warm-up');

  progress(`routing: ${total} events, PutEvents batches of ${BATCH}, ${PUT_CONCURRENCY} in flight...`);
  const puts = await put(total, 0);
  mergeFailures(failures, puts.failures);
  const ids = new Set(puts.ids);
  const putSeconds = (puts.doneAt - puts.startedAt) / 1000;
  progress(`routing: all PutEvents answered after ${fixed1(putSeconds)} s (${ids.size} accepted)`);
  const delivered = await awaitDeliveries(log, ids, 'routing');
  const observed = Date.now();
  const end = Math.max(log.lastAt, puts.startedAt + 1);
  const seconds = (end - puts.startedAt) / 1000;

  const duplicates = [...ids].filter((id) => (log.seen.get(id) ?? 0) > 1).length;
  const lost = ids.size - delivered;
  const failed = (await (await fetch(`${runtime.edgeUrl}/_local/events/failed?limit=1000`)).json()) as { failed: unknown[] };
  if (lost > 0) noteFailure(failures, 'events accepted but never delivered', `${lost} of ${ids.size}`, lost);
  if (failed.failed.length > 0) {
    noteFailure(failures, 'EventBridge failed deliveries (/_local/events/failed)', JSON.stringify(failed.failed[0]), failed.failed.length);
  }

  report(`routing: ${total} events put on bus ${BUS} (PutEvents x${Math.ceil(total / BATCH)}, ${BATCH} per batch, ${PUT_CONCURRENCY} in flight)`
    + ` -> rule -> Lambda target; ${delivered} delivered, ${duplicates} delivered more than once`);
  report(`  PutEvents: all answered in ${fixed1(putSeconds)} s = ${Math.round(ids.size / putSeconds)} events/s accepted`);
  report(`  last delivery (handler's log timestamp) ${fixed1(seconds)} s after the first put; seen by the tail ${observed - end} ms later`);
  figure('events-routed-per-s', Math.round(delivered / seconds), 'events/s');
  report(`target: >= ${TARGET_EVENTS_PER_S} events/s -> ${delivered / seconds >= TARGET_EVENTS_PER_S && lost === 0 ? 'met' : 'MISSED'}`);
  for (const f of failures.values()) report(`ERROR ${f.what}: ${f.count} (e.g. ${f.example})`);
}

// ---------------------------------------------------------------------------------------------- b.

/** Waits until no execution of the machine is RUNNING (or the count stops moving for STALL_MS). */
async function awaitExecutions(load: LoadWorker, machineArn: string, since: number, label: string): Promise<number> {
  let running = Number.POSITIVE_INFINITY;
  let lastProgress = Date.now();
  let lastReport = Date.now();
  for (;;) {
    const now = (await load.call('list', { machineArn, statusFilter: 'RUNNING', since })).count;
    if (now < running) {
      running = now;
      lastProgress = Date.now();
    }
    if (running === 0) return 0;
    if (Date.now() - lastProgress > STALL_MS) {
      progress(`${label}: the RUNNING count did not fall for ${STALL_MS / 1000} s; stopping with ${running} RUNNING`);
      return running;
    }
    if (Date.now() - lastReport > 1000) {
      progress(`${label}: ${running} RUNNING`);
      lastReport = Date.now();
    }
    await sleep(100);
  }
}

async function measureExecutions(load: LoadWorker, dataDir: string, total: number): Promise<void> {
  const machineArn = `arn:aws:states:${LOCAL_REGION}:000000000000:stateMachine:${MACHINE}`;
  const probeBefore = fsyncProbeMs(dataDir);
  const failures = new Map<string, Failure>();
  const start = (count: number, offset: number) => load.call('start', { count, concurrency: START_CONCURRENCY, machineArn, offset });

  progress('executions: warm-up (32 executions, not measured)...');
  const warm = await start(32, 1_000_000);
  mergeFailures(failures, warm.failures);
  await awaitExecutions(load, machineArn, warm.startedAt, 'executions warm-up');
  await sleep(5); // every measured execution starts after every warm-up one

  progress(`executions: ${total} StartExecution, ${START_CONCURRENCY} in flight...`);
  const starts = await start(total, 0);
  mergeFailures(failures, starts.failures);
  const startSeconds = (starts.doneAt - starts.startedAt) / 1000;
  progress(`executions: ${starts.started} started after ${fixed1(startSeconds)} s`);
  const running = await awaitExecutions(load, machineArn, starts.startedAt, 'executions');

  const ended: Record<string, { count: number; lastStop: number; examples: string[] }> = {};
  for (const status of FINAL_STATUSES) ended[status] = await load.call('list', { machineArn, statusFilter: status, since: starts.startedAt });
  const succeeded = ended.SUCCEEDED!.count;
  const failed = FINAL_STATUSES.filter((s) => s !== 'SUCCEEDED').reduce((sum, s) => sum + ended[s]!.count, 0);
  const otherwise = FINAL_STATUSES.filter((s) => s !== 'SUCCEEDED').map((s) => `${s} ${ended[s]!.count}`).join(', ');
  const seconds = (Math.max(ended.SUCCEEDED!.lastStop, starts.startedAt + 1) - starts.startedAt) / 1000;

  report(`executions: ${total} x ${MACHINE} (Standard: Pass -> Task lambda:invoke -> Succeed), StartExecution ${START_CONCURRENCY} in flight;`
    + ` ${succeeded} SUCCEEDED, ${otherwise}, ${running} still RUNNING at the end`);
  report(`  StartExecution: all answered in ${fixed1(startSeconds)} s = ${Math.round(starts.started / startSeconds)} starts/s`);
  report(`  last SUCCEEDED stopDate ${fixed1(seconds)} s after the first start`);
  const probeAfter = fsyncProbeMs(dataDir);
  report(`  disk: one journal-style record (open, write, fsync, close) took ${probeBefore.toFixed(2)} ms before, ${probeAfter.toFixed(2)} ms after`
    + ` (a simple execution fsyncs its journal 4 times: the input, before its task's call, the task's result, the end)`);
  figure('executions-per-s', Math.round(succeeded / seconds), 'executions/s');
  if (failed > 0) {
    figure('executions-failed', failed, 'executions');
    const examples = FINAL_STATUSES.filter((s) => s !== 'SUCCEEDED').flatMap((s) => ended[s]!.examples);
    noteFailure(failures, 'executions that did not succeed', `${otherwise}; e.g. ${examples.join(', ')}`, failed);
  }
  if (running > 0) noteFailure(failures, 'executions still RUNNING when the wait gave up', `${running} of ${starts.started}`, running);
  report(`target: >= ${TARGET_EXECUTIONS_PER_S} executions/s -> ${succeeded / seconds >= TARGET_EXECUTIONS_PER_S && failed === 0 && running === 0 ? 'met' : 'MISSED'}`);
  for (const f of failures.values()) report(`ERROR ${f.what}: ${f.count} (e.g. ${f.example})`);
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
      progress('starting the local runtime (free ports; data, logs and journals in a temp dir)...');
      const runtime = await startLocalRuntime({ cdkOut, dataDir, ports: { api: 0, edge: 0, dynamodb: 0 }, log: progress });
      const load = new LoadWorker(runtime.edgeUrl);
      const loadBefore = load1();
      try {
        await measureRouting(runtime, load, dataDir, events);
        report();
        await measureExecutions(load, dataDir, executions);
        report();
        report(`targets: >= ${TARGET_EVENTS_PER_S} events routed/s, >= ${TARGET_EXECUTIONS_PER_S} executions/s (this machine: ${cpus().length} cores;`
          + ' runtime in this process, client in a worker thread)');
        report(`machine load (1-min load average): ${loadBefore} at the start, ${load1()} at the end; other processes share these cores and this disk`);
      } finally {
        progress('stopping the local runtime...');
        await load.stop();
        await runtime.stop();
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
