import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import pLimit, { type LimitFunction } from 'p-limit';
import { assetPathOf, type StackArtifact } from '../assembly/cloud-assembly';
import type { Resolver } from '../assembly/cfn-intrinsics';

/**
 * Runs the stack's Lambda functions from their bundled assets in cdk.out, each in its own worker thread
 * (its own `process.env` and module cache), started on the first invocation and kept warm. Concurrent
 * invocations of one function share its worker. A timeout or a crash terminates the worker, failing
 * the invocations still running in it; the next invocation starts a fresh one.
 *
 * Bundles are built with `@aws-sdk/*` external, as Lambda's Node.js runtime provides it. Node resolves
 * those imports by walking up from the asset directory, so cdk.out must live inside the project (it
 * does: `<project>/cdk.out`); an assembly elsewhere fails with `Runtime.ImportModuleError`.
 */

const hostNodeMajor = Number(process.versions.node.split('.')[0]);
/** nodejs22.x -> 22 */
const runtimeNodeMajor = (runtime: string) => Number(/^nodejs(\d+)/.exec(runtime)?.[1] ?? hostNodeMajor);

export interface FunctionRuntimeOptions {
  stack: StackArtifact;
  resolver: Resolver;
  /** The local edge every AWS SDK client in a handler talks to (`AWS_ENDPOINT_URL`). */
  edgeUrl: string;
  region: string;
  /** Receives each line a function writes, plus START/END/REPORT lines as Lambda writes them. */
  log?: (functionName: string, line: string) => void;
  /** Without `log`: append each function's lines to `<logDir>/<functionName>.log`; without both, discard. */
  logDir?: string;
  /**
   * The local clock: a function's `Date.now()` and `new Date()` read it, as every emulator does, so a
   * handler that computes a deadline sees the same time as the Wait that waits for it. Omitted: real time.
   */
  clockOffsetMs?: () => number;
  /**
   * Where the web console is here (the API's origin, /app/): a function given the console's address
   * (CONSOLE_URL, the CloudFront distribution's in the cloud) gets this one, so mail links open locally.
   */
  consoleUrl?: () => string | undefined;
  /** How long a worker no invocation has used is kept before it is stopped, as Lambda reclaims an idle environment. */
  idleWorkerMs?: number;
}

export interface LocalFunction {
  logicalId: string;
  name: string;
  arn: string;
  handler: string;
  runtime: string;
  timeoutSeconds: number;
  memorySize: number;
}

export interface FunctionRuntime {
  /** Invokes a function by logical id, name or ARN and resolves with its (JSON round-tripped) result. */
  invoke(logicalIdOrNameOrArn: string, event: unknown): Promise<unknown>;
  functions(): LocalFunction[];
  findByArn(arn: string): string | undefined;
  /** invocations running or waiting for their turn */
  inFlight(): number;
  /** the names of the functions that have a warm worker */
  warmFunctions(): string[];
  /** per function name: invocations run so far and their summed duration (what Lambda would bill, as run here) */
  invocations(): Record<string, { count: number; ms: number; memorySize: number }>;
  stop(): Promise<void>;
}

/** A failed invocation, carrying the error payload Lambda would return. */
export class LambdaInvokeError extends Error {
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
    readonly trace: string[] = [],
  ) {
    super(errorMessage);
    this.name = errorType;
    if (trace.length > 0) this.stack = trace.join('\n');
  }

  toJSON() {
    return { errorType: this.errorType, errorMessage: this.errorMessage, trace: this.trace };
  }
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: LambdaInvokeError): void;
}

interface WarmWorker {
  worker: Worker;
  pending: Map<number, Pending>;
  /** settles when the handler's module has loaded (Lambda's init phase, not counted in the timeout) */
  initialized: Promise<unknown>;
  /** stops the worker once it has run no invocation for idleWorkerMs */
  idleTimer?: NodeJS.Timeout;
}

/** The id of the worker's init-phase reply; invocations count from 1. */
const INIT_ID = 0;
/** Lambda gives the init phase 10 s of its own. */
const INIT_TIMEOUT_MS = 10_000;
/**
 * Lambda reclaims an execution environment left idle for some minutes (it does not say how many): a
 * function nobody calls (an API route during a launch) then holds no memory here either.
 */
const IDLE_WORKER_MS = 5 * 60_000;
/** Invocations of one function running at once; more wait their turn (see invoke). */
const MAX_CONCURRENT_INVOCATIONS = 16;

interface WorkerReply {
  id: number;
  ok: boolean;
  result?: string;
  error?: { errorType: string; errorMessage: string; trace: string[] };
}

const WORKER_URL = new URL('./worker.mjs', import.meta.url);

export function createFunctionRuntime(options: FunctionRuntimeOptions): FunctionRuntime {
  const { stack, resolver, edgeUrl, region } = options;
  const logFiles = new Map<string, WriteStream>();
  let stopped = false;
  const log =
    options.log ??
    ((name: string, line: string) => {
      if (!options.logDir || stopped) return;
      let file = logFiles.get(name);
      if (!file) {
        mkdirSync(options.logDir, { recursive: true });
        file = createWriteStream(join(options.logDir, `${name}.log`), { flags: 'a' });
        logFiles.set(name, file);
      }
      file.write(`${line}\n`);
    });

  const functions: LocalFunction[] = Object.entries(stack.resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([logicalId, r]) => ({
      logicalId,
      name: resolver.nameOf(logicalId),
      arn: resolver.arnOf(logicalId),
      handler: String(r.Properties?.Handler ?? ''),
      runtime: String(r.Properties?.Runtime ?? ''),
      timeoutSeconds: Number(r.Properties?.Timeout ?? 3),
      memorySize: Number(r.Properties?.MemorySize ?? 128),
    }));
  const warm = new Map<string, WarmWorker>();
  let nextId = 0;

  const nameFromArn = (arn: string) => /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(arn)?.[1];
  const findByArn = (arn: string) => functions.find((f) => f.name === nameFromArn(arn))?.logicalId;
  const lookup = (key: string) =>
    functions.find((f) => f.logicalId === key || f.name === key || f.name === nameFromArn(key));

  function workerOptions(fn: LocalFunction) {
    if (!fn.runtime.startsWith('nodejs')) {
      throw new LambdaInvokeError('Runtime.Unsupported', `${fn.name}: runtime '${fn.runtime}' cannot run locally`);
    }
    const properties = stack.resources[fn.logicalId]!.Properties ?? {};
    const taskRoot = assetPathOf(stack.resources[fn.logicalId]!, stack.cdkOutDir, stack);
    const variables = resolver.resolve((properties.Environment as { Variables?: unknown } | undefined)?.Variables ?? {});
    const logGroupName = String(
      resolver.resolve((properties.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup) ?? `/aws/lambda/${fn.name}`,
    );
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    const logStreamName = `${today}/[$LATEST]${randomBytes(16).toString('hex')}`;
    const env: Record<string, string> = {
      ...Object.fromEntries(Object.entries(variables as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      LAMBDA_TASK_ROOT: taskRoot,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
      AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
      _HANDLER: fn.handler,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL: edgeUrl,
      // No X-Ray here: Lambda would give each invocation a trace id; without one, Powertools' Tracer logs an
      // ERROR per invocation, which buried the real errors in the function logs
      POWERTOOLS_TRACE_ENABLED: 'false',
      // The function declares its runtime (nodejs22.x); the SDK's warning is about this machine's Node
      ...(hostNodeMajor < runtimeNodeMajor(fn.runtime) ? { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } : {}),
    };
    const consoleUrl = options.consoleUrl?.();
    if ('CONSOLE_URL' in env && consoleUrl) env.CONSOLE_URL = consoleUrl;
    const context = {
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: String(fn.memorySize),
      logGroupName,
      logStreamName,
    };
    // `env` is copied into the worker's own process.env; nothing of the parent's environment leaks in.
    // the function's memory size caps its heap, as in Lambda; a small young generation keeps an idle worker small
    // (3 MB rather than 8 took about 6 MB off each worker once it has run: 40 MB for the demo data's first start)
    const resourceLimits = { maxOldGenerationSizeMb: fn.memorySize, maxYoungGenerationSizeMb: 3 };
    return { env, stdout: true, stderr: true, resourceLimits, workerData: { taskRoot, handler: fn.handler, context } };
  }

  function pipeLines(stream: Readable, fn: LocalFunction) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => log(fn.name, line));
  }

  function discard(fn: LocalFunction, instance: WarmWorker, error: LambdaInvokeError) {
    clearTimeout(instance.idleTimer);
    if (warm.get(fn.logicalId) === instance) warm.delete(fn.logicalId);
    for (const pending of instance.pending.values()) pending.reject(error);
    instance.pending.clear();
    void instance.worker.terminate();
  }

  function workerFor(fn: LocalFunction): WarmWorker {
    const existing = warm.get(fn.logicalId);
    if (existing) return existing;
    const worker = new Worker(WORKER_URL, workerOptions(fn));
    const pending = new Map<number, Pending>();
    const initialized = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        discard(fn, instance, new LambdaInvokeError('Sandbox.Timedout', `INIT phase timed out after ${INIT_TIMEOUT_MS / 1000} seconds`));
      }, INIT_TIMEOUT_MS);
      pending.set(INIT_ID, {
        resolve: (value) => { clearTimeout(timer); resolve(value); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      });
    });
    initialized.catch(() => {}); // the invocation that awaits it reports the failure
    const instance: WarmWorker = { worker, pending, initialized };
    warm.set(fn.logicalId, instance);
    pipeLines(worker.stdout, fn);
    pipeLines(worker.stderr, fn);
    worker.on('message', (reply: WorkerReply | { log: string }) => {
      if ('log' in reply) return log(fn.name, reply.log);
      const pending = instance.pending.get(reply.id);
      if (!pending) return; // already timed out
      instance.pending.delete(reply.id);
      if (reply.ok) pending.resolve(JSON.parse(reply.result ?? 'null'));
      else pending.reject(new LambdaInvokeError(reply.error!.errorType, reply.error!.errorMessage, reply.error!.trace));
      // a module that fails to load is loaded again by a fresh worker on the next invocation
      if (reply.id === INIT_ID && !reply.ok) discard(fn, instance, new LambdaInvokeError('Runtime.ExitError', 'init failed'));
    });
    // An uncaught exception or unhandled rejection ends the worker, as it ends Lambda's runtime process.
    worker.on('error', (error) => {
      log(fn.name, `${error.name}: ${error.message}`);
      discard(fn, instance, new LambdaInvokeError('Runtime.ExitError', `Runtime exited with error: ${error.name}: ${error.message}`));
    });
    worker.on('exit', (code) => {
      discard(fn, instance, new LambdaInvokeError('Runtime.ExitError', `Runtime exited with error: exit status ${code}`));
    });
    return instance;
  }

  /** per function, by logical id: how many of its invocations run at once */
  const concurrency = new Map<string, LimitFunction>();
  let inFlight = 0;
  const invocationCounts = new Map<string, { count: number; ms: number; memorySize: number }>();

  /**
   * As Lambda runs a function in at most so many environments at once, an invocation beyond
   * MAX_CONCURRENT_INVOCATIONS waits for its turn, and its timeout starts when it runs. Without it a
   * burst (a launch putting 10,000 events at once) starts every invocation together, the last ones
   * time out waiting on DynamoDB Local, and a timeout restarts the worker under all the others.
   */
  function invoke(key: string, event: unknown): Promise<unknown> {
    const fn = lookup(key);
    if (!fn) return Promise.reject(new LambdaInvokeError('ResourceNotFoundException', `Function not found: ${key}`));
    const limit = concurrency.get(fn.logicalId) ?? concurrency.set(fn.logicalId, pLimit(MAX_CONCURRENT_INVOCATIONS)).get(fn.logicalId)!;
    inFlight++;
    return limit(() => run(fn, event)).finally(() => inFlight--);
  }

  /** Once the worker runs nothing, it is stopped after idleWorkerMs unless an invocation comes first. */
  function idleFrom(fn: LocalFunction, instance: WarmWorker) {
    clearTimeout(instance.idleTimer);
    if (instance.pending.size > 0 || warm.get(fn.logicalId) !== instance) return;
    instance.idleTimer = setTimeout(() => {
      if (instance.pending.size === 0) discard(fn, instance, new LambdaInvokeError('Runtime.ExitError', 'idle environment reclaimed'));
    }, options.idleWorkerMs ?? IDLE_WORKER_MS).unref();
  }

  async function run(fn: LocalFunction, event: unknown): Promise<unknown> {
    const instance = workerFor(fn);
    clearTimeout(instance.idleTimer);
    await instance.initialized;
    const id = ++nextId;
    const requestId = randomUUID();
    const timeoutMs = fn.timeoutSeconds * 1000;
    const started = performance.now();
    log(fn.name, `START RequestId: ${requestId} Version: $LATEST`);

    const outcome = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        const pending = instance.pending.get(id);
        if (!pending) return;
        instance.pending.delete(id);
        pending.reject(new LambdaInvokeError('Sandbox.Timedout', `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`));
        discard(fn, instance, new LambdaInvokeError('Runtime.ExitError', 'Runtime restarted: a concurrent invocation timed out'));
      }, timeoutMs);
      instance.pending.set(id, {
        resolve(result) {
          clearTimeout(timer);
          resolve(result);
        },
        reject(error) {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
    const clockOffsetMs = options.clockOffsetMs?.() ?? 0;
    instance.worker.postMessage({ id, requestId, event: JSON.stringify(event ?? null), deadline: Date.now() + timeoutMs, clockOffsetMs });

    try {
      return await outcome;
    } finally {
      const ms = performance.now() - started;
      const counted = invocationCounts.get(fn.name) ?? { count: 0, ms: 0, memorySize: fn.memorySize };
      invocationCounts.set(fn.name, { ...counted, count: counted.count + 1, ms: counted.ms + ms });
      const duration = ms.toFixed(2);
      idleFrom(fn, instance);
      log(fn.name, `END RequestId: ${requestId}`);
      log(fn.name, `REPORT RequestId: ${requestId}\tDuration: ${duration} ms\tMemory Size: ${fn.memorySize} MB`);
    }
  }

  async function stop() {
    stopped = true;
    const instances = [...warm.entries()];
    warm.clear();
    await Promise.all(
      instances.map(async ([logicalId, instance]) => {
        const fn = functions.find((f) => f.logicalId === logicalId)!;
        discard(fn, instance, new LambdaInvokeError('Runtime.ExitError', 'Local runtime stopped'));
        await instance.worker.terminate();
      }),
    );
    await Promise.all([...logFiles.values()].map((file) => new Promise((done) => file.end(done))));
    logFiles.clear();
  }

  return {
    invoke, functions: () => functions.map((f) => ({ ...f })), findByArn, inFlight: () => inFlight, stop,
    warmFunctions: () => functions.filter((f) => warm.has(f.logicalId)).map((f) => f.name),
    invocations: () => Object.fromEntries([...invocationCounts].map(([name, c]) => [name, { ...c }])),
  };
}
