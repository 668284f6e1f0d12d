import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { JAVA_REQUIRED, LAUNCHER_CLASS, compiledLauncher, findDynamoDbLocalJar } from './java-launcher';

export interface DynamoDbLocalOptions {
  /** 0 picks a free port; the endpoint tells which. */
  port: number;
  /** Where the tables persist; undefined runs in memory. */
  dataDir?: string;
  log?: (line: string) => void;
}

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

const JAVA = 'java';
const READY = 'LOOPBACK_DYNAMODB_READY ';
const FAILED = 'LOOPBACK_DYNAMODB_FAILED ';
const START_TIMEOUT_MS = 60_000;
const STDERR_TAIL_LINES = 20;

/**
 * Runs the official DynamoDB Local through local/dynamodb/LoopbackDynamoDbLocal.java, which binds it to
 * 127.0.0.1 only (the jar itself always listens on every interface).
 */
export async function startDynamoDbLocal(opts: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const log = opts.log ?? (() => {});
  await assertPortFree(opts.port);
  const jar = findDynamoDbLocalJar();
  const classesDir = await compiledLauncher(JAVA, jar);

  const storage = opts.dataDir === undefined ? ['-inMemory'] : ['-dbPath', ensureDir(opts.dataDir)];
  const child = spawn(
    JAVA,
    [
      `-Djava.library.path=${jar.libDir}`,
      '-Djava.net.preferIPv4Stack=true',
      // a laptop's table, not a server's: the serial collector commits a small heap and gives back what
      // it frees, where the default collector held about 300 MB resident at rest
      '-XX:+UseSerialGC',
      '-XX:MaxHeapFreeRatio=30',
      '-XX:MinHeapFreeRatio=10',
      '-XX:TieredStopAtLevel=1',
      '-cp',
      `${classesDir}${delimiter}${jar.jar}`,
      LAUNCHER_CLASS,
      '-port',
      String(opts.port),
      '-sharedDb',
      '-disableTelemetry',
      ...storage,
    ],
    // stdin stays an open pipe: the launcher exits when it closes, i.e. when this process dies
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' } },
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  try {
    const port = await waitUntilListening(child, opts.port, log);
    const endpoint = `http://127.0.0.1:${port}`;
    await waitUntilServing(endpoint);
    log(`DynamoDB Local ready on ${endpoint} (${opts.dataDir ? `data in ${opts.dataDir}` : 'in memory'})`);
    return {
      endpoint,
      stop: async () => {
        process.off('exit', killOnExit);
        await stopProcess(child);
      },
    };
  } catch (error) {
    process.off('exit', killOnExit);
    await stopProcess(child);
    throw error;
  }
}

/** Fails in milliseconds rather than after a JVM start; the launcher reports a bind failure too, should the port be taken meanwhile. */
function assertPortFree(port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} is in use: another process listens on it`) : error),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

function ensureDir(dir: string): string {
  const absolute = resolvePath(dir);
  mkdirSync(absolute, { recursive: true });
  return absolute;
}

/** Resolves with the bound port once the launcher reports it; rejects with the reason it could not start. */
function waitUntilListening(child: ChildProcess, requestedPort: number, log: (line: string) => void): Promise<number> {
  return new Promise((resolvePort, rejectStart) => {
    const stderrTail: string[] = [];
    let failure: string | undefined;
    let settled = false;
    const timer = setTimeout(
      () => reject(new Error(`DynamoDB Local did not start within ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
    const resolve = (port: number) => {
      settled = true;
      clearTimeout(timer);
      resolvePort(port);
    };
    const reject = (error: Error) => {
      settled = true;
      clearTimeout(timer);
      rejectStart(error);
    };

    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith(READY)) resolve(Number(line.slice(READY.length)));
      else if (line.trim()) log(line);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.startsWith(FAILED)) failure = line.slice(FAILED.length);
      stderrTail.push(line);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      log(line);
    });

    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error(JAVA_REQUIRED) : error),
    );
    // 'close', not 'exit': by then every stderr line has been read
    child.on('close', (code, signal) => {
      if (settled) {
        log(`DynamoDB Local exited (${signal ?? `exit code ${code}`})`);
        return;
      }
      const stderr = stderrTail.join('\n');
      if (failure && /BindException|Address already in use|Failed to bind/i.test(failure)) {
        reject(new Error(`port ${requestedPort} is in use: ${failure}`));
      } else if (/UnsupportedClassVersionError/.test(stderr)) {
        reject(new Error(`${JAVA_REQUIRED}\n${stderr}`));
      } else {
        reject(new Error(`DynamoDB Local exited before it was ready (${signal ?? `exit code ${code}`}):\n${stderr}`));
      }
    });
  });
}

/** The port is open; wait until DynamoDB Local answers a real request (dummy credentials suffice). */
async function waitUntilServing(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (attempt >= 50) throw new Error(`DynamoDB Local on ${endpoint} does not answer: ${String(error)}`, { cause: error });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  child.stdin?.destroy();
}
