import { CHOICE_OPERATORS } from './choice';
import { isIntrinsic, parseIntrinsic } from './asl-intrinsic-functions';
import { parseAslPath } from './asl-paths';
import { parseResource } from './resources';

/**
 * CreateStateMachine's check: everything this engine cannot run exactly as AWS would is rejected here
 * (as InvalidDefinition naming the state and the field) instead of being run wrongly later.
 */
export interface StateMachineDefinition {
  StartAt: string;
  States: Record<string, State>;
  TimeoutSeconds?: number;
  Comment?: string;
}
export type State = Record<string, unknown> & { Type: string };

const COMMON = ['Type', 'Comment', 'QueryLanguage'];
const FLOW = ['Next', 'End'];
const IO = ['InputPath', 'OutputPath'];
const RESULT = ['Parameters', 'ResultSelector', 'ResultPath'];
const ERRORS = ['Retry', 'Catch'];

const FIELDS: Record<string, string[]> = {
  Pass: [...FLOW, ...IO, 'Parameters', 'ResultPath', 'Result'],
  Task: [...FLOW, ...IO, ...RESULT, ...ERRORS, 'Resource', 'TimeoutSeconds', 'TimeoutSecondsPath', 'HeartbeatSeconds', 'HeartbeatSecondsPath'],
  Choice: [...IO, 'Choices', 'Default'],
  Wait: [...FLOW, ...IO, 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'],
  Succeed: [...IO],
  Fail: ['Error', 'ErrorPath', 'Cause', 'CausePath'],
  Parallel: [...FLOW, ...IO, ...RESULT, ...ERRORS, 'Branches'],
  Map: [...FLOW, ...IO, ...RESULT, ...ERRORS, 'ItemsPath', 'ItemSelector', 'MaxConcurrency', 'MaxConcurrencyPath', 'ItemProcessor', 'Iterator'],
};

/** Fields of JSONata mode, variables and distributed Map, named so the error says why. */
const UNSUPPORTED: Record<string, string> = {
  Assign: 'variables (Assign) are not supported locally',
  Output: "'Output' belongs to JSONata, which is not supported locally",
  Arguments: "'Arguments' belongs to JSONata, which is not supported locally",
  Variables: 'variables are not supported locally',
  Items: "'Items' belongs to JSONata, which is not supported locally",
  Condition: "'Condition' belongs to JSONata, which is not supported locally",
  ItemReader: 'distributed Map (ItemReader) is not supported locally',
  ResultWriter: 'distributed Map (ResultWriter) is not supported locally',
  ItemBatcher: 'distributed Map (ItemBatcher) is not supported locally',
  ToleratedFailurePercentage: 'distributed Map (ToleratedFailurePercentage) is not supported locally',
  ToleratedFailurePercentagePath: 'distributed Map (ToleratedFailurePercentagePath) is not supported locally',
  ToleratedFailureCount: 'distributed Map (ToleratedFailureCount) is not supported locally',
  ToleratedFailureCountPath: 'distributed Map (ToleratedFailureCountPath) is not supported locally',
  Label: 'distributed Map (Label) is not supported locally',
  Credentials: 'cross-account Credentials are not supported locally',
};

const RETRY_FIELDS = new Set(['ErrorEquals', 'IntervalSeconds', 'MaxAttempts', 'BackoffRate', 'MaxDelaySeconds', 'JitterStrategy', 'Comment']);
const CATCH_FIELDS = new Set(['ErrorEquals', 'Next', 'ResultPath', 'Comment']);

export class InvalidDefinitionError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid State Machine Definition: '${problems.join(', ')}'`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validateDefinition(definition: unknown): StateMachineDefinition {
  const problems: string[] = [];
  const report = (where: string, problem: string) => problems.push(`${problem} at ${where}`);
  if (!isObject(definition)) throw new InvalidDefinitionError(['the definition is not a JSON object']);
  const top = new Set(['StartAt', 'States', 'Comment', 'Version', 'TimeoutSeconds', 'QueryLanguage']);
  for (const key of Object.keys(definition)) {
    if (!top.has(key)) report('/', UNSUPPORTED[key] ?? `unknown field '${key}'`);
  }
  checkQueryLanguage(definition, '/', report);
  checkMachine(definition, '', report);
  if (problems.length > 0) throw new InvalidDefinitionError(problems);
  return definition as unknown as StateMachineDefinition;
}

type Report = (where: string, problem: string) => void;

function checkQueryLanguage(node: Record<string, unknown>, where: string, report: Report): void {
  if (node.QueryLanguage !== undefined && node.QueryLanguage !== 'JSONPath') {
    report(`${where}QueryLanguage`, `QueryLanguage '${String(node.QueryLanguage)}' is not supported locally (only JSONPath)`);
  }
}

function checkMachine(machine: Record<string, unknown>, prefix: string, report: Report): void {
  const states = machine.States;
  if (!isObject(states) || Object.keys(states).length === 0) return report(`${prefix}/States`, 'States must be a non-empty object');
  if (typeof machine.StartAt !== 'string' || !(machine.StartAt in states)) {
    report(`${prefix}/StartAt`, `StartAt '${String(machine.StartAt)}' is not a state`);
  }
  const exists = (name: unknown) => typeof name === 'string' && name in states;
  for (const [name, state] of Object.entries(states)) {
    const where = `${prefix}/States/${name}`;
    if (!isObject(state)) {
      report(where, 'a state must be an object');
      continue;
    }
    checkState(name, state, where, exists, report);
  }
}

function checkState(name: string, state: Record<string, unknown>, where: string, exists: (n: unknown) => boolean, report: Report): void {
  const type = String(state.Type);
  const allowed = FIELDS[type];
  if (!allowed) return report(`${where}/Type`, `unknown state type '${type}'`);
  checkQueryLanguage(state, `${where}/`, report);
  for (const key of Object.keys(state)) {
    if (!COMMON.includes(key) && !allowed.includes(key)) report(`${where}/${key}`, UNSUPPORTED[key] ?? `field '${key}' is not valid in a ${type} state`);
  }
  if (allowed.includes('Next')) {
    if (state.End === true && state.Next !== undefined) report(where, 'a state cannot have both Next and End');
    else if (state.End !== true && !exists(state.Next)) report(`${where}/Next`, `Next '${String(state.Next)}' is not a state`);
  }
  for (const field of ['InputPath', 'OutputPath', 'ResultPath', 'ItemsPath', 'SecondsPath', 'TimestampPath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath', 'MaxConcurrencyPath']) {
    checkPath(state[field], `${where}/${field}`, report);
  }
  for (const field of ['Parameters', 'ResultSelector', 'ItemSelector']) checkTemplate(state[field], `${where}/${field}`, report);
  for (const field of ['ErrorPath', 'CausePath']) {
    const value = state[field];
    if (typeof value === 'string' && isIntrinsic(value)) checkIntrinsic(value, `${where}/${field}`, report);
    else checkPath(value, `${where}/${field}`, report);
  }
  checkErrors(state, where, exists, report);
  switch (type) {
    case 'Task': {
      const parsed = typeof state.Resource === 'string' ? parseResource(state.Resource) : 'Resource must be a string';
      if (typeof parsed === 'string') report(`${where}/Resource`, parsed);
      if (state.TimeoutSeconds !== undefined && state.TimeoutSecondsPath !== undefined) report(where, 'TimeoutSeconds and TimeoutSecondsPath are exclusive');
      if (state.HeartbeatSeconds !== undefined && state.HeartbeatSecondsPath !== undefined) report(where, 'HeartbeatSeconds and HeartbeatSecondsPath are exclusive');
      break;
    }
    case 'Choice':
      checkChoice(state, where, exists, report);
      break;
    case 'Wait': {
      const given = ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'].filter((f) => state[f] !== undefined);
      if (given.length !== 1) report(where, 'a Wait state needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath');
      break;
    }
    case 'Parallel':
      if (!Array.isArray(state.Branches) || state.Branches.length === 0) report(`${where}/Branches`, 'Branches must be a non-empty array');
      else state.Branches.forEach((branch, i) => checkSubMachine(branch, `${where}/Branches/${i}`, report));
      break;
    case 'Map': {
      const processor = state.ItemProcessor ?? state.Iterator;
      const field = state.ItemProcessor ? 'ItemProcessor' : 'Iterator';
      if (state.ItemProcessor && state.Iterator) report(where, 'ItemProcessor and Iterator are exclusive');
      if (state.ItemSelector && state.Parameters) report(where, 'ItemSelector and Parameters are exclusive');
      if (!processor) report(where, 'a Map state needs an ItemProcessor');
      else checkSubMachine(processor, `${where}/${field}`, report);
      break;
    }
  }
}

function checkSubMachine(machine: unknown, where: string, report: Report): void {
  if (!isObject(machine)) return report(where, 'must be an object');
  for (const key of Object.keys(machine)) {
    if (!['StartAt', 'States', 'Comment', 'ProcessorConfig'].includes(key)) report(`${where}/${key}`, UNSUPPORTED[key] ?? `unknown field '${key}'`);
  }
  const config = machine.ProcessorConfig;
  if (isObject(config) && config.Mode !== undefined && config.Mode !== 'INLINE') {
    report(`${where}/ProcessorConfig/Mode`, `Map mode '${String(config.Mode)}' is not supported locally (only INLINE)`);
  }
  checkMachine(machine, where, report);
}

function checkErrors(state: Record<string, unknown>, where: string, exists: (n: unknown) => boolean, report: Report): void {
  const lists: [string, Set<string>][] = [['Retry', RETRY_FIELDS], ['Catch', CATCH_FIELDS]];
  for (const [field, fields] of lists) {
    const list = state[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      report(`${where}/${field}`, `${field} must be an array`);
      continue;
    }
    list.forEach((entry: unknown, i) => {
      const at = `${where}/${field}/${i}`;
      if (!isObject(entry)) return report(at, 'must be an object');
      for (const key of Object.keys(entry)) if (!fields.has(key)) report(`${at}/${key}`, UNSUPPORTED[key] ?? `unknown field '${key}'`);
      if (!Array.isArray(entry.ErrorEquals) || entry.ErrorEquals.length === 0) report(`${at}/ErrorEquals`, 'ErrorEquals must be a non-empty array');
      if (field === 'Catch' && !exists(entry.Next)) report(`${at}/Next`, `Next '${String(entry.Next)}' is not a state`);
      if (field === 'Catch') checkPath(entry.ResultPath, `${at}/ResultPath`, report);
      if (entry.JitterStrategy !== undefined && entry.JitterStrategy !== 'FULL' && entry.JitterStrategy !== 'NONE') {
        report(`${at}/JitterStrategy`, 'JitterStrategy must be FULL or NONE');
      }
    });
  }
}

function checkChoice(state: Record<string, unknown>, where: string, exists: (n: unknown) => boolean, report: Report): void {
  if (!Array.isArray(state.Choices) || state.Choices.length === 0) return report(`${where}/Choices`, 'Choices must be a non-empty array');
  if (state.Default !== undefined && !exists(state.Default)) report(`${where}/Default`, `Default '${String(state.Default)}' is not a state`);
  state.Choices.forEach((rule: unknown, i) => {
    const at = `${where}/Choices/${i}`;
    if (isObject(rule) && !exists(rule.Next)) report(`${at}/Next`, `Next '${String(rule.Next)}' is not a state`);
    checkRule(rule, at, true, report);
  });
}

function checkRule(rule: unknown, where: string, top: boolean, report: Report): void {
  if (!isObject(rule)) return report(where, 'a choice rule must be an object');
  const keys = Object.keys(rule).filter((k) => k !== 'Comment' && !(top && k === 'Next'));
  const bad = keys.filter((k) => !CHOICE_OPERATORS.has(k) && !['Variable', 'And', 'Or', 'Not'].includes(k));
  for (const key of bad) report(`${where}/${key}`, UNSUPPORTED[key] ?? `unknown choice operator '${key}'`);
  if (bad.length > 0) return;
  if (Array.isArray(rule.And) || Array.isArray(rule.Or)) {
    const list = (rule.And ?? rule.Or) as unknown[];
    list.forEach((r, i) => checkRule(r, `${where}/${rule.And ? 'And' : 'Or'}/${i}`, false, report));
    return;
  }
  if (rule.Not !== undefined) return checkRule(rule.Not, `${where}/Not`, false, report);
  const operators = keys.filter((k) => CHOICE_OPERATORS.has(k));
  if (operators.length !== 1) return report(where, 'a choice rule needs exactly one comparison operator');
  checkPath(rule.Variable, `${where}/Variable`, report, true);
  if (operators[0]!.endsWith('Path')) checkPath(rule[operators[0]!], `${where}/${operators[0]}`, report, true);
}

function checkPath(value: unknown, where: string, report: Report, required = false): void {
  if (value === undefined && !required) return;
  if (value === null && !required) return;
  if (typeof value !== 'string') return report(where, 'must be a JSONPath string');
  try {
    parseAslPath(value);
  } catch (error) {
    report(where, (error as Error).message);
  }
}

function checkIntrinsic(value: string, where: string, report: Report): void {
  try {
    parseIntrinsic(value);
  } catch (error) {
    report(where, (error as Error).message);
  }
}

function checkTemplate(template: unknown, where: string, report: Report): void {
  if (Array.isArray(template)) return template.forEach((item, i) => checkTemplate(item, `${where}/${i}`, report));
  if (!isObject(template)) return;
  for (const [key, value] of Object.entries(template)) {
    if (!key.endsWith('.$')) checkTemplate(value, `${where}/${key}`, report);
    else if (typeof value !== 'string') report(`${where}/${key}`, 'a .$ field must be a JSONPath or an intrinsic function');
    else if (isIntrinsic(value)) checkIntrinsic(value, `${where}/${key}`, report);
    else checkPath(value, `${where}/${key}`, report, true);
  }
}
