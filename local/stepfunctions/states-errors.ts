/** An ASL error: what Retry and Catch match on (`ErrorEquals`) and what a failed execution reports. */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    override readonly cause: string = '',
  ) {
    super(`${error}: ${cause}`);
    this.name = 'StatesError';
  }
}

export const STATES = {
  ALL: 'States.ALL',
  TaskFailed: 'States.TaskFailed',
  Timeout: 'States.Timeout',
  HeartbeatTimeout: 'States.HeartbeatTimeout',
  Runtime: 'States.Runtime',
  NoChoiceMatched: 'States.NoChoiceMatched',
  IntrinsicFailure: 'States.IntrinsicFailure',
  ParameterPathFailure: 'States.ParameterPathFailure',
  ResultPathMatchFailure: 'States.ResultPathMatchFailure',
  ItemsPathFailure: 'States.ItemsPathFailure',
  DataLimitExceeded: 'States.DataLimitExceeded',
} as const;

export const runtimeError = (cause: string) => new StatesError(STATES.Runtime, cause);

/** Any thrown value as an ASL error; errors of our own code become States.Runtime, never a silent success. */
export function toStatesError(error: unknown): StatesError {
  if (error instanceof StatesError) return error;
  return runtimeError(error instanceof Error ? error.message : String(error));
}

/**
 * Whether a retrier or catcher with `errorEquals` handles `error`. States.ALL and States.TaskFailed
 * match every error but the terminal ones; States.TaskFailed also leaves timeouts alone, which
 * States.Timeout matches (a heartbeat timeout included).
 */
export function errorMatches(errorEquals: readonly string[], error: string): boolean {
  if (errorEquals.includes(error)) return true;
  const terminal = error === STATES.Runtime || error === STATES.DataLimitExceeded;
  if (terminal) return false;
  const timeout = error === STATES.Timeout || error === STATES.HeartbeatTimeout;
  if (errorEquals.includes(STATES.ALL)) return true;
  if (timeout) return errorEquals.includes(STATES.Timeout);
  return errorEquals.includes(STATES.TaskFailed);
}
