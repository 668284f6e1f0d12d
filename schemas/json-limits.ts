import * as z from './zod';

/*
 * Bounds on free-form JSON (approval subject fields, an inbound event's detail, a dry-run's sample lead),
 * checked before a request is accepted, so that whatever is accepted can be stored and run:
 *   - numbers: DynamoDB's document client refuses numbers beyond ±(2^53 - 1) (JavaScript's exact
 *     integers), and DynamoDB itself non-zero magnitudes below 1e-130;
 *   - nesting: a workflow reads such JSON with JSONPath and the table stores it as nested maps
 *     (DynamoDB allows 32 levels for the whole item); a few levels are all a condition path (8 parts) reads;
 *   - size: a DynamoDB item holds 400 KB and a Step Functions payload 256 KB, and an approval request's
 *     subject is stored on the request, copied onto each of its tasks and carried in its execution's input.
 * The walk is iterative, so a value nested 10,000 levels deep is refused without deep recursion.
 */

export interface JsonLimits {
  /** levels of objects and arrays inside the value ({"a":{"b":1}} has 2) */
  maxDepth: number;
  /** bytes of the value as JSON (UTF-8) */
  maxBytes: number;
}

/** An approval subject's `fields`: a handful of values a policy's conditions test. */
export const SUBJECT_FIELD_LIMITS: JsonLimits = { maxDepth: 8, maxBytes: 16 * 1024 };
/** An inbound event's detail (EventBridge takes 256 KB per PutEvents call; refused ones are kept in quarantine up to 64 KB). */
export const EVENT_DETAIL_LIMITS: JsonLimits = { maxDepth: 8, maxBytes: 64 * 1024 };

const MIN_MAGNITUDE = 1e-130;

/** Why a number cannot be stored exactly; undefined when it can. */
export function numberProblem(value: number): string | undefined {
  if (!Number.isFinite(value)) return 'must be a finite number';
  const magnitude = Math.abs(value);
  if (magnitude > Number.MAX_SAFE_INTEGER || (magnitude !== 0 && magnitude < MIN_MAGNITUDE)) {
    return `must be between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER} (and 0 or at least ${MIN_MAGNITUDE} in size)`;
  }
  return undefined;
}

const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

/** The first way a JSON value breaks the limits, with the path to where; undefined when it is within them. */
export function jsonLimitProblem(value: unknown, limits: JsonLimits): { path: (string | number)[]; message: string } | undefined {
  const pending: { value: unknown; path: (string | number)[]; depth: number }[] = [{ value, path: [], depth: 0 }];
  while (pending.length) {
    const { value: current, path, depth } = pending.pop()!;
    if (typeof current === 'number') {
      const problem = numberProblem(current);
      if (problem) return { path, message: problem };
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > limits.maxDepth) return { path: [], message: `must not be nested more than ${limits.maxDepth} levels deep` };
    const entries: [string | number, unknown][] = Array.isArray(current) ? current.map((item, i) => [i, item]) : Object.entries(current);
    for (const [key, item] of entries) pending.push({ value: item, path: [...path, key], depth: depth + 1 });
  }
  // only now: a value within the depth limit is safe to serialise
  const bytes = new TextEncoder().encode(JSON.stringify(value) ?? '').length;
  if (bytes > limits.maxBytes) return { path: [], message: `must be at most ${kb(limits.maxBytes)} of JSON (this is ${kb(bytes)})` };
  return undefined;
}

/** The limits as words, for the API's documentation. */
export const describeJsonLimits = (limits: JsonLimits) =>
  `Free-form JSON: at most ${kb(limits.maxBytes)}, nested at most ${limits.maxDepth} levels, numbers within ±(2^53 - 1).`;

/** A check that refuses a free-form value beyond the limits, naming where (a 400 names `fields.amount.amountMinor`). */
export const withinJsonLimits = (limits: JsonLimits) => [
  z.superRefine((value: unknown, ctx) => {
    const problem = jsonLimitProblem(value, limits);
    if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message, input: value });
  }),
  z.describe(describeJsonLimits(limits)),
] as const;
