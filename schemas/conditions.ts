import * as z from './zod';
import { numberProblem } from './json-limits';

/*
 * Conditions: the small, safe expression form that approval policies (a step's "optional condition on
 * the record") and nurture sequences (enrolment and exit conditions) use to test a subject's fields.
 * A condition is data, never code: a field test `{ field, op, value }` or a group `{ all: [...] }`,
 * `{ any: [...] }`, `{ not: {...} }`. functions/rules/conditions.ts evaluates and explains them.
 *
 * Limits (CONDITION_LIMITS): the root condition is at depth 1 and each group puts its members one level
 * deeper, so at most 5 levels (4 nested groups around a field test); at most 200 field tests in all; a
 * group has 1-50 members; `in`/`notIn` take 1-100 values; a field path has at most 8 segments.
 * The schema is unrolled to the depth limit rather than recursive through z.lazy, so parsing never
 * recurses deeper than 5 levels whatever the input.
 */

export const CONDITION_OPERATORS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'notIn',
  'contains',
  'startsWith',
  'exists',
  'notExists',
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export const CONDITION_LIMITS = {
  maxDepth: 5,
  maxFieldTests: 200,
  maxGroupMembers: 50,
  maxListValues: 100,
  maxPathSegments: 8,
  maxSegmentLength: 64,
  maxTextLength: 1000,
} as const;

/** A single value a field is compared with. `null` is only accepted by `eq` and `ne`. */
export type ConditionScalar = string | number | boolean;

export type FieldCondition =
  | { field: string; op: 'eq' | 'ne'; value: ConditionScalar | null }
  /** a number, or an ISO date (2026-01-31) / date-time with Z or offset (2026-01-31T09:00:00Z) */
  | { field: string; op: 'gt' | 'gte' | 'lt' | 'lte'; value: number | string }
  | { field: string; op: 'in' | 'notIn'; value: ConditionScalar[] }
  | { field: string; op: 'contains'; value: ConditionScalar }
  | { field: string; op: 'startsWith'; value: string }
  | { field: string; op: 'exists' | 'notExists'; value?: undefined };

export type Condition = FieldCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition };

// ---------------------------------------------------------------------------------------------------
// Field paths

/**
 * Segments that could reach an object's prototype chain (`__proto__`, `constructor`, `prototype`,
 * and anything starting with `__` such as `__defineGetter__`). The schema rejects them; the evaluator
 * also treats them as missing, and reads only own data properties anyway.
 */
export const isForbiddenSegment = (segment: string): boolean =>
  segment === 'constructor' || segment === 'prototype' || segment.startsWith('__');

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Why a field path is unacceptable, in words; undefined when it is fine. */
export const fieldPathProblem = (path: string): string | undefined => {
  const { maxPathSegments, maxSegmentLength } = CONDITION_LIMITS;
  if (path.length === 0) return 'field must not be empty; use a dotted path such as amount.amountMinor';
  if (path.length > maxPathSegments * (maxSegmentLength + 1)) return 'field is too long';
  const segments = path.split('.');
  if (segments.length > maxPathSegments) return `field may have at most ${maxPathSegments} dot-separated parts`;
  for (const segment of segments) {
    if (segment.length === 0) return `field "${path}" has an empty part; use a dotted path such as amount.amountMinor`;
    if (segment.length > maxSegmentLength) return `field parts may be at most ${maxSegmentLength} characters`;
    if (!SEGMENT.test(segment)) return `field part "${segment}" may only use letters, digits, _ and -`;
    if (isForbiddenSegment(segment)) return `field part "${segment}" is not allowed`;
  }
  return undefined;
};

export const FieldPathSchema = z.string().check(
  z.superRefine((path, ctx) => {
    const problem = fieldPathProblem(path);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: path });
  }),
);

// ---------------------------------------------------------------------------------------------------
// ISO dates

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;
const MS_PER_MINUTE = 60_000;

export interface IsoInstant {
  /** milliseconds since the epoch (UTC); a date-only value is midnight UTC of that day */
  epochMs: number;
  /** true for YYYY-MM-DD, which stands for the whole UTC calendar day */
  dateOnly: boolean;
}

/**
 * Reads an ISO 8601 date `YYYY-MM-DD` or date-time `YYYY-MM-DDTHH:MM[:SS[.fraction]]` with `Z` or a
 * `±HH:MM` offset (a date-time without a zone is not a date here: it names no instant). The calendar
 * date must exist (no 2026-02-30); fractions beyond milliseconds are ignored. Undefined otherwise.
 */
export const parseIsoInstant = (text: string): IsoInstant | undefined => {
  if (text.length > 40) return undefined;
  const dateOnly = ISO_DATE.exec(text);
  const dateTime = dateOnly ? undefined : ISO_DATE_TIME.exec(text);
  const parts = dateOnly ?? dateTime;
  if (!parts) return undefined;
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const [hour, minute, second] = dateTime ? [Number(dateTime[4]), Number(dateTime[5]), Number(dateTime[6] ?? 0)] : [0, 0, 0];
  const millis = dateTime?.[7] ? Number(dateTime[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, keeps years 0-99 as written
  if (at.getUTCFullYear() !== year || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day) return undefined;
  at.setUTCHours(hour, minute, second, millis);
  let offsetMinutes = 0;
  const zone = dateTime?.[8];
  if (zone && zone !== 'Z') {
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMins = Number(zone.slice(4, 6));
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return { epochMs: at.getTime() - offsetMinutes * MS_PER_MINUTE, dateOnly: Boolean(dateOnly) };
};

// ---------------------------------------------------------------------------------------------------
// Values per operator

const scalarProblem = (value: unknown, what: string): string | undefined => {
  if (typeof value === 'string') {
    return value.length > CONDITION_LIMITS.maxTextLength ? `text values may be at most ${CONDITION_LIMITS.maxTextLength} characters` : undefined;
  }
  if (typeof value === 'number') return numberProblem(value) && `${what} ${numberProblem(value)}`;
  if (typeof value === 'boolean') return undefined;
  return `${what} must be text, a number or true/false`;
};

interface ValueIssue {
  path: (string | number)[];
  message: string;
}

/** Problems with a field test's `value` for its operator, each with its path below the test. */
const valueIssues = (op: ConditionOperator, value: unknown): ValueIssue[] => {
  const at = (message: string, ...path: (string | number)[]): ValueIssue[] => [{ path: ['value', ...path], message }];
  switch (op) {
    case 'eq':
    case 'ne': {
      if (value === undefined) return at(`"${op}" needs a value: text, a number, true/false or null`);
      if (value === null) return [];
      const problem = scalarProblem(value, `"${op}" value`);
      return problem ? at(problem) : [];
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof value === 'number') return numberProblem(value) ? at(`a number ${numberProblem(value)}`) : [];
      if (typeof value === 'string' && parseIsoInstant(value)) return [];
      return at(`"${op}" needs a number or an ISO date such as 2026-01-31 or date-time such as 2026-01-31T09:00:00Z`);
    }
    case 'in':
    case 'notIn': {
      const { maxListValues } = CONDITION_LIMITS;
      if (!Array.isArray(value)) return at(`"${op}" needs a list of values, such as ["North", "East"]`);
      if (value.length === 0) return at(`"${op}" needs at least one value`);
      if (value.length > maxListValues) return at(`"${op}" takes at most ${maxListValues} values; this list has ${value.length}`);
      return value.flatMap((item: unknown, index) => {
        const problem = scalarProblem(item, `"${op}" values`);
        return problem ? at(problem, index) : [];
      });
    }
    case 'contains': {
      if (value === undefined) return at('"contains" needs a value: text, a number or true/false');
      if (value === '') return at('"contains" needs non-empty text');
      const problem = scalarProblem(value, '"contains" value');
      return problem ? at(problem) : [];
    }
    case 'startsWith': {
      if (typeof value !== 'string' || value === '') return at('"startsWith" needs non-empty text');
      const problem = scalarProblem(value, '"startsWith" value');
      return problem ? at(problem) : [];
    }
    case 'exists':
    case 'notExists':
      return value === undefined ? [] : at(`"${op}" takes no value`);
  }
};

// ---------------------------------------------------------------------------------------------------
// The schema

/** What the object schema checks structurally; the form check narrows it to a Condition. */
interface ConditionNode {
  field?: string;
  op?: ConditionOperator;
  value?: unknown;
  all?: ConditionNode[];
  any?: ConditionNode[];
  not?: ConditionNode;
}

// compile-time guard for the cast below: every Condition fits the shape the schema parses
const _conditionFitsTheShape = (condition: Condition): ConditionNode => condition;

const FORM_HINT = 'a condition is either a field test {"field", "op", "value"} or one group {"all": [...]}, {"any": [...]} or {"not": {...}}';

const checkForm = z.superRefine<ConditionNode>((node, ctx) => {
  const isTest = node.field !== undefined || node.op !== undefined || node.value !== undefined;
  const forms = [isTest ? 'field test' : '', ...(['all', 'any', 'not'] as const).filter((key) => node[key] !== undefined)].filter(Boolean);
  if (forms.length === 0) {
    ctx.addIssue({ code: 'custom', message: `empty condition: ${FORM_HINT}`, input: node });
    return;
  }
  if (forms.length > 1) {
    ctx.addIssue({ code: 'custom', message: `${FORM_HINT}, not several at once (found ${forms.join(', ')})`, input: node });
    return;
  }
  if (!isTest) return;
  if (node.field === undefined) ctx.addIssue({ code: 'custom', message: 'a field test needs "field"', path: ['field'], input: node });
  if (node.op === undefined) {
    ctx.addIssue({ code: 'custom', message: `a field test needs "op", one of ${CONDITION_OPERATORS.join(', ')}`, path: ['op'], input: node });
    return;
  }
  for (const issue of valueIssues(node.op, node.value)) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path, input: node.value });
});

const countFieldTests = (node: ConditionNode): number =>
  node.all ? node.all.reduce((sum, member) => sum + countFieldTests(member), 0)
  : node.any ? node.any.reduce((sum, member) => sum + countFieldTests(member), 0)
  : node.not ? countFieldTests(node.not)
  : 1;

const checkSize = z.superRefine<ConditionNode>((node, ctx) => {
  const { maxFieldTests } = CONDITION_LIMITS;
  const count = countFieldTests(node);
  if (count > maxFieldTests) {
    ctx.addIssue({ code: 'custom', message: `a condition may hold at most ${maxFieldTests} field tests; this one has ${count}`, input: node });
  }
});

const notAnObject = (issue: { code: string }) =>
  issue.code === 'invalid_type' ? `${FORM_HINT}, such as {"field": "region", "op": "eq", "value": "North"}` : undefined;

/** The schema of a condition at `level` (the root is level 1); groups are refused at the deepest level. */
const conditionAt = (level: number): z.ZodMiniType<ConditionNode> => {
  const { maxDepth, maxGroupMembers } = CONDITION_LIMITS;
  const tooDeep = z.never(`conditions may nest at most ${maxDepth} levels deep; this group would be level ${level} with its members at ${level + 1}`);
  const member = level < maxDepth ? conditionAt(level + 1) : undefined;
  const members = member
    ? z.array(member).check(
        z.minLength(1, 'a group needs at least one condition'),
        z.maxLength(maxGroupMembers, `a group may hold at most ${maxGroupMembers} conditions`),
      )
    : tooDeep;
  return z
    .strictObject(
      {
        field: z.optional(FieldPathSchema),
        op: z.optional(z.enum(CONDITION_OPERATORS, `op must be one of ${CONDITION_OPERATORS.join(', ')}`)),
        value: z.optional(z.unknown()),
        all: z.optional(members),
        any: z.optional(members),
        not: z.optional(member ?? tooDeep),
      },
      { error: notAnObject },
    )
    .check(checkForm);
};

/**
 * A condition document. Parse with `ConditionSchema.safeParse(input)`: issues carry the path of the
 * bad part (`["all", 2, "value"]`) and a message in words. Unknown keys are refused everywhere.
 */
export const ConditionSchema = conditionAt(1).check(checkSize) as unknown as z.ZodMiniType<Condition, Condition>;
