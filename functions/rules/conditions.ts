import type { Condition, ConditionScalar, FieldCondition } from '../../schemas/conditions';
import { CONDITION_LIMITS, isForbiddenSegment, parseIsoInstant } from '../../schemas/conditions';

/*
 * Evaluates a condition (schemas/conditions.ts) against a subject (a record, a lead, an event detail).
 * Pure, no eval, no prototype access, and total in the subject: whatever shape the subject has, the
 * answer is true or false, never an exception. Validate the condition itself with ConditionSchema when
 * the policy or sequence is saved; a condition that is not a Condition makes these functions throw.
 *
 * Semantics
 * - Reading a field: `field` is a dotted path; each segment reads an OWN DATA property of a plain
 *   object (getters are never run, inherited properties are never seen) or, in an array, an element by
 *   its index ("items.0.sku"). Segments `__proto__`, `constructor`, `prototype` and `__*` read nothing.
 *   A path that does not resolve, or resolves to undefined or null, is MISSING (null counts as missing).
 * - eq: strict equality of one scalar, case-sensitive for text, no type coercion (5 is not "5"); a
 *   missing field equals only `null`. Arrays and objects are never equal to anything.
 * - ne, notIn, notExists are the exact negations of eq, in, exists: a missing field is `ne` every
 *   value but null and `notIn` every list. Write {all: [{exists}, {ne}]} to require a value.
 * - gt/gte/lt/lte with a number: the field must be a number (no "50" strings). With an ISO date or
 *   date-time: the field must be a string that parses as one (see parseIsoInstant); two date-times
 *   compare as instants to the millisecond; if either side is a date-only YYYY-MM-DD, both compare as
 *   UTC calendar days, so `lte 2026-01-31` includes all of 31 January (UTC). Anything else: false.
 * - in: the field is a scalar strictly equal to one of the values (an array field is not "in" a list;
 *   use {any: [{contains}, ...]} for that).
 * - contains: array field: some element strictly equals the value; text field and text value:
 *   substring, case-sensitive. Anything else: false.
 * - startsWith: text field starts with the text value, case-sensitive.
 * - exists: the field is not missing. Groups: all = every member, any = some member, not = negation.
 */

type Outcome = { found: false } | { found: true; value: unknown };
const MISSING: Outcome = { found: false };
const ARRAY_INDEX = /^(0|[1-9][0-9]{0,8})$/;
const MS_PER_DAY = 86_400_000;

const isGroupOrTest = (condition: unknown): condition is Record<string, unknown> => typeof condition === 'object' && condition !== null;

/** A plain copy of an array's own elements, so that testing it later cannot run a getter or a trap. */
const copyArray = (array: unknown[]): unknown[] => {
  const length = Object.getOwnPropertyDescriptor(array, 'length')?.value;
  const copy: unknown[] = [];
  for (let index = 0; typeof length === 'number' && index < length; index += 1) {
    const descriptor = Object.getOwnPropertyDescriptor(array, index);
    copy.push(descriptor && 'value' in descriptor ? descriptor.value : undefined);
  }
  return copy;
};

/** Reads a dotted path from the subject, own data properties only; never throws. */
const readField = (subject: unknown, path: string): Outcome => {
  try {
    let current: unknown = subject;
    for (const segment of path.split('.')) {
      if (isForbiddenSegment(segment) || typeof current !== 'object' || current === null) return MISSING;
      if (Array.isArray(current) && !ARRAY_INDEX.test(segment)) return MISSING;
      const descriptor = Object.getOwnPropertyDescriptor(current, segment);
      if (!descriptor || !('value' in descriptor)) return MISSING;
      current = descriptor.value;
    }
    if (current === undefined || current === null) return MISSING;
    return { found: true, value: Array.isArray(current) ? copyArray(current) : current };
  } catch {
    return MISSING; // a Proxy or otherwise exotic subject that refuses to be read has no such field
  }
};

type Ordering = 'number' | 'date';

/** -1/0/1 when the two compare under the value's ordering; undefined when the field does not fit. */
const compare = (actual: unknown, expected: number | string): { ordering: Ordering; sign?: number } => {
  if (typeof expected === 'number') {
    return { ordering: 'number', sign: typeof actual === 'number' && !Number.isNaN(actual) ? Math.sign(actual - expected) : undefined };
  }
  const right = parseIsoInstant(expected);
  const left = typeof actual === 'string' ? parseIsoInstant(actual) : undefined;
  if (!left || !right) return { ordering: 'date' };
  const byDay = left.dateOnly || right.dateOnly;
  const [a, b] = byDay ? [Math.floor(left.epochMs / MS_PER_DAY), Math.floor(right.epochMs / MS_PER_DAY)] : [left.epochMs, right.epochMs];
  return { ordering: 'date', sign: Math.sign(a - b) };
};

const isScalar = (value: unknown): value is ConditionScalar =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

const testField = (test: FieldCondition, outcome: Outcome): boolean => {
  const actual = outcome.found ? outcome.value : undefined;
  switch (test.op) {
    case 'eq':
      return test.value === null ? !outcome.found : isScalar(actual) && actual === test.value;
    case 'ne':
      return !testField({ ...test, op: 'eq' }, outcome);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const { sign } = compare(actual, test.value);
      if (sign === undefined) return false;
      return test.op === 'gt' ? sign > 0 : test.op === 'gte' ? sign >= 0 : test.op === 'lt' ? sign < 0 : sign <= 0;
    }
    case 'in':
      return isScalar(actual) && test.value.some((candidate) => candidate === actual);
    case 'notIn':
      return !testField({ ...test, op: 'in' }, outcome);
    case 'contains':
      if (Array.isArray(actual)) return actual.some((element) => element === test.value);
      return typeof actual === 'string' && typeof test.value === 'string' && actual.includes(test.value);
    case 'startsWith':
      return typeof actual === 'string' && typeof test.value === 'string' && actual.startsWith(test.value);
    case 'exists':
      return outcome.found;
    case 'notExists':
      return !outcome.found;
    default:
      throw new TypeError(`not a condition operator: ${String((test as { op: unknown }).op)}`);
  }
};

const tooDeep = () => new TypeError(`condition nests deeper than ${CONDITION_LIMITS.maxDepth} levels; validate it with ConditionSchema`);

const evaluateAt = (condition: Condition, subject: unknown, depth: number): boolean => {
  if (depth > CONDITION_LIMITS.maxDepth) throw tooDeep();
  if (!isGroupOrTest(condition)) throw new TypeError('not a condition; validate it with ConditionSchema');
  if ('all' in condition) return condition.all.every((member) => evaluateAt(member, subject, depth + 1));
  if ('any' in condition) return condition.any.some((member) => evaluateAt(member, subject, depth + 1));
  if ('not' in condition) return !evaluateAt(condition.not, subject, depth + 1);
  return testField(condition, readField(subject, condition.field));
};

/** Whether the subject satisfies the condition. Never throws because of the subject. */
export const evaluateCondition = (condition: Condition, subject: unknown): boolean => evaluateAt(condition, subject, 1);

// ---------------------------------------------------------------------------------------------------
// Explanations, for "why did this step not apply / why was this lead not enrolled?"

export interface ConditionExplanation {
  result: boolean;
  /**
   * Plain sentences, one per field test that decided the result: for a failed all-group the tests that
   * failed, for a passed any-group the tests that passed, for a failed any-group one sentence
   * "none of these held: ...", for a passed all-group every test.
   */
  reasons: string[];
}

const MAX_TEXT_SHOWN = 80;
const MAX_ITEMS_SHOWN = 5;
const MAX_VALUES_LISTED = 10;

const showScalar = (value: unknown): string => {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > MAX_TEXT_SHOWN ? `${value.slice(0, MAX_TEXT_SHOWN)}…` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'empty';
  return Array.isArray(value) ? '[…]' : '{…}';
};

/** A subject value as a user would read it; arrays show their first elements. */
const show = (value: unknown): string => {
  try {
    if (!Array.isArray(value)) return showScalar(value);
    const shown = value.slice(0, MAX_ITEMS_SHOWN).map(showScalar);
    const more = value.length - shown.length;
    return `[${shown.join(', ')}${more > 0 ? `, and ${more} more` : ''}]`;
  } catch {
    return 'unreadable';
  }
};

const showList = (values: readonly ConditionScalar[]): string => {
  const shown = values.slice(0, MAX_VALUES_LISTED).map(showScalar).join(', ');
  return values.length > MAX_VALUES_LISTED ? `${shown} and ${values.length - MAX_VALUES_LISTED} more` : shown;
};

const RELATION: Record<Ordering, Record<'gt' | 'gte' | 'lt' | 'lte', string>> = {
  number: { gt: '>', gte: '>=', lt: '<', lte: '<=' },
  date: { gt: 'after', gte: 'on or after', lt: 'before', lte: 'on or before' },
};

const describeField = (test: FieldCondition, outcome: Outcome, passed: boolean): string => {
  const field = test.field;
  const actual = outcome.found ? outcome.value : undefined;
  const is = outcome.found ? `${field} is ${show(actual)}` : `${field} is missing`;
  switch (test.op) {
    case 'eq':
      if (test.value === null) return passed ? is : `${is}, not empty`;
      return passed ? is : `${is}, not ${showScalar(test.value)}`;
    case 'ne':
      if (test.value === null) return passed ? `${is}, not empty` : `${is}, but must have a value`;
      return passed ? `${is}, not ${showScalar(test.value)}` : `${is}, which is excluded`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const { ordering, sign } = compare(actual, test.value);
      const relation = `${RELATION[ordering][test.op]} ${ordering === 'date' ? String(test.value) : showScalar(test.value)}`;
      if (passed) return `${is}, which is ${relation}`;
      if (outcome.found && sign === undefined) return `${is}, not a ${ordering}, so not ${relation}`;
      return `${is}, not ${relation}`;
    }
    case 'in':
      return passed ? `${is}, one of ${showList(test.value)}` : `${is}, not one of ${showList(test.value)}`;
    case 'notIn':
      return passed ? `${is}, not one of ${showList(test.value)}` : `${is}, which is one of the excluded values ${showList(test.value)}`;
    case 'contains':
      if (passed) return `${field} contains ${showScalar(test.value)}`;
      if (outcome.found && !Array.isArray(actual) && typeof actual !== 'string') return `${is}, not text or a list, so it does not contain ${showScalar(test.value)}`;
      return `${is}, which does not contain ${showScalar(test.value)}`;
    case 'startsWith':
      if (passed) return `${is}, which starts with ${showScalar(test.value)}`;
      if (outcome.found && typeof actual !== 'string') return `${is}, not text, so it does not start with ${showScalar(test.value)}`;
      return `${is}, which does not start with ${showScalar(test.value)}`;
    case 'exists':
      return passed ? `${field} has a value (${show(actual)})` : is;
    case 'notExists':
      return passed ? is : `${is}, but must be missing`;
    default:
      throw new TypeError(`not a condition operator: ${String((test as { op: unknown }).op)}`);
  }
};

const joined = (reasons: string[]): string => (reasons.length > 1 ? `(${reasons.join(' and ')})` : (reasons[0] ?? ''));

const explainAt = (condition: Condition, subject: unknown, depth: number): ConditionExplanation => {
  if (depth > CONDITION_LIMITS.maxDepth) throw tooDeep();
  if (!isGroupOrTest(condition)) throw new TypeError('not a condition; validate it with ConditionSchema');
  if ('all' in condition) {
    const members = condition.all.map((member) => explainAt(member, subject, depth + 1));
    const result = members.every((member) => member.result);
    return { result, reasons: members.filter((member) => member.result === result).flatMap((member) => member.reasons) };
  }
  if ('any' in condition) {
    const members = condition.any.map((member) => explainAt(member, subject, depth + 1));
    const result = members.some((member) => member.result);
    if (result) return { result, reasons: members.filter((member) => member.result).flatMap((member) => member.reasons) };
    if (members.length === 1) return { result, reasons: members[0]?.reasons ?? [] };
    return { result, reasons: [`none of these held: ${members.map((member) => joined(member.reasons)).join('; ')}`] };
  }
  if ('not' in condition) {
    const inner = explainAt(condition.not, subject, depth + 1);
    return inner.result ? { result: false, reasons: [`excluded because ${inner.reasons.join(' and ')}`] } : { result: true, reasons: inner.reasons };
  }
  const outcome = readField(subject, condition.field);
  const result = testField(condition, outcome);
  return { result, reasons: [describeField(condition, outcome, result)] };
};

/**
 * The result and why, in words a user can read ("amount.amountMinor is 45000, not >= 50000").
 * `result` always equals evaluateCondition(condition, subject). Never throws because of the subject.
 */
export const explainCondition = (condition: Condition, subject: unknown): ConditionExplanation => explainAt(condition, subject, 1);
