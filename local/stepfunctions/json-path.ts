import { StatesError, STATES, runtimeError } from './errors';

/**
 * The JSONPath ASL uses: `$` (the input) or `$$` (the context object), then `.name`, `['name']`,
 * `[n]` (negative counts from the end), `[*]`, `.*` and `[start:end]`. A path with a wildcard or a
 * slice selects a list. Filters and `..` are not supported and fail as States.Runtime.
 */
export type Segment =
  | { kind: 'name'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'slice'; start?: number; end?: number };

export interface ParsedPath {
  context: boolean;
  segments: Segment[];
  definite: boolean;
}

const cache = new Map<string, ParsedPath>();

export function parsePath(path: string): ParsedPath {
  const cached = cache.get(path);
  if (cached) return cached;
  const context = path.startsWith('$$');
  if (!path.startsWith('$')) throw runtimeError(`Invalid JSONPath '${path}': it must start with '$'`);
  let i = context ? 2 : 1;
  const segments: Segment[] = [];
  const fail = (why: string) => runtimeError(`Invalid JSONPath '${path}': ${why}`);
  while (i < path.length) {
    if (path.startsWith('..', i)) throw fail("'..' is not supported locally");
    if (path[i] === '.') {
      const match = /^[^.[\]]+/.exec(path.slice(i + 1));
      if (!match) throw fail(`expected a name at ${i + 1}`);
      segments.push(match[0] === '*' ? { kind: 'wildcard' } : { kind: 'name', name: match[0] });
      i += 1 + match[0].length;
    } else if (path[i] === '[') {
      const close = findClose(path, i);
      if (close < 0) throw fail(`unclosed '[' at ${i}`);
      segments.push(bracket(path.slice(i + 1, close).trim(), fail));
      i = close + 1;
    } else {
      throw fail(`unexpected '${path[i]}' at ${i}`);
    }
  }
  const parsed = { context, segments, definite: segments.every((s) => s.kind === 'name' || s.kind === 'index') };
  cache.set(path, parsed);
  return parsed;
}

function findClose(path: string, open: number): number {
  let quote: string | undefined;
  for (let i = open + 1; i < path.length; i++) {
    const c = path[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ']') return i;
  }
  return -1;
}

function bracket(inner: string, fail: (why: string) => Error): Segment {
  if (inner === '*') return { kind: 'wildcard' };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  const quoted = /^(['"])(.*)\1$/s.exec(inner);
  if (quoted) return { kind: 'name', name: quoted[2]!.replace(/\\(.)/g, '$1') };
  const slice = /^(-?\d+)?:(-?\d+)?$/.exec(inner);
  if (slice) {
    return {
      kind: 'slice',
      ...(slice[1] !== undefined ? { start: Number(slice[1]) } : {}),
      ...(slice[2] !== undefined ? { end: Number(slice[2]) } : {}),
    };
  }
  throw fail(`'[${inner}]' is not supported locally`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const MISSING = Symbol('missing');

function step(values: unknown[], segment: Segment): unknown[] {
  const out: unknown[] = [];
  for (const value of values) {
    switch (segment.kind) {
      case 'name':
        if (isObject(value) && Object.hasOwn(value, segment.name)) out.push(value[segment.name]);
        break;
      case 'index':
        if (Array.isArray(value)) {
          const index = segment.index < 0 ? value.length + segment.index : segment.index;
          if (index >= 0 && index < value.length) out.push(value[index]);
        }
        break;
      case 'wildcard':
        if (Array.isArray(value)) out.push(...value);
        else if (isObject(value)) out.push(...Object.values(value));
        break;
      case 'slice':
        if (Array.isArray(value)) out.push(...value.slice(segment.start ?? 0, segment.end ?? value.length));
        break;
    }
  }
  return out;
}

function select(path: string, input: unknown, context: unknown): unknown {
  const parsed = parsePath(path);
  let values = [parsed.context ? context : input];
  for (const segment of parsed.segments) values = step(values, segment);
  if (parsed.definite) return values.length === 0 ? MISSING : values[0];
  return values;
}

/** The value at `path`; a definite path that selects nothing is a States.Runtime error, as on AWS. */
export function readPath(path: string, input: unknown, context?: unknown): unknown {
  const value = select(path, input, context);
  if (value === MISSING) throw runtimeError(`The JSONPath '${path}' could not be found in the input '${JSON.stringify(input)}'`);
  return value;
}

export function hasPath(path: string, input: unknown, context?: unknown): boolean {
  return select(path, input, context) !== MISSING;
}

/**
 * `input` with `value` placed at the reference path `path` (ResultPath): intermediate objects are
 * created; a path that runs through a non-object fails as on AWS (States.Runtime).
 */
export function writePath(path: string, input: unknown, value: unknown): unknown {
  const parsed = parsePath(path);
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
