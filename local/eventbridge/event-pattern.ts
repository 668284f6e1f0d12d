import { compileCidr } from './cidr';

/**
 * EventBridge's event-pattern language: a pattern is a JSON object whose keys follow the event's
 * fields; a nested object matches a nested object, and an array lists the values (or operators) a
 * leaf field may match, any one of which suffices. Fields are ANDed, `$or` ORs sub-patterns.
 *
 * Semantics kept from EventBridge:
 * - a leaf is any non-object value: string, number, boolean, null; an array in the event matches when
 *   any of its elements matches, and an array of objects when any one element matches the sub-pattern;
 * - exact values match by JSON type: `"5"` never matches 5; numbers compare by value (300 = 300.0);
 * - prefix, suffix, equals-ignore-case, wildcard and cidr only match strings, numeric only numbers;
 * - anything-but matches a present value that matches none of its operands (never an absent field);
 * - exists works on leaves: `{"exists": true}` needs at least one leaf value there (null counts; an
 *   object or an empty array does not), `{"exists": false}` matches when there is none.
 */

export class InvalidEventPatternError extends Error {
  readonly code = 'InvalidEventPatternException';
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = 'InvalidEventPatternError';
  }
}

type Leaf = string | number | boolean | null;
type LeafTest = (value: Leaf) => boolean;
type Matcher = { exists: boolean } | { test: LeafTest };

interface ObjectNode {
  fields: [string, ObjectNode | Matcher[]][];
  /** each entry is one `$or`: at least one of its alternatives must match */
  ors: ObjectNode[][];
}

export type EventMatcher = (event: unknown) => boolean;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const lower = (s: string) => s.toLowerCase();

/** Parses (when given text), validates and compiles a pattern; throws InvalidEventPatternError. */
export function compileEventPattern(pattern: unknown): EventMatcher {
  let parsed = pattern;
  if (typeof pattern === 'string') {
    try {
      parsed = JSON.parse(pattern);
    } catch (error) {
      throw new InvalidEventPatternError(`the pattern is not valid JSON (${(error as Error).message})`);
    }
  }
  if (!isPlainObject(parsed)) throw new InvalidEventPatternError('the pattern must be a JSON object');
  const root = compileObject(parsed, '');
  return (event) => matchObject(root, event);
}

export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  return compileEventPattern(pattern)(event);
}

/** Throws InvalidEventPatternError when the pattern is not valid. */
export function validateEventPattern(pattern: unknown): void {
  compileEventPattern(pattern);
}

// ---- compiling ----

function compileObject(pattern: Record<string, unknown>, path: string): ObjectNode {
  const keys = Object.keys(pattern);
  if (keys.length === 0) throw new InvalidEventPatternError(`${path ? `"${path}"` : 'the pattern'} has no fields to match`);
  const node: ObjectNode = { fields: [], ors: [] };
  for (const key of keys) {
    const value = pattern[key];
    const at = path ? `${path}.${key}` : key;
    if (key === '$or' && Array.isArray(value) && value.every(isPlainObject)) {
      if (value.length < 2) throw new InvalidEventPatternError(`"$or" at "${path || '(root)'}" needs at least two alternatives`);
      node.ors.push(value.map((alternative, i) => compileObject(alternative, `${at}[${i}]`)));
    } else if (isPlainObject(value)) {
      node.fields.push([key, compileObject(value, at)]);
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw new InvalidEventPatternError(`"${at}" is an empty array: list at least one value to match`);
      node.fields.push([key, value.map((item) => compileMatcher(item, at))]);
    } else {
      throw new InvalidEventPatternError(`"${at}" must be an object or an array, not ${JSON.stringify(value)}`);
    }
  }
  return node;
}

function compileMatcher(item: unknown, path: string): Matcher {
  if (item === null || typeof item === 'string' || typeof item === 'boolean') return { test: (v) => v === item };
  if (typeof item === 'number') return { test: (v) => typeof v === 'number' && v === item };
  if (Array.isArray(item)) throw new InvalidEventPatternError(`"${path}": nested arrays are not allowed in a list of values`);
  if (!isPlainObject(item)) throw new InvalidEventPatternError(`"${path}": unsupported value ${JSON.stringify(item)}`);
  const keys = Object.keys(item);
  if (keys.length !== 1) {
    throw new InvalidEventPatternError(`"${path}": an operator object has exactly one key, got ${JSON.stringify(keys)}`);
  }
  const operator = keys[0]!;
  const operand = item[operator];
  const fail = (why: string) => new InvalidEventPatternError(`"${path}": ${operator} ${why}`);
  switch (operator) {
    case 'exists':
      if (typeof operand !== 'boolean') throw fail('must be true or false');
      return { exists: operand };
    case 'prefix':
    case 'suffix':
      return { test: affixTest(operator, operand, fail) };
    case 'equals-ignore-case': {
      if (typeof operand !== 'string') throw fail('must be a string');
      return { test: (v) => typeof v === 'string' && lower(v) === lower(operand) };
    }
    case 'wildcard': {
      if (typeof operand !== 'string') throw fail('must be a string');
      const regex = wildcardRegex(operand, fail);
      return { test: (v) => typeof v === 'string' && regex.test(v) };
    }
    case 'numeric':
      return { test: numericTest(operand, fail) };
    case 'cidr': {
      const inRange = typeof operand === 'string' ? compileCidr(operand) : undefined;
      if (!inRange) throw fail(`must be an IPv4 or IPv6 CIDR block such as "10.0.0.0/24", got ${JSON.stringify(operand)}`);
      return { test: (v) => typeof v === 'string' && inRange(v) };
    }
    case 'anything-but': {
      const excluded = anythingButTests(operand, fail);
      return { test: (v) => !excluded.some((t) => t(v)) };
    }
    default:
      throw new InvalidEventPatternError(`"${path}": unrecognized match type ${JSON.stringify(operator)}`);
  }
}

type Fail = (why: string) => InvalidEventPatternError;

function affixTest(kind: 'prefix' | 'suffix', operand: unknown, fail: Fail): LeafTest {
  let text = operand;
  let ignoreCase = false;
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') throw fail('takes a string or {"equals-ignore-case": string}');
    text = operand['equals-ignore-case'];
    ignoreCase = true;
  }
  if (typeof text !== 'string') throw fail('must be a string');
  const wanted = ignoreCase ? lower(text) : text;
  return (v) => {
    if (typeof v !== 'string') return false;
    const value = ignoreCase ? lower(v) : v;
    return kind === 'prefix' ? value.startsWith(wanted) : value.endsWith(wanted);
  };
}

/** `*` is any run of characters; `\*` a literal star and `\\` a literal backslash. */
function wildcardRegex(text: string, fail: Fail): RegExp {
  let source = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') throw fail(`has an invalid escape at position ${i}: only \\* and \\\\ are allowed`);
      source += `\\${next}`;
      i++;
    } else if (c === '*') {
      if (text[i + 1] === '*') throw fail(`has consecutive wildcard characters at position ${i}`);
      source += '.*';
    } else {
      source += c.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

const LOWER_BOUNDS: Record<string, (a: number, b: number) => boolean> = { '>': (a, b) => a > b, '>=': (a, b) => a >= b };
const UPPER_BOUNDS: Record<string, (a: number, b: number) => boolean> = { '<': (a, b) => a < b, '<=': (a, b) => a <= b };

/** `["=", 5]`, or at most one lower (`>`, `>=`) and one upper (`<`, `<=`) bound. */
function numericTest(operand: unknown, fail: Fail): LeafTest {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    throw fail('must be a list of operator and number pairs, e.g. [">", 0, "<=", 5]');
  }
  const checks: ((n: number) => boolean)[] = [];
  let lowerBound: number | undefined;
  let upperBound: number | undefined;
  for (let i = 0; i < operand.length; i += 2) {
    const op = operand[i];
    const bound = operand[i + 1];
    if (typeof bound !== 'number' || !Number.isFinite(bound)) throw fail(`needs a number after ${JSON.stringify(op)}`);
    if (op === '=') {
      if (operand.length !== 2) throw fail('"=" cannot be combined with other comparisons');
      checks.push((n) => n === bound);
    } else if (typeof op === 'string' && LOWER_BOUNDS[op]) {
      if (lowerBound !== undefined) throw fail('has two lower bounds');
      lowerBound = bound;
      const compare = LOWER_BOUNDS[op];
      checks.push((n) => compare(n, bound));
    } else if (typeof op === 'string' && UPPER_BOUNDS[op]) {
      if (upperBound !== undefined) throw fail('has two upper bounds');
      upperBound = bound;
      const compare = UPPER_BOUNDS[op];
      checks.push((n) => compare(n, bound));
    } else {
      throw fail(`has an unknown comparison ${JSON.stringify(op)}: use =, <, <=, > or >=`);
    }
  }
  if (lowerBound !== undefined && upperBound !== undefined && lowerBound >= upperBound) {
    throw fail(`range is empty: the lower bound ${lowerBound} is not below the upper bound ${upperBound}`);
  }
  return (v) => typeof v === 'number' && checks.every((check) => check(v));
}

const ANYTHING_BUT_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;

/** The tests a value must all fail for anything-but to match it. */
function anythingButTests(operand: unknown, fail: Fail): LeafTest[] {
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    const operator = keys[0] as (typeof ANYTHING_BUT_OPERATORS)[number];
    if (keys.length !== 1 || !ANYTHING_BUT_OPERATORS.includes(operator)) {
      throw fail(`takes a value, a list, or one of ${ANYTHING_BUT_OPERATORS.map((o) => `{"${o}": ...}`).join(', ')}`);
    }
    const inner = operand[operator];
    const texts = Array.isArray(inner) ? inner : [inner];
    if (texts.length === 0 || !texts.every((t): t is string => typeof t === 'string')) {
      throw fail(`${operator} takes a string or a non-empty list of strings`);
    }
    return texts.map((text) => {
      const compiled = compileMatcher({ [operator]: text }, `anything-but.${operator}`);
      return (compiled as { test: LeafTest }).test;
    });
  }
  const values = Array.isArray(operand) ? operand : [operand];
  if (values.length === 0) throw fail('list must not be empty');
  return values.map((value) => {
    if (typeof value === 'string') return (v: Leaf) => v === value;
    if (typeof value === 'number') return (v: Leaf) => typeof v === 'number' && v === value;
    throw fail(`only takes strings and numbers (null, booleans and objects are not supported), got ${JSON.stringify(value)}`);
  });
}

// ---- matching ----

/** The objects an object pattern applies to at this place: the object itself, or an array's objects. */
function objectsAt(value: unknown): Record<string, unknown>[] {
  if (isPlainObject(value)) return [value];
  if (Array.isArray(value)) return value.flatMap(objectsAt);
  return [];
}

/** The leaf values at this place: none for an absent field or an object, every leaf of an array. */
function leavesAt(value: unknown): Leaf[] {
  if (value === undefined || isPlainObject(value)) return [];
  if (Array.isArray(value)) return value.flatMap(leavesAt);
  return [value as Leaf];
}

function matchObject(node: ObjectNode, value: unknown): boolean {
  const candidates = objectsAt(value);
  // no object here: the fields are all absent, which `exists: false` still matches
  if (candidates.length === 0) return matchFields(node, undefined);
  return candidates.some((candidate) => matchFields(node, candidate));
}

function matchFields(node: ObjectNode, object: Record<string, unknown> | undefined): boolean {
  for (const [key, child] of node.fields) {
    const value = object && Object.hasOwn(object, key) ? object[key] : undefined;
    const matched = Array.isArray(child) ? matchLeaves(child, value) : matchObject(child, value);
    if (!matched) return false;
  }
  return node.ors.every((alternatives) => alternatives.some((alternative) => matchFields(alternative, object)));
}

function matchLeaves(matchers: Matcher[], value: unknown): boolean {
  const leaves = leavesAt(value);
  return matchers.some((matcher) =>
    'exists' in matcher ? matcher.exists === leaves.length > 0 : leaves.some((leaf) => matcher.test(leaf)),
  );
}
