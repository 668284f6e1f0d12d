import { createHash, randomBytes } from 'node:crypto';
import type { LocalClock } from '../clock';
import { evaluateRule, type ChoiceRule } from './choice';
import { StatesError, STATES, errorMatches, runtimeError, toStatesError } from './states-errors';
import type { IntrinsicEnv } from './asl-intrinsic-functions';
import type { Integrations } from './integrations';
import type { ExecutionJournal, TaskResult } from './journal';
import { readPath } from './asl-paths';
import { applyTemplate, dynamicValue, placeResult, selectPath } from './payload';
import { describeResource, parseResource, type TaskResource } from './resources';
import type { State, StateMachineDefinition } from './validate';

/**
 * Runs one execution by deterministic replay of its journal. Every step has a key that is the same
 * on every run (`<scope>/<state>#<visit>`, `@<attempt>` per retry, `{branch}` and `[item]` inside
 * Parallel and Map). Before doing anything with an effect, the engine looks the key up in the journal:
 * a recorded history event is not written again, a recorded task result is used instead of calling
 * the task again, a recorded timer keeps its due time, a recorded task token is reused. So after a
 * restart (or kill -9) an execution continues where it was:
 *
 *  - a task whose result was recorded never runs again;
 *  - a task whose call was in flight at the crash runs again (at-least-once, like AWS's own retries);
 *  - a `.waitForTaskToken` task whose call completed is not called again; its token stays valid;
 *  - a Wait, retry interval or timeout keeps its due time on the local clock.
 *
 * Whatever is random (States.UUID, MathRandom, retry jitter) is derived from the execution and the
 * step's key, so a replay computes the same values.
 */

export interface EngineDeps {
  clock: LocalClock;
  integrations: Integrations;
  region: string;
  /** a new task token belongs to this execution's step until the task ends */
  registerToken(token: string, run: ExecutionRun, key: string): void;
  log(line: string): void;
  /**
   * When given, an execution whose next event is a Wait's end at least PARK_AFTER_MS away stops its run
   * and hands itself over: the service keeps only what describes it and starts it again from its journal
   * at `wakeAt`, as after a restart. Needs a journal on disk.
   */
  park?(run: ExecutionRun, wakeAt: number): void;
}

/**
 * how far away a Wait's end must be for the execution to be parked rather than held in memory: waking
 * replays the whole journal, so a short polling loop stays in memory
 */
export const PARK_AFTER_MS = 15 * 60_000;

interface Thread {
  last: number;
}

interface Outcome {
  output: unknown;
  next?: string;
  /** a Catch handled an error: the state ends without its Exited event */
  caught?: boolean;
}

interface Context {
  Execution: { Id: string; Input: unknown; Name: string; RoleArn: string; StartTime: string; RedriveCount: number };
  StateMachine: { Id: string; Name: string };
  State?: { Name: string; EnteredTime: string; RetryCount: number };
  Task?: { Token: string };
  Map?: { Item: { Index: number; Value: unknown } };
}

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}
interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}
interface Machine {
  StartAt: string;
  States: Record<string, State>;
}

/** Why an execution's run was interrupted: not an ASL error, never caught by Catch. */
export class Interrupt extends Error {
  constructor(readonly kind: 'shutdown' | 'stopped' | 'timeout' | 'parked') {
    super(`execution ${kind}`);
  }
}

const json = (value: unknown) => JSON.stringify(value ?? null);

/**
 * A machine's definition parsed once and shared, frozen, by its executions: a launch keeps thousands of
 * them waiting, and a parse each held about 5 KB (50 MB at 10,000).
 */
const parsedDefinitions = new Map<string, StateMachineDefinition>();
function parsedDefinition(text: string): StateMachineDefinition {
  let parsed = parsedDefinitions.get(text);
  if (!parsed) {
    parsed = deepFreeze(JSON.parse(text) as StateMachineDefinition);
    parsedDefinitions.set(text, parsed);
  }
  return parsed;
}
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
const details = (text: string) => ({ truncated: false, size: Buffer.byteLength(text) });

export class ExecutionRun {
  private readonly controller = new AbortController();
  private readonly settled = new Map<string, () => void>();
  private readonly beats = new Map<string, () => void>();
  private readonly definition: StateMachineDefinition;
  private readonly root: Context;
  private done: Promise<void> | undefined;
  /** the execution's own thread: a Wait on it is the only thing the execution does until the Wait ends */
  private mainThread: Thread | undefined;
  /** set when a Wait parks the run: when the execution must run again */
  private wakeAt: number | undefined;
  /** task calls still out (a callback task's call may answer after its token did): the run cannot park */
  private callsOut = 0;

  constructor(
    readonly journal: ExecutionJournal,
    private readonly deps: EngineDeps,
  ) {
    const { meta } = journal;
    this.definition = parsedDefinition(meta.definition);
    this.root = {
      Execution: {
        Id: meta.executionArn, Input: JSON.parse(meta.input), Name: meta.name, RoleArn: meta.roleArn,
        StartTime: new Date(meta.startDate).toISOString(), RedriveCount: 0,
      },
      StateMachine: { Id: meta.stateMachineArn, Name: meta.stateMachineName },
    };
  }

  /** Runs (or replays, then continues) the execution; resolves when it ends or is interrupted. */
  run(): Promise<void> {
    this.done ??= this.execute().catch((error: unknown) => this.deps.log(`stepfunctions: ${this.journal.meta.executionArn}: ${String(error)}`));
    return this.done;
  }

  /** StopExecution: recorded at once; the running steps are then interrupted. */
  stop(error?: string, cause?: string): number {
    const now = this.deps.clock.now();
    if (this.journal.end) return this.journal.end.stopDate;
    this.emit({ last: this.journal.events.at(-1)?.id ?? 0 }, '', 'ExecutionAborted', 'executionAbortedEventDetails', {
      ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}),
    });
    this.journal.finish({ status: 'ABORTED', stopDate: now, ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) });
    this.controller.abort(new Interrupt('stopped'));
    return now;
  }

  /** The service is shutting down: leave the execution RUNNING in its journal, to resume later. */
  async shutdown(): Promise<void> {
    this.controller.abort(new Interrupt('shutdown'));
    await this.done;
  }

  /** SendTaskSuccess/Failure and the task's own timers: the first outcome recorded wins. */
  settle(key: string, result: TaskResult): boolean {
    if (!this.journal.settle(key, result)) return false;
    this.settled.get(key)?.();
    return true;
  }

  heartbeat(key: string): boolean {
    if (this.journal.results.has(key) || this.journal.end) return false;
    this.journal.heartbeat(key, this.deps.clock.now());
    this.beats.get(key)?.();
    return true;
  }

  private async execute(): Promise<void> {
    const { journal } = this;
    if (journal.end) return;
    const signal = this.controller.signal;
    const thread = { last: 0 };
    this.mainThread = thread;
    this.emit(thread, '', 'ExecutionStarted', 'executionStartedEventDetails', {
      input: journal.meta.input, inputDetails: details(journal.meta.input), roleArn: journal.meta.roleArn,
    });
    const timeout = this.definition.TimeoutSeconds;
    if (timeout !== undefined) {
      this.deps.clock.until(journal.meta.startDate + timeout * 1000, signal).then(
        () => this.controller.abort(new Interrupt('timeout')),
        () => {},
      );
    }
    try {
      const output = json(await this.runStates(this.definition, this.root.Execution.Input, '', thread, signal));
      this.emit(thread, '', 'ExecutionSucceeded', 'executionSucceededEventDetails', { output, outputDetails: details(output) });
      journal.finish({ status: 'SUCCEEDED', stopDate: this.deps.clock.now(), output });
    } catch (thrown) {
      const reason: unknown = signal.aborted ? signal.reason : undefined;
      if (reason instanceof Interrupt) {
        if (reason.kind === 'parked' && !journal.end) {
          journal.close();
          this.deps.park!(this, this.wakeAt!);
        }
        if (reason.kind !== 'timeout' || journal.end) return;
        const error = STATES.Timeout;
        const cause = `The execution ran longer than its TimeoutSeconds (${timeout} s)`;
        this.emit({ last: journal.events.at(-1)?.id ?? 0 }, '', 'ExecutionTimedOut', 'executionTimedOutEventDetails', { error, cause });
        journal.finish({ status: 'TIMED_OUT', stopDate: this.deps.clock.now(), error, cause });
        return;
      }
      const { error, cause } = toStatesError(thrown);
      this.emit(thread, '', 'ExecutionFailed', 'executionFailedEventDetails', { error, cause });
      journal.finish({ status: 'FAILED', stopDate: this.deps.clock.now(), error, cause });
    } finally {
      if (!signal.aborted) this.controller.abort(new Interrupt('shutdown'));
    }
  }

  /** Appends a history event unless this step already recorded it; returns its time (epoch ms). */
  private emit(thread: Thread, key: string, type: string, field?: string, body?: Record<string, unknown>): number {
    const recorded = this.journal.eventsByKey.get(`${key}|${type}`);
    if (recorded) {
      thread.last = recorded.id;
      return recorded.timestamp * 1000;
    }
    if (this.journal.end && !type.startsWith('Execution')) throw new Interrupt('stopped');
    const now = this.deps.clock.now();
    const id = this.journal.events.length + 1;
    this.journal.addEvent(`${key}|${type}`, {
      timestamp: now / 1000, type, id, previousEventId: thread.last, ...(field ? { [field]: body ?? {} } : {}),
    });
    thread.last = id;
    return now;
  }

  private random(key: string): () => number {
    let counter = 0;
    return () => {
      const digest = createHash('sha256').update(`${this.journal.meta.executionArn}|${key}|${counter++}`).digest();
      return digest.readUIntBE(0, 6) / 2 ** 48;
    };
  }

  private env(input: unknown, context: Context, key: string): IntrinsicEnv {
    return { input, context, random: this.random(key) };
  }

  private async runStates(machine: Machine, input: unknown, scope: string, thread: Thread, signal: AbortSignal): Promise<unknown> {
    const visits = new Map<string, number>();
    let name = machine.StartAt;
    let data = input;
    for (;;) {
      signal.throwIfAborted();
      const state = machine.States[name]!;
      const visit = (visits.get(name) ?? 0) + 1;
      visits.set(name, visit);
      const outcome = await this.runState(name, state, data, `${scope}/${name}#${visit}`, thread, signal);
      data = outcome.output;
      if (outcome.next === undefined) return data;
      name = outcome.next;
    }
  }

  private async runState(name: string, state: State, input: unknown, key: string, thread: Thread, signal: AbortSignal): Promise<Outcome> {
    const inputText = json(input);
    const entered = this.emit(thread, key, `${state.Type}StateEntered`, 'stateEnteredEventDetails', { name, input: inputText, inputDetails: details(inputText) });
    const context: Context = { ...this.root, State: { Name: name, EnteredTime: new Date(entered).toISOString(), RetryCount: 0 } };
    const next = state.End === true ? undefined : (state.Next as string | undefined);
    let outcome: Outcome;
    switch (state.Type) {
      case 'Pass': {
        const effective = selectPath(state.InputPath as string, input, context);
        const result = state.Parameters !== undefined
          ? applyTemplate(state.Parameters, this.env(effective, context, key))
          : 'Result' in state ? state.Result : effective;
        outcome = { output: this.output(state, input, result, context), next };
        break;
      }
      case 'Succeed':
        outcome = { output: selectPath(state.OutputPath as string, selectPath(state.InputPath as string, input, context), context) };
        break;
      case 'Fail':
        throw this.failure(state, input, context);
      case 'Choice':
        outcome = this.choose(state, input, context);
        break;
      case 'Wait':
        outcome = { output: await this.wait(state, input, context, key, entered, thread, signal), next };
        break;
      default:
        outcome = await this.withRetry(state, input, key, context, signal, (attemptKey, attemptContext) => {
          if (state.Type === 'Task') return this.task(state, input, attemptKey, attemptContext, thread, signal);
          if (state.Type === 'Parallel') return this.parallel(state, input, attemptKey, attemptContext, thread, signal);
          return this.map(name, state, input, attemptKey, attemptContext, thread, signal);
        });
    }
    // a caught error goes straight to the catcher's state, without an Exited event
    if (!outcome.caught) {
      const outputText = json(outcome.output);
      this.emit(thread, key, `${state.Type}StateExited`, 'stateExitedEventDetails', { name, output: outputText, outputDetails: details(outputText) });
    }
    return outcome;
  }

  /** ResultSelector → ResultPath → OutputPath. */
  private output(state: State, input: unknown, result: unknown, context: Context): unknown {
    const selected = state.ResultSelector !== undefined ? applyTemplate(state.ResultSelector, this.env(result, context, 'ResultSelector')) : result;
    return selectPath(state.OutputPath as string, placeResult(state.ResultPath as string, input, selected), context);
  }

  private failure(state: State, input: unknown, context: Context): StatesError {
    const env = this.env(input, context, 'Fail');
    const text = (value: unknown, path: unknown) => (typeof path === 'string' ? String(dynamicValue(path, env)) : typeof value === 'string' ? value : undefined);
    return new StatesError(text(state.Error, state.ErrorPath) ?? 'States.Failed', text(state.Cause, state.CausePath) ?? '');
  }

  private choose(state: State, input: unknown, context: Context): Outcome {
    const effective = selectPath(state.InputPath as string, input, context);
    const output = selectPath(state.OutputPath as string, effective, context);
    for (const rule of state.Choices as (ChoiceRule & { Next: string })[]) {
      if (evaluateRule(rule, effective, context)) return { output, next: rule.Next };
    }
    if (typeof state.Default === 'string') return { output, next: state.Default };
    throw new StatesError(STATES.NoChoiceMatched, `No Choice rule matched and there is no Default, with input ${json(effective)}`);
  }

  private async wait(state: State, input: unknown, context: Context, key: string, entered: number, thread: Thread, signal: AbortSignal): Promise<unknown> {
    const effective = selectPath(state.InputPath as string, input, context);
    let at = this.journal.timers.get(key);
    if (at === undefined) {
      const seconds = state.SecondsPath !== undefined ? readPath(state.SecondsPath as string, effective, context) : state.Seconds;
      const timestamp = state.TimestampPath !== undefined ? readPath(state.TimestampPath as string, effective, context) : state.Timestamp;
      if (seconds !== undefined) {
        if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) throw runtimeError(`Wait: seconds must be a non-negative integer, got ${json(seconds)}`);
        at = entered + seconds * 1000;
      } else {
        const parsed = typeof timestamp === 'string' ? Date.parse(timestamp) : NaN;
        if (Number.isNaN(parsed)) throw runtimeError(`Wait: '${json(timestamp)}' is not a timestamp`);
        at = parsed;
      }
      this.journal.timer(key, at);
    }
    // the timer is durable (journal.timer syncs), so a replay from the journal waits for the same time
    if (this.deps.park && thread === this.mainThread && this.callsOut === 0) {
      const timeout = this.definition.TimeoutSeconds;
      const wakeAt = timeout === undefined ? at : Math.min(at, this.journal.meta.startDate + timeout * 1000);
      if (wakeAt - this.deps.clock.now() >= PARK_AFTER_MS) {
        this.wakeAt = wakeAt;
        this.controller.abort(new Interrupt('parked'));
        throw this.controller.signal.reason;
      }
    }
    await this.deps.clock.until(at, signal);
    return selectPath(state.OutputPath as string, effective, context);
  }

  private async withRetry(
    state: State, input: unknown, key: string, context: Context, signal: AbortSignal,
    attempt: (attemptKey: string, context: Context) => Promise<unknown>,
  ): Promise<Outcome> {
    const retriers = (state.Retry ?? []) as Retrier[];
    const retries = retriers.map(() => 0);
    for (let n = 0; ; n++) {
      const attemptContext: Context = { ...context, State: { ...context.State!, RetryCount: n } };
      try {
        return { output: await attempt(`${key}@${n}`, attemptContext), next: state.End === true ? undefined : (state.Next as string) };
      } catch (thrown) {
        if (signal.aborted || thrown instanceof Interrupt) throw signal.reason ?? thrown;
        const error = toStatesError(thrown);
        const index = retriers.findIndex((r) => errorMatches(r.ErrorEquals, error.error));
        const retrier = retriers[index];
        if (retrier && retries[index]! < (retrier.MaxAttempts ?? 3)) {
          const timerKey = `${key}@${n}|retry`;
          let at = this.journal.timers.get(timerKey);
          if (at === undefined) {
            at = this.deps.clock.now() + retryDelay(retrier, retries[index]!, this.random(timerKey)) * 1000;
            this.journal.timer(timerKey, at);
          }
          retries[index]!++;
          await this.deps.clock.until(at, signal);
          continue;
        }
        const catcher = ((state.Catch ?? []) as Catcher[]).find((c) => errorMatches(c.ErrorEquals, error.error));
        if (!catcher) throw error;
        return { output: placeResult(catcher.ResultPath, input, { Error: error.error, Cause: error.cause }), next: catcher.Next, caught: true };
      }
    }
  }

  private async task(state: State, input: unknown, key: string, context: Context, thread: Thread, signal: AbortSignal): Promise<unknown> {
    const resourceArn = state.Resource as string;
    const resource = parseResource(resourceArn) as TaskResource;
    const effective = selectPath(state.InputPath as string, input, context);
    const waitsForToken = 'pattern' in resource && resource.pattern === 'waitForTaskToken';
    if (waitsForToken) {
      let token = this.journal.tokens.get(key);
      if (!token) {
        token = randomBytes(48).toString('base64url');
        this.journal.token(key, token);
      }
      this.deps.registerToken(token, this, key);
      context = { ...context, Task: { Token: token } };
    }
    const parameters = state.Parameters !== undefined ? applyTemplate(state.Parameters, this.env(effective, context, key)) : effective;
    const seconds = (value: unknown, path: unknown, field: string) => {
      const s = typeof path === 'string' ? readPath(path, effective, context) : value;
      if (s !== undefined && (typeof s !== 'number' || !Number.isInteger(s) || s <= 0)) throw runtimeError(`${field} must be a positive integer, got ${json(s)}`);
      return s as number | undefined;
    };
    const timeout = seconds(state.TimeoutSeconds, state.TimeoutSecondsPath, 'TimeoutSeconds');
    const heartbeat = seconds(state.HeartbeatSeconds, state.HeartbeatSecondsPath, 'HeartbeatSeconds');

    const lambdaFunction = resource.kind === 'lambda-function';
    const names = lambdaFunction
      ? { prefix: 'LambdaFunction', field: 'lambdaFunction', described: { resource: resourceArn } }
      : { prefix: 'Task', field: 'task', described: describeResource(resourceArn) };
    const parametersText = json(parameters);
    const scheduled = this.emit(thread, key, `${names.prefix}Scheduled`, `${names.field}ScheduledEventDetails`, {
      ...names.described,
      ...(lambdaFunction ? { input: parametersText, inputDetails: details(parametersText) } : { region: this.deps.region, parameters: parametersText }),
      ...(timeout !== undefined ? { timeoutInSeconds: timeout } : {}),
      ...(heartbeat !== undefined ? { heartbeatInSeconds: heartbeat } : {}),
    });
    this.emit(thread, key, `${names.prefix}Started`, `${names.field}StartedEventDetails`, lambdaFunction ? {} : names.described);

    const submitted = (value: unknown) => {
      const text = json(value);
      this.emit(thread, key, 'TaskSubmitted', 'taskSubmittedEventDetails', { ...names.described, output: text, outputDetails: details(text) });
    };
    const result = await this.taskResult(resource, parameters, key, scheduled, { timeout, heartbeat, submitted: waitsForToken ? submitted : undefined }, signal);
    if (!result.ok) {
      const timedOut = result.error === STATES.Timeout || result.error === STATES.HeartbeatTimeout;
      const type = `${names.prefix}${timedOut ? 'TimedOut' : 'Failed'}`;
      this.emit(thread, key, type, `${names.field}${timedOut ? 'TimedOut' : 'Failed'}EventDetails`, { ...names.described, error: result.error, cause: result.cause });
      throw new StatesError(result.error, result.cause);
    }
    const outputText = json(result.value);
    this.emit(thread, key, `${names.prefix}Succeeded`, `${names.field}SucceededEventDetails`, { ...names.described, output: outputText, outputDetails: details(outputText) });
    return this.output(state, input, result.value, context);
  }

  /** The task's recorded outcome, or the first of: its call's result, a callback, a timeout. */
  private async taskResult(
    resource: TaskResource, parameters: unknown, key: string, scheduled: number,
    limits: { timeout?: number; heartbeat?: number; submitted?: ((value: unknown) => void) | undefined }, signal: AbortSignal,
  ): Promise<TaskResult> {
    const { timeout, heartbeat, submitted } = limits;
    const waitsForToken = submitted !== undefined;
    const recorded = this.journal.results.get(key);
    if (recorded) return recorded;
    const task = new AbortController();
    const abortTask = () => task.abort(signal.reason);
    signal.addEventListener('abort', abortTask, { once: true });
    const settledNow = new Promise<void>((resolve) => this.settled.set(key, resolve));
    const { clock } = this.deps;
    const ignore = () => {};

    const once = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const memoKey = `${key}:${name}`;
      if (this.journal.memos.has(memoKey)) return this.journal.memos.get(memoKey) as T;
      const value = await fn();
      this.journal.memo(memoKey, value ?? null);
      return value;
    };
    const call = () => {
      // the call is the task's side effect: what led to it (TaskScheduled/Started, ...) is durable first
      this.journal.sync();
      this.callsOut++;
      return this.deps.integrations.run({ resource, parameters, signal: task.signal, once }).finally(() => this.callsOut--);
    };
    // a callback task's call is journaled, so a restart waits for the token instead of calling again
    const work = waitsForToken ? once('submitted', async () => (await call()) ?? null) : call();
    work.then(
      (value) => {
        if (!submitted) return this.settle(key, { ok: true, value: value ?? null });
        try {
          submitted(value);
        } catch (thrown) {
          // the execution ended (stopped, or answered and done) while the call was on its way: nothing to record
          if (!(thrown instanceof Interrupt)) throw thrown;
        }
      },
      (error: unknown) => {
        if (task.signal.aborted) return;
        const { error: name, cause } = toStatesError(error);
        this.settle(key, { ok: false, error: name, cause });
      },
    );
    if (timeout !== undefined) {
      clock.until(scheduled + timeout * 1000, task.signal).then(
        () => this.settle(key, { ok: false, error: STATES.Timeout, cause: `The task did not finish within ${timeout} s` }),
        ignore,
      );
    }
    if (heartbeat !== undefined) void this.watchHeartbeat(key, scheduled, heartbeat, task.signal);

    let interrupted: () => void = ignore;
    try {
      await Promise.race([settledNow, new Promise((_, reject) => {
        interrupted = () => reject(signal.reason);
        signal.addEventListener('abort', interrupted, { once: true });
      })]);
      return this.journal.results.get(key)!;
    } finally {
      this.settled.delete(key);
      signal.removeEventListener('abort', abortTask);
      signal.removeEventListener('abort', interrupted);
      task.abort(new Interrupt('shutdown'));
    }
  }

  private async watchHeartbeat(key: string, scheduled: number, seconds: number, taskSignal: AbortSignal): Promise<void> {
    while (!taskSignal.aborted) {
      const last = this.journal.heartbeats.get(key) ?? scheduled;
      const beat = new AbortController();
      const stopBeat = () => beat.abort();
      taskSignal.addEventListener('abort', stopBeat, { once: true });
      this.beats.set(key, stopBeat);
      try {
        await this.deps.clock.until(last + seconds * 1000, beat.signal);
        this.settle(key, { ok: false, error: STATES.HeartbeatTimeout, cause: `No heartbeat within ${seconds} s` });
        return;
      } catch {
        // a heartbeat arrived (or the task ended): wait again from the new one
      } finally {
        taskSignal.removeEventListener('abort', stopBeat);
        this.beats.delete(key);
      }
    }
  }

  private async parallel(state: State, input: unknown, key: string, context: Context, thread: Thread, signal: AbortSignal): Promise<unknown> {
    const effective = selectPath(state.InputPath as string, input, context);
    const branchInput = state.Parameters !== undefined ? applyTemplate(state.Parameters, this.env(effective, context, key)) : effective;
    this.emit(thread, key, 'ParallelStateStarted');
    const started = thread.last;
    const branches = state.Branches as Machine[];
    try {
      const results = await runAll(
        branches.map((branch, i) => (s) => this.runStates(branch, branchInput, `${key}{${i}}`, { last: started }, s)),
        0, signal,
      );
      this.emit(thread, key, 'ParallelStateSucceeded');
      return this.output(state, input, results, context);
    } catch (thrown) {
      if (thrown instanceof Interrupt) throw thrown;
      const error = toStatesError(thrown);
      this.emit(thread, key, 'ParallelStateFailed', 'parallelStateFailedEventDetails', { error: error.error, cause: error.cause });
      throw error;
    }
  }

  private async map(name: string, state: State, input: unknown, key: string, context: Context, thread: Thread, signal: AbortSignal): Promise<unknown> {
    const effective = selectPath(state.InputPath as string, input, context);
    const items = state.ItemsPath === undefined ? effective : readPath(state.ItemsPath as string, effective, context);
    if (!Array.isArray(items)) throw runtimeError(`Map: ItemsPath '${String(state.ItemsPath ?? '$')}' must select an array, got ${json(items)}`);
    const limit = state.MaxConcurrencyPath !== undefined ? readPath(state.MaxConcurrencyPath as string, effective, context) : (state.MaxConcurrency ?? 0);
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) throw runtimeError(`Map: MaxConcurrency must be a non-negative integer, got ${json(limit)}`);
    const selector = state.ItemSelector ?? state.Parameters;
    const processor = (state.ItemProcessor ?? state.Iterator) as Machine;
    this.emit(thread, key, 'MapStateStarted', 'mapStateStartedEventDetails', { length: items.length });
    const started = thread.last;
    try {
      const results = await runAll(
        items.map((value, index) => async (s) => {
          const itemKey = `${key}[${index}]`;
          const itemThread = { last: started };
          const itemContext: Context = { ...context, Map: { Item: { Index: index, Value: value } } };
          const itemInput = selector !== undefined ? applyTemplate(selector, this.env(effective, itemContext, itemKey)) : value;
          this.emit(itemThread, itemKey, 'MapIterationStarted', 'mapIterationStartedEventDetails', { name, index });
          try {
            const output = await this.runStates(processor, itemInput, itemKey, itemThread, s);
            this.emit(itemThread, itemKey, 'MapIterationSucceeded', 'mapIterationSucceededEventDetails', { name, index });
            return output;
          } catch (thrown) {
            if (!(thrown instanceof Interrupt) && !s.aborted) {
              this.emit(itemThread, itemKey, 'MapIterationFailed', 'mapIterationFailedEventDetails', { name, index });
            }
            throw thrown;
          }
        }),
        limit, signal,
      );
      this.emit(thread, key, 'MapStateSucceeded');
      return this.output(state, input, results, context);
    } catch (thrown) {
      if (thrown instanceof Interrupt) throw thrown;
      const error = toStatesError(thrown);
      this.emit(thread, key, 'MapStateFailed', 'mapStateFailedEventDetails', { error: error.error, cause: error.cause });
      throw error;
    }
  }
}

function retryDelay(retrier: Retrier, retriesSoFar: number, random: () => number): number {
  let delay = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** retriesSoFar;
  if (retrier.MaxDelaySeconds !== undefined) delay = Math.min(delay, retrier.MaxDelaySeconds);
  return retrier.JitterStrategy === 'FULL' ? delay * random() : delay;
}

/**
 * Runs jobs with at most `limit` at once (0: no limit). The first failure stops the others (they see
 * their signal aborted), and is rethrown once all have settled, so nothing runs on afterwards.
 */
async function runAll<T>(jobs: ((signal: AbortSignal) => Promise<T>)[], limit: number, parent: AbortSignal): Promise<T[]> {
  const controller = new AbortController();
  const forward = () => controller.abort(parent.reason);
  parent.addEventListener('abort', forward, { once: true });
  const results: T[] = new Array<T>(jobs.length);
  let failure: { error: unknown } | undefined;
  let next = 0;
  const worker = async () => {
    while (next < jobs.length && !controller.signal.aborted) {
      const index = next++;
      try {
        results[index] = await jobs[index]!(controller.signal);
      } catch (error) {
        if (!failure && !parent.aborted) failure = { error };
        controller.abort(new Interrupt('stopped'));
      }
    }
  };
  const width = limit === 0 ? jobs.length : Math.min(limit, jobs.length);
  await Promise.all(Array.from({ length: width }, worker));
  parent.removeEventListener('abort', forward);
  if (parent.aborted) throw parent.reason;
  if (failure) throw failure.error;
  return results;
}
