import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { PROJECT_ROOT } from '../local/synth';

/**
 * `npm start` as a user runs it, measured from outside: spawned in a process group of its own, ready when
 * it prints "Tradeflow is ready", its memory read from /proc, stopped with Ctrl-C's SIGINT to the group.
 * Ports come from TRADEFLOW_API_PORT, TRADEFLOW_EDGE_PORT and TRADEFLOW_DYNAMODB_PORT when set, else free
 * ones (0); the data folder is the caller's.
 */

export interface NpmStart {
  pid: number;
  apiUrl: string;
  edgeUrl: string;
  /** from spawn to the ready line on stdout */
  readyMs: number;
  /** the start time the runtime printed itself (from its own first line, after npm and tsx started) */
  reportedSeconds: number;
  output(): string;
  /** SIGINT to the group, as Ctrl-C; SIGKILL to whatever of the group is left after the grace time. Returns what was killed. */
  stop(graceMs?: number): Promise<string[]>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const READY = /Tradeflow is ready \(([\d.]+) s\)/;
/** the banner's last line, whole (local/start.ts) */
const END_OF_BANNER = /Ctrl-C stops everything[^\n]*\n/;

export function startNpmStart(dataDir: string, timeoutMs = 180_000): Promise<NpmStart> {
  const port = (name: string) => process.env[name] ?? '0';
  const started = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: PROJECT_ROOT,
    detached: true, // its own process group: the whole tree is stopped (and measured) together
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TRADEFLOW_API_PORT: port('TRADEFLOW_API_PORT'),
      TRADEFLOW_EDGE_PORT: port('TRADEFLOW_EDGE_PORT'),
      TRADEFLOW_DYNAMODB_PORT: port('TRADEFLOW_DYNAMODB_PORT'),
      TRADEFLOW_DATA_DIR: dataDir,
    },
  });
  const pid = child.pid;
  if (pid === undefined) return Promise.reject(new Error('npm start could not be spawned'));
  let output = '';
  let readyMs: number | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (graceMs = 30_000): Promise<string[]> => {
    // Ctrl-C reaches the whole group; npm may exit before the runtime has stopped its JVM, so the
    // group, not npm, is waited for
    signalGroup(pid, 'SIGINT');
    const deadline = performance.now() + graceMs;
    await Promise.race([exited, sleep(graceMs)]);
    while (processGroup(pid).length > 0 && performance.now() < deadline) await sleep(100);
    const left = processGroup(pid).map((p) => ({ p, command: commandOf(p) }));
    for (const { p } of left) signalProcess(p, 'SIGKILL');
    return left.map(({ p, command }) => `${p} ${command}`);
  };

  return new Promise<NpmStart>((resolve, reject) => {
    const fail = (reason: string) => {
      clearTimeout(timer);
      void stop(5_000).then(() => reject(new Error(`npm start ${reason}; its output ended with:\n${output.slice(-3000)}`)));
    };
    const timer = setTimeout(() => fail(`was not ready within ${timeoutMs / 1000} s`), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (readyMs === undefined && READY.test(output)) readyMs = performance.now() - started;
      if (readyMs === undefined || !END_OF_BANNER.test(output)) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stdout.on('data', (more: Buffer) => { output = (output + more.toString()).slice(-100_000); });
      const apiUrl = /HTTP API\s+(http:\/\/\S+)/.exec(output)?.[1];
      const edgeUrl = /AWS edge\s+(http:\/\/\S+)/.exec(output)?.[1];
      if (!apiUrl || !edgeUrl) return fail('printed no API or edge URL');
      resolve({
        pid, apiUrl, edgeUrl, readyMs,
        reportedSeconds: Number(READY.exec(output)?.[1]),
        output: () => output,
        stop,
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-100_000); });
    child.once('exit', (code, signal) => {
      if (readyMs === undefined) fail(`exited before it was ready (${signal ?? `exit ${code}`})`);
    });
  });
}

// --------------------------------------------------------------------------------- /proc, Linux only

export interface ProcessMemory {
  pid: number;
  ppid: number;
  command: string;
  /** resident set size (VmRSS), KiB */
  rssKb: number;
  /** proportional set size (shared pages split among their sharers), KiB; undefined where /proc hides it */
  pssKb: number | undefined;
}

interface ProcStat { pid: number; ppid: number; pgrp: number; state: string }

/** `/proc/<pid>/stat`: the fields after the command, which may itself hold spaces and parentheses. */
function statOf(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0] ?? '', ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return undefined; // it ended meanwhile
  }
}

function allProcesses(): ProcStat[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name))
    .map((name) => statOf(Number(name))).filter((p): p is ProcStat => p !== undefined);
}

/** The live members of a process group (a zombie has ended; only its parent's wait is missing). */
const processGroup = (pgid: number) => allProcesses().filter((p) => p.pgrp === pgid && p.state !== 'Z').map((p) => p.pid);

/** A process and all its descendants, found by parent id (a child that left the group is still counted). */
export function processTree(root: number): ProcessMemory[] {
  const processes = allProcesses();
  const tree: ProcessMemory[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const memory = memoryOf(pid);
    if (memory) tree.push(memory);
    queue.push(...processes.filter((p) => p.ppid === pid).map((p) => p.pid));
  }
  return tree;
}

const kbField = (text: string, field: string) => {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
};

function memoryOf(pid: number): ProcessMemory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    let pssKb: number | undefined;
    try {
      pssKb = kbField(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
    } catch {
      pssKb = undefined;
    }
    return { pid, ppid: statOf(pid)?.ppid ?? 0, command: commandOf(pid), rssKb: kbField(status, 'VmRSS') ?? 0, pssKb };
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone already
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // it ended meanwhile
  }
}
