import { evaluateJsonPath, JsonPathError, parseJsonPath, type JsonPath } from '../common/json-path';
import { StatesError, STATES, runtimeError } from './states-errors';

/**
 * ASL's reading and writing of JSONPaths (the runtime's one JSONPath, ../common/json-path.ts): `$` is
 * the state's input, `$$` the context object; what fails fails as on AWS, with a States error.
 */

/** Parses a path of a definition; a malformed one is a States.Runtime error. */
export function parseAslPath(path: string): JsonPath {
  try {
    return parseJsonPath(path);
  } catch (error) {
    if (error instanceof JsonPathError) throw runtimeError(error.message);
    throw error;
  }
}

function select(path: string, input: unknown, context: unknown): unknown {
  parseAslPath(path);
  return evaluateJsonPath(path, input, context ?? {});
}

/** The value at `path`; a definite path that selects nothing is a States.Runtime error, as on AWS. */
export function readPath(path: string, input: unknown, context?: unknown): unknown {
  const value = select(path, input, context);
  if (value === undefined) throw runtimeError(`The JSONPath '${path}' could not be found in the input '${JSON.stringify(input)}'`);
  return value;
}

export function hasPath(path: string, input: unknown, context?: unknown): boolean {
  return select(path, input, context) !== undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `input` with `value` placed at the reference path `path` (ResultPath): intermediate objects are
 * created; a path that runs through a non-object fails as on AWS (States.Runtime).
 */
export function writePath(path: string, input: unknown, value: unknown): unknown {
  const parsed = parseAslPath(path);
  if (parsed.context) throw runtimeError(`ResultPath '${path}' cannot point into the context object`);
  if (parsed.segments.length === 0) return value;
  const root = structuredClone(input ?? {});
  let node: unknown = root;
  parsed.segments.forEach((segment, i) => {
    const last = i === parsed.segments.length - 1;
    if (segment.kind === 'name' && isObject(node)) {
      if (last) node[segment.name] = value;
      else {
        if (node[segment.name] === undefined) node[segment.name] = {};
        node = node[segment.name];
      }
    } else if (segment.kind === 'index' && Array.isArray(node) && segment.index >= 0 && segment.index < node.length) {
      if (last) node[segment.index] = value;
      else node = node[segment.index];
    } else {
      throw new StatesError(STATES.ResultPathMatchFailure, `Unable to apply ResultPath '${path}' to input '${JSON.stringify(input)}'`);
    }
  });
  return root;
}
