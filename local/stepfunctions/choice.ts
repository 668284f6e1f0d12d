import { readPath, hasPath } from './asl-paths';

/** Choice rules (JSONPath mode): comparisons, their `...Path` forms, type tests, And/Or/Not. */
export type ChoiceRule = Record<string, unknown>;

const COMPARATORS = ['Equals', 'LessThan', 'GreaterThan', 'LessThanEquals', 'GreaterThanEquals'] as const;
type Comparator = (typeof COMPARATORS)[number];
const KINDS = ['String', 'Numeric', 'Timestamp', 'Boolean'] as const;
type Kind = (typeof KINDS)[number];

const TYPE_TESTS = ['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'] as const;

// RFC 3339 as Step Functions accepts it: date, 'T', time, optional fraction, 'Z' or an offset
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export const isTimestamp = (v: unknown): v is string => typeof v === 'string' && TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v));

/** Every operator name a rule may use, for CreateStateMachine's validation. */
export const CHOICE_OPERATORS: ReadonlySet<string> = new Set([
  ...KINDS.flatMap((kind) => COMPARATORS.filter((c) => kind !== 'Boolean' || c === 'Equals').flatMap((c) => [`${kind}${c}`, `${kind}${c}Path`])),
  ...TYPE_TESTS,
  'StringMatches',
]);

function typeOk(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'String':
      return typeof v === 'string';
    case 'Numeric':
      return typeof v === 'number';
    case 'Boolean':
      return typeof v === 'boolean';
    case 'Timestamp':
      return isTimestamp(v);
  }
}

function compare(kind: Kind, comparator: Comparator, a: unknown, b: unknown): boolean {
  if (!typeOk(kind, a) || !typeOk(kind, b)) return false;
  const [x, y] = kind === 'Timestamp' ? [Date.parse(a as string), Date.parse(b as string)] : [a as never, b as never];
  switch (comparator) {
    case 'Equals':
      return x === y;
    case 'LessThan':
      return x < y;
    case 'GreaterThan':
      return x > y;
    case 'LessThanEquals':
      return x <= y;
    case 'GreaterThanEquals':
      return x >= y;
  }
}

/** `*` matches any run of characters; `\*` is a literal star. */
export function stringMatches(value: string, pattern: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) regex += escapeRegex(pattern[++i]!);
    else regex += c === '*' ? '.*' : escapeRegex(c);
  }
  return new RegExp(`^${regex}$`, 's').test(value);
}

const escapeRegex = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function evaluateRule(rule: ChoiceRule, input: unknown, context: unknown): boolean {
  if (Array.isArray(rule.And)) return (rule.And as ChoiceRule[]).every((r) => evaluateRule(r, input, context));
  if (Array.isArray(rule.Or)) return (rule.Or as ChoiceRule[]).some((r) => evaluateRule(r, input, context));
  if (rule.Not) return !evaluateRule(rule.Not as ChoiceRule, input, context);

  const variable = String(rule.Variable);
  const operator = Object.keys(rule).find((key) => CHOICE_OPERATORS.has(key));
  if (!operator) throw new Error(`Choice rule has no operator: ${JSON.stringify(rule)}`);
  const operand = rule[operator];
  if (operator === 'IsPresent') return hasPath(variable, input, context) === operand;
  const value = readPath(variable, input, context);
  switch (operator) {
    case 'IsNull':
      return (value === null) === operand;
    case 'IsNumeric':
      return (typeof value === 'number') === operand;
    case 'IsString':
      return (typeof value === 'string') === operand;
    case 'IsBoolean':
      return (typeof value === 'boolean') === operand;
    case 'IsTimestamp':
      return isTimestamp(value) === operand;
    case 'StringMatches':
      return typeof value === 'string' && stringMatches(value, String(operand));
  }
  const byPath = operator.endsWith('Path');
  const name = byPath ? operator.slice(0, -4) : operator;
  const kind = KINDS.find((k) => name.startsWith(k))!;
  const comparator = name.slice(kind.length) as Comparator;
  const other = byPath ? readPath(String(operand), input, context) : operand;
  return compare(kind, comparator, value, other);
}
