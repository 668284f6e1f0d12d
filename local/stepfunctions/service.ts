import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalClock } from '../clock';
import type { EdgeService } from '../edge/edge-server';
import { stepFunctionsApiService } from './api';
import type { InvokingClient } from '../lambda/lambda-invoke-service';
import { createIntegrations, type Integrations } from './integrations';
import { ExecutionRun } from './interpreter';
import { ExecutionJournal, journalFile, loadJournals, type ExecutionEnd, type ExecutionMeta, type ExecutionStatus } from './journal';
import { InvalidDefinitionError, validateDefinition } from './validate';

/**
 * The local Step Functions service: state machines, executions (each run by interpreter.ts from its
 * journal) and task tokens, behind the SFN JSON API that api.ts serves on the edge.
 *
 * Durability: with a dataDir, every execution has a journal under `<dataDir>/executions/` (see
 * journal.ts and interpreter.ts for the exact guarantee) and state machines are kept in
 * `<dataDir>/state-machines.json`; after a restart, resumeAll() continues every RUNNING execution.
 * Without a dataDir everything lives in memory.
 *
 * Parking: with a dataDir, an execution whose next event is a Wait's end 15 minutes or more away (a
 * nurture step waiting days for its send window; thousands of them after a launch) is parked: its run
 * and journal leave memory, only what DescribeExecution and ListExecutions show stays, and at the
 * Wait's end it is loaded from its journal and continues, as after a restart. Its history, its
 * definition and StopExecution read the journal when asked.
 *
 * Ended executions: with a dataDir, an execution that has ended keeps only its description in memory
 * (its history and definition are read from its journal when asked), so the executions of sequences
 * that ran to completion do not stay in the heap, after a restart neither.
 */

export interface StepFunctionsOptions {
  /** the local edge every Task integration calls */
  edgeUrl: string;
  clock: LocalClock;
  dataDir?: string;
  log?: (line: string) => void;
  region?: string;
  accountId?: string;
  /** Lambda Invoke in process (the runtime's); the SDK's client against the edge when absent */
  lambdaClient?: InvokingClient;
}

export interface StateMachineRecord {
  stateMachineArn: string;
  name: string;
  definition: string;
  roleArn: string;
  type: string;
  /** epoch ms */
  creationDate: number;
}

export interface StepFunctionsService {
  edgeService: EdgeService;
  /** Creates or replaces a state machine (what the runtime does for each one in the template). */
  createStateMachine(name: string, definition: string | object, roleArn?: string, type?: string): { stateMachineArn: string };
  /** Continues every execution left RUNNING by a previous process; resolves once they are under way. */
  resumeAll(): Promise<void>;
  /** Calls an action of the SFN API in-process, with the API's input and output shapes. */
  call(action: string, input: Record<string, unknown>): Promise<unknown>;
  /** Interrupts running executions without ending them (they stay RUNNING in their journals). */
  stop(): Promise<void>;
  /**
   * `parked`: RUNNING executions held on disk until their Wait ends (counted in RUNNING too);
   * `inMemory`: executions whose run and journal are in memory (the others are on disk)
   */
  stats(): { stateMachines: number; executions: Record<ExecutionStatus, number>; parked: number; inMemory: number };
  /** task calls (Lambda, DynamoDB, events, SES, aws-sdk:*) under way; waits are on the clock (LocalClock.pendingTimers) */
  callsInFlight(): number;
}

/** An error of the SFN API, sent as `{"__type": type, "message": ...}`. */
export class SfnApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface ParkedExecution {
  meta: Omit<ExecutionMeta, 'definition'>;
  /** aborted when the execution is loaded again before its Wait ends (StopExecution) */
  wake: AbortController;
}

interface EndedExecution {
  meta: Omit<ExecutionMeta, 'definition'>;
  end: ExecutionEnd;
}

/** what describes an execution, whether it runs, is parked or has ended */
interface DescribedExecution {
  meta: Omit<ExecutionMeta, 'definition'>;
  status: ExecutionStatus;
  end?: ExecutionEnd | undefined;
}

const NAME = /^[A-Za-z0-9_-]{1,80}$/;
const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

function parseJson(text: unknown, type: string, what: string): unknown {
  if (text === undefined) return {};
  if (typeof text !== 'string') throw new SfnApiError(type, `${what} must be a JSON string`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SfnApiError(type, `${what} is not valid JSON: ${(error as Error).message}`);
  }
}

export function createStepFunctionsService(options: StepFunctionsOptions): StepFunctionsService {
  const { clock } = options;
  const log = options.log ?? (() => {});
  const region = options.region ?? 'us-east-1';
  const account = options.accountId ?? '000000000000';
  const executionsDir = options.dataDir === undefined ? undefined : path.join(options.dataDir, 'executions');
  const machinesFile = options.dataDir === undefined ? undefined : path.join(options.dataDir, 'state-machines.json');
  const integrationsOfTheEdge = createIntegrations({
    edgeUrl: options.edgeUrl, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...(options.lambdaClient ? { lambdaClient: options.lambdaClient } : {}),
  });
  let callsInFlight = 0;
  const integrations: Integrations = {
    run(call) {
      callsInFlight++;
      return integrationsOfTheEdge.run(call).finally(() => callsInFlight--);
    },
    destroy: () => integrationsOfTheEdge.destroy(),
  };

  const machines = new Map<string, StateMachineRecord>();
  const runs = new Map<string, ExecutionRun>();
  /** an execution is in one of `runs`, `parked` and `ended` (which only a dataDir uses) */
  const parked = new Map<string, ParkedExecution>();
  const ended = new Map<string, EndedExecution>();
  const tokens = new Map<string, { executionArn: string; key: string }>();
  let stopped = false;

  const deps = {
    clock, integrations, region, log,
    registerToken: (token: string, run: ExecutionRun, key: string) => tokens.set(token, { executionArn: run.journal.meta.executionArn, key }),
    ...(executionsDir ? { park } : {}),
  };

  const withoutDefinition = ({ definition: _definition, ...meta }: ExecutionMeta) => meta;

  function park(run: ExecutionRun, wakeAt: number) {
    const { meta } = run.journal;
    if (stopped || runs.get(meta.executionArn) !== run) return;
    const { executionArn } = meta;
    const wake = new AbortController();
    runs.delete(executionArn);
    parked.set(executionArn, { meta: withoutDefinition(meta), wake });
    clock.until(wakeAt, wake.signal).then(() => {
      const run = unpark(executionArn);
      if (run) start(run);
    }, () => {});
  }

  /** An ended execution's run and journal leave memory (with a dataDir: its journal is on disk). */
  function retire(executionArn: string) {
    const run = runs.get(executionArn);
    const end = run?.journal.end;
    if (!executionsDir || !end) return;
    runs.delete(executionArn);
    ended.set(executionArn, { meta: withoutDefinition(run.journal.meta), end });
  }

  /** Runs (or goes on with) an execution; once it has ended, it is retired. */
  const start = (run: ExecutionRun) => void run.run().then(() => retire(run.journal.meta.executionArn));

  /** Loads a parked execution from its journal (not started); a running one is returned as it is. */
  function unpark(executionArn: string): ExecutionRun | undefined {
    const asleep = parked.get(executionArn);
    if (!asleep) return runs.get(executionArn);
    asleep.wake.abort();
    parked.delete(executionArn);
    const journal = loadJournal(executionArn);
    if (!journal) {
      log(`stepfunctions: ${executionArn}: dropped, its journal is gone`);
      return undefined;
    }
    const run = new ExecutionRun(journal, deps);
    runs.set(executionArn, run);
    return run;
  }

  function loadJournal(executionArn: string): ExecutionJournal | undefined {
    try {
      const journal = ExecutionJournal.load(journalFile(executionsDir!, executionArn));
      if (journal) return journal;
      log(`stepfunctions: ${executionArn}: its journal holds no start`);
    } catch (error) {
      log(`stepfunctions: ${executionArn}: its journal cannot be read: ${(error as Error).message}`);
    }
    return undefined;
  }

  // once, not per execution: ExecutionJournal.create writes into it
  if (executionsDir) mkdirSync(executionsDir, { recursive: true });
  if (machinesFile && existsSync(machinesFile)) {
    for (const m of JSON.parse(readFileSync(machinesFile, 'utf8')) as StateMachineRecord[]) machines.set(m.stateMachineArn, m);
  }
  const journals = loadJournals(executionsDir);
  for (const journal of journals.running) runs.set(journal.meta.executionArn, new ExecutionRun(journal, deps));
  for (const { meta, end } of journals.ended) ended.set(meta.executionArn, { meta: withoutDefinition(meta), end });
  for (const { meta: { executionArn }, tokens: held } of [...journals.running, ...journals.ended]) {
    for (const [key, token] of held) tokens.set(token, { executionArn, key });
  }

  const saveMachines = () => {
    if (!machinesFile) return;
    mkdirSync(path.dirname(machinesFile), { recursive: true });
    writeFileSync(`${machinesFile}.tmp`, JSON.stringify([...machines.values()], null, 2));
    renameSync(`${machinesFile}.tmp`, machinesFile);
  };
  const machineArn = (name: string) => `arn:aws:states:${region}:${account}:stateMachine:${name}`;

  function validated(definition: string | object): string {
    const text = typeof definition === 'string' ? definition : JSON.stringify(definition);
    const parsed = parseJson(text, 'InvalidDefinition', 'The definition');
    try {
      validateDefinition(parsed);
    } catch (error) {
      if (error instanceof InvalidDefinitionError) throw new SfnApiError('InvalidDefinition', error.message);
      throw error;
    }
    return text;
  }

  function putMachine(name: string, definition: string | object, roleArn: string, type: string, replace: boolean): StateMachineRecord {
    if (!NAME.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
    if (type !== 'STANDARD' && type !== 'EXPRESS') throw new SfnApiError('ValidationException', `Invalid type '${type}'`);
    const text = validated(definition);
    const arn = machineArn(name);
    const existing = machines.get(arn);
    if (existing && !replace) {
      if (existing.definition === text && existing.roleArn === roleArn) return existing;
      throw new SfnApiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const record = { stateMachineArn: arn, name, definition: text, roleArn, type, creationDate: existing?.creationDate ?? clock.now() };
    machines.set(arn, record);
    saveMachines();
    return record;
  }

  const machineOf = (arn: unknown) => {
    const machine = machines.get(String(arn));
    if (!machine) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    return machine;
  };
  const missing = (arn: unknown) => new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
  const described = (run: ExecutionRun): DescribedExecution => ({ meta: run.journal.meta, status: run.journal.status(), end: run.journal.end });
  const describedParked = ({ meta }: ParkedExecution): DescribedExecution => ({ meta, status: 'RUNNING' });
  const describedEnded = ({ meta, end }: EndedExecution): DescribedExecution => ({ meta, status: end.status, end });
  /** the execution's description from whichever of `runs`, `parked` and `ended` holds it */
  const describedIfKnown = (arn: string): DescribedExecution | undefined => {
    const run = runs.get(arn);
    if (run) return described(run);
    const asleep = parked.get(arn);
    if (asleep) return describedParked(asleep);
    const over = ended.get(arn);
    return over && describedEnded(over);
  };
  const describedOf = (arn: unknown): DescribedExecution => {
    const known = describedIfKnown(String(arn));
    if (!known) throw missing(arn);
    return known;
  };
  /** the execution's journal; a parked or ended execution's is read from disk for the caller and not kept */
  const journalOf = (arn: unknown): ExecutionJournal => {
    const journal = runs.get(String(arn))?.journal ?? (describedIfKnown(String(arn)) ? loadJournal(String(arn)) : undefined);
    if (!journal) throw missing(arn);
    return journal;
  };
  const taskGone = () => new SfnApiError('TaskTimedOut', 'Task Timed Out: the task has already ended');
  const taskOf = (token: unknown) => {
    if (typeof token !== 'string' || token.length === 0) throw new SfnApiError('InvalidToken', 'Invalid Token: the task token is missing');
    const task = tokens.get(token);
    if (!task) throw new SfnApiError('TaskDoesNotExist', 'Task Does Not Exist: the task token belongs to no task');
    const run = runs.get(task.executionArn);
    // a parked execution waits in a Wait state and an ended one has no task: none of their tasks is open
    if (!run) throw taskGone();
    return { run, key: task.key };
  };

  function describeExecution({ meta, status, end }: DescribedExecution) {
    return {
      executionArn: meta.executionArn,
      stateMachineArn: meta.stateMachineArn,
      name: meta.name,
      status,
      startDate: seconds(meta.startDate),
      ...(end ? { stopDate: seconds(end.stopDate) } : {}),
      input: meta.input,
      inputDetails: { included: true },
      ...(end?.output !== undefined ? { output: end.output, outputDetails: { included: true } } : {}),
      ...(end?.error !== undefined ? { error: end.error } : {}),
      ...(end?.cause !== undefined ? { cause: end.cause } : {}),
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    };
  }

  function page<T>(items: T[], input: Record<string, unknown>, defaultSize: number) {
    const start = input.nextToken === undefined ? 0 : Number(input.nextToken);
    if (!Number.isInteger(start) || start < 0) throw new SfnApiError('InvalidToken', 'Invalid nextToken');
    const size = Number(input.maxResults) > 0 ? Math.min(Number(input.maxResults), 1000) : defaultSize;
    const end = start + size;
    return { items: items.slice(start, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
  }

  const actions: Record<string, (input: Record<string, unknown>) => unknown> = {
    CreateStateMachine(input) {
      const m = putMachine(String(input.name ?? ''), String(input.definition ?? ''), String(input.roleArn ?? ''), String(input.type ?? 'STANDARD'), false);
      return { stateMachineArn: m.stateMachineArn, creationDate: seconds(m.creationDate) };
    },
    DescribeStateMachine(input) {
      const m = machineOf(input.stateMachineArn);
      return { ...m, status: 'ACTIVE', creationDate: seconds(m.creationDate) };
    },
    ListStateMachines(input) {
      const { items, nextToken } = page([...machines.values()], input, 100);
      return {
        stateMachines: items.map((m) => ({ stateMachineArn: m.stateMachineArn, name: m.name, type: m.type, creationDate: seconds(m.creationDate) })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    StartExecution(input) {
      const machine = machineOf(input.stateMachineArn);
      const name = input.name === undefined ? randomUUID() : String(input.name);
      if (!NAME.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
      const text = input.input === undefined ? '{}' : String(input.input);
      parseJson(text, 'InvalidExecutionInput', 'The execution input');
      const executionArn = `arn:aws:states:${region}:${account}:execution:${machine.name}:${name}`;
      const existing = describedIfKnown(executionArn);
      if (existing) {
        // StartExecution is idempotent for the same name and input while the first one runs
        if (existing.status === 'RUNNING' && existing.meta.input === text) {
          return { executionArn, startDate: seconds(existing.meta.startDate) };
        }
        throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
      }
      if (stopped) throw new SfnApiError('ServiceUnavailable', 'The local Step Functions service is stopping');
      const journal = ExecutionJournal.create(executionsDir, {
        executionArn, stateMachineArn: machine.stateMachineArn, stateMachineName: machine.name, name, input: text,
        startDate: clock.now(), roleArn: machine.roleArn, definition: machine.definition,
      });
      const run = new ExecutionRun(journal, deps);
      runs.set(executionArn, run);
      start(run);
      return { executionArn, startDate: seconds(journal.meta.startDate) };
    },
    DescribeExecution: (input) => describeExecution(describedOf(input.executionArn)),
    DescribeStateMachineForExecution(input) {
      const { meta } = journalOf(input.executionArn);
      return {
        stateMachineArn: meta.stateMachineArn, name: meta.stateMachineName, definition: meta.definition, roleArn: meta.roleArn,
        updateDate: seconds(machines.get(meta.stateMachineArn)?.creationDate ?? meta.startDate),
      };
    },
    ListExecutions(input) {
      const machine = machineOf(input.stateMachineArn);
      const all = [...[...runs.values()].map(described), ...[...parked.values()].map(describedParked), ...[...ended.values()].map(describedEnded)]
        .filter((r) => r.meta.stateMachineArn === machine.stateMachineArn)
        .filter((r) => input.statusFilter === undefined || r.status === input.statusFilter)
        // ties by ARN: parking and waking move an execution between the maps, and pages must not shift
        .sort((a, b) => b.meta.startDate - a.meta.startDate || a.meta.executionArn.localeCompare(b.meta.executionArn));
      const { items, nextToken } = page(all, input, 100);
      return {
        executions: items.map((r) => {
          const { executionArn, stateMachineArn, name, status, startDate, stopDate } = describeExecution(r);
          return { executionArn, stateMachineArn, name, status, startDate, ...(stopDate !== undefined ? { stopDate } : {}) };
        }),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    GetExecutionHistory(input) {
      const events = [...journalOf(input.executionArn).events];
      if (input.reverseOrder === true) events.reverse();
      const { items, nextToken } = page(events, input, 100);
      return { events: items, ...(nextToken ? { nextToken } : {}) };
    },
    StopExecution(input) {
      const over = ended.get(String(input.executionArn));
      if (over) return { stopDate: seconds(over.end.stopDate) };
      const run = unpark(String(input.executionArn));
      if (!run) throw missing(input.executionArn);
      const stopDate = run.stop(input.error === undefined ? undefined : String(input.error), input.cause === undefined ? undefined : String(input.cause));
      // a run woken from parking for this was never started: nothing else would retire it
      retire(String(input.executionArn));
      return { stopDate: seconds(stopDate) };
    },
    SendTaskSuccess(input) {
      const { run, key } = taskOf(input.taskToken);
      const value = parseJson(input.output ?? 'null', 'InvalidOutput', 'The output');
      if (!run.settle(key, { ok: true, value })) throw taskGone();
      return {};
    },
    SendTaskFailure(input) {
      const { run, key } = taskOf(input.taskToken);
      const settled = run.settle(key, { ok: false, error: String(input.error ?? ''), cause: String(input.cause ?? '') });
      if (!settled) throw taskGone();
      return {};
    },
    SendTaskHeartbeat(input) {
      const { run, key } = taskOf(input.taskToken);
      if (!run.heartbeat(key)) throw taskGone();
      return {};
    },
  };

  async function call(action: string, input: Record<string, unknown>): Promise<unknown> {
    const handler = actions[action];
    if (!handler) throw new SfnApiError('UnknownOperationException', `The local Step Functions service does not implement ${action}`);
    return handler(input);
  }

  return {
    edgeService: stepFunctionsApiService(call),
    createStateMachine(name, definition, roleArn = '', type = 'STANDARD') {
      return { stateMachineArn: putMachine(name, definition, roleArn, type, true).stateMachineArn };
    },
    async resumeAll() {
      const running = [...runs.values()].filter((r) => r.journal.status() === 'RUNNING');
      for (const run of running) start(run);
      if (running.length > 0) log(`stepfunctions: resumed ${running.length} running execution(s)`);
    },
    call,
    async stop() {
      stopped = true;
      for (const { wake } of parked.values()) wake.abort();
      await Promise.all([...runs.values()].filter((r) => r.journal.status() === 'RUNNING').map((r) => r.shutdown()));
      for (const run of runs.values()) run.journal.close();
      integrations.destroy();
    },
    stats() {
      const executions: Record<ExecutionStatus, number> = { RUNNING: 0, SUCCEEDED: 0, FAILED: 0, TIMED_OUT: 0, ABORTED: 0 };
      for (const run of runs.values()) executions[run.journal.status()]++;
      for (const { end } of ended.values()) executions[end.status]++;
      executions.RUNNING += parked.size;
      return { stateMachines: machines.size, executions, parked: parked.size, inMemory: runs.size };
    },
    callsInFlight: () => callsInFlight,
  };
}
