import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/runtime';
import { ANSWER_DEADLINE_MS } from './fetch-within';
import { until } from './until';

const CHILD = path.resolve('test/integration/support/runtime-child.ts');

/** The whole local runtime in a process of its own (runtime-child.ts), for the tests that kill it with -9. */
export interface RuntimeProcess {
  process: ChildProcess;
  apiUrl: string;
  edgeUrl: string;
  tableName: string;
  dynamoDbEndpoint: string;
}

/**
 * An AWS SDK client's configuration for a runtime in its own process: a request it has not answered in
 * time fails (and the SDK tries it again) rather than holding the test with nothing to say where it stood.
 */
export const clientOf = (endpoint: string) => ({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, requestHandler: { requestTimeout: ANSWER_DEADLINE_MS } });

/** a cold start of the whole runtime takes 5 to 15 s on two busy cores (loading the demo data, 30 s): one that takes this long is stuck */
const START_DEADLINE_MS = 90_000;
/** the runtime's last log lines, told when it fails to start */
const LOG_TAIL_LINES = 15;

/**
 * Starts the runtime on `dataDir` (what a previous one left there included); resolves once it is up.
 * `options` are runtime-child.ts's (`--demo-data`). `spawned` hears of the process at once, so that a
 * start cut short can still be killed. A start that fails or is stuck (killed after START_DEADLINE_MS)
 * rejects with the runtime's last log lines.
 */
export function startRuntimeProcess(dataDir: string, options: string[] = [], spawned: (child: ChildProcess) => void = () => {}): Promise<RuntimeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, ...options], { stdio: ['ignore', 'pipe', 'inherit'] });
  spawned(child);
  const tail: string[] = [];
  const failure = (what: string) => new Error(`${what}; its last lines:\n${tail.join('\n')}`);
  return new Promise((resolve, reject) => {
    const stuck = setTimeout(() => {
      reject(failure(`the runtime on ${dataDir} did not start within ${START_DEADLINE_MS / 1000} s`));
      child.kill('SIGKILL');
    }, START_DEADLINE_MS);
    // 'close', not 'exit': by then its last lines have been read
    child.once('close', (code, signal) => {
      clearTimeout(stuck);
      reject(failure(`the runtime exited with ${signal ?? code} before it was ready`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('READY ')) {
        clearTimeout(stuck);
        resolve({ process: child, ...(JSON.parse(line.slice('READY '.length)) as Omit<RuntimeProcess, 'process'>) });
        return;
      }
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
    });
  });
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGKILL');
  });
}

/** whether something answers on `endpoint`; one that accepts and never answers counts as still there */
const answers = (endpoint: string) =>
  fetch(endpoint, { signal: AbortSignal.timeout(5_000) }).then(() => true, (error: Error) => error.name === 'TimeoutError');

/**
 * Kills the runtime with SIGKILL, then waits for its DynamoDB Local to go too: that JVM leaves when its
 * parent's pipe closes, and a runtime started before it has gone would find the data files still held.
 */
export async function kill9(runtime: RuntimeProcess): Promise<void> {
  await killChild(runtime.process);
  await until(`DynamoDB Local at ${runtime.dynamoDbEndpoint} to end with its parent`, async () => ((await answers(runtime.dynamoDbEndpoint)) ? undefined : true));
}

/**
 * Runtimes started one after another on one temporary data folder, as a restart would find it, each
 * with runtime-child.ts's `options`; `cleanUp` kills those still running and removes the folder.
 */
export function runtimesOnOneDataDir(name: string, options: string[] = []) {
  const dataDir = mkdtempSync(path.join(tmpdir(), `${name}-`));
  const started: RuntimeProcess[] = [];
  const children: ChildProcess[] = [];
  let cleanedUp = false;
  return {
    async start(): Promise<RuntimeProcess> {
      // a test that timed out runs on after its cleanup: it starts nothing more
      if (cleanedUp) throw new Error(`the runtimes on ${dataDir} are cleaned up`);
      const runtime = await startRuntimeProcess(dataDir, options, (child) => children.push(child));
      started.push(runtime);
      return runtime;
    },
    async cleanUp(): Promise<void> {
      cleanedUp = true;
      for (const runtime of started) await kill9(runtime);
      // one still starting (a test that timed out): its DynamoDB Local ends with it
      for (const child of children) await killChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
