import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app';

/**
 * Every Task state of every state machine the app synthesizes has a Retry and a Catch (DESIGN decision
 * 6): a transient failure is tried again, a lasting one goes somewhere, and no execution just dies. The
 * definitions are read from the synthesized templates (nested stacks' included), as deployed.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = path.join(ROOT, 'node_modules/.cache/tradeflow-infra-tests');
/** stands in for a token (a function's ARN, the table's name) inside the definition's Fn::Join */
const TOKEN = 'TOKEN';

interface AslState {
  Type: string;
  Retry?: unknown[];
  Catch?: unknown[];
  Branches?: { States: Record<string, AslState> }[];
  ItemProcessor?: { States: Record<string, AslState> };
  Iterator?: { States: Record<string, AslState> };
}
interface StateMachine {
  name: string;
  states: Record<string, AslState>;
}

/** The definition as JSON text: a plain string, or an Fn::Join whose tokens become placeholders. */
function definitionText(definitionString: unknown): string {
  if (typeof definitionString === 'string') return definitionString;
  const join = (definitionString as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (!join) throw new Error(`a DefinitionString neither a string nor an Fn::Join: ${JSON.stringify(definitionString)}`);
  const [separator, parts] = join;
  return parts.map((part) => (typeof part === 'string' ? part : TOKEN)).join(separator);
}

/** Every Task state, at any depth: inside Parallel branches and Map item processors (or iterators) too. */
function taskStates(states: Record<string, AslState>, where: string[] = []): { path: string; state: AslState }[] {
  return Object.entries(states).flatMap(([name, state]) => {
    const at = [...where, name];
    const nested = [
      ...(state.Branches ?? []).flatMap((branch, i) => taskStates(branch.States, [...at, `branch ${i + 1}`])),
      ...[state.ItemProcessor, state.Iterator].flatMap((processor) => (processor ? taskStates(processor.States, at) : [])),
    ];
    return state.Type === 'Task' ? [{ path: at.join(' › '), state }, ...nested] : nested;
  });
}

/** What each Task lacks of Retry and Catch, one line each. */
function lacking(machine: StateMachine): string[] {
  return taskStates(machine.states).flatMap(({ path: where, state }) => [
    ...(state.Retry?.length ? [] : [`${machine.name}: ${where} has no Retry`]),
    ...(state.Catch?.length ? [] : [`${machine.name}: ${where} has no Catch`]),
  ]);
}

let outdir: string;
let machines: StateMachine[];

beforeAll(() => {
  mkdirSync(CACHE, { recursive: true });
  outdir = mkdtempSync(path.join(CACHE, 'cdk.out-tasks-'));
  // the definitions do not depend on the bundles or on cdk-nag: skip both (bundling as `cdk synth
  // --exclusively` skips it for the stacks it does not deploy)
  const saved = { context: process.env.CDK_CONTEXT_JSON, validation: process.env.CDK_VALIDATION };
  process.env.CDK_CONTEXT_JSON = JSON.stringify({ 'aws:cdk:bundling-stacks': [] });
  process.env.CDK_VALIDATION = 'false';
  try {
    buildApp(outdir).app.synth();
  } finally {
    for (const [name, value] of [['CDK_CONTEXT_JSON', saved.context], ['CDK_VALIDATION', saved.validation]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  machines = readdirSync(outdir)
    .filter((file) => file.endsWith('.template.json'))
    .flatMap((file) => {
      const template = JSON.parse(readFileSync(path.join(outdir, file), 'utf8')) as { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
      return Object.entries(template.Resources ?? {})
        .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
        .map(([logicalId, { Properties = {} }]) => ({
          name: typeof Properties.StateMachineName === 'string' ? Properties.StateMachineName : logicalId,
          states: (JSON.parse(definitionText(Properties.DefinitionString)) as { States: Record<string, AslState> }).States,
        }));
    });
}, 240_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the state machines\' Task states', () => {
  it('are found in every state machine of the app', () => {
    expect(machines.length).toBeGreaterThanOrEqual(6);
    for (const machine of machines) expect(taskStates(machine.states).length, machine.name).toBeGreaterThan(0);
  });

  it('each have a Retry and a Catch', () => {
    expect(machines.flatMap(lacking)).toEqual([]);
  });

  it('are looked for inside Parallel branches and Map item processors as well', () => {
    const bare = { Type: 'Task' };
    const handled = { Type: 'Task', Retry: [{ ErrorEquals: ['States.ALL'] }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }] };
    const machine: StateMachine = {
      name: 'made-up',
      states: {
        Top: handled,
        Both: { Type: 'Parallel', Branches: [{ States: { Left: handled } }, { States: { Right: bare } }] },
        Each: { Type: 'Map', ItemProcessor: { States: { Item: { ...handled, Catch: [] } } } },
        Old: { Type: 'Map', Iterator: { States: { Inner: { ...handled, Retry: undefined } } } },
      },
    };
    expect(lacking(machine)).toEqual([
      'made-up: Both › branch 2 › Right has no Retry',
      'made-up: Both › branch 2 › Right has no Catch',
      'made-up: Each › Item has no Catch',
      'made-up: Old › Inner has no Retry',
    ]);
  });
});
