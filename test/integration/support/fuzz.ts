import fc from 'fast-check';
import { createGeneratorSync, type generateSync } from 'json-schema-faker';
import { openApiDocument } from '../../../schemas/api/openapi';

/**
 * Hostile request bodies for every write route of the catalogue, built from the same JSON schemas the
 * OpenAPI document publishes: a plausible body (json-schema-faker, seeded), then that body broken one
 * field at a time: missing, null, the wrong type, huge, deep, odd unicode, negative and fractional money,
 * impossible dates, and a few bodies that are not the right JSON at all.
 */

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[]; type?: unknown; format?: string };

export interface WriteRoute {
  method: string;
  path: string;
  operation: string;
  schema: JsonSchema;
}

export interface FuzzCase {
  route: WriteRoute;
  label: string;
  /** the raw request body, built when it is sent (some are a megabyte): most are JSON of a mutated value, some not JSON at all */
  body(): string;
}

/** Every route that takes a JSON body from a signed-in user (inbound events have their own signature and quarantine). */
export function writeRoutes(): WriteRoute[] {
  const document = openApiDocument() as { paths: Record<string, Record<string, { operationId: string; security: unknown[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>> };
  return Object.entries(document.paths).flatMap(([path, operations]) => Object.entries(operations)
    .filter(([, op]) => op.requestBody && op.security.length > 0 && JSON.stringify(op.security).includes('cognito'))
    .map(([method, op]) => ({ method: method.toUpperCase(), path, operation: op.operationId, schema: op.requestBody!.content['application/json']!.schema })));
}

const deep = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const HUGE = 'x'.repeat(1024 * 1024);
const WEIRD_TEXT = ['', ' ', '\u0000', '\u202eevil', '𝕏𝕐ℤ🙂', '\ud800', 'ä'.repeat(5000), '<script>alert(1)</script>', "'; DROP TABLE x; --"];
const WEIRD_NUMBERS = [-1, 0.5, -0, 1e20, 2 ** 53 + 2, -(2 ** 63), 1e-300];
const IMPOSSIBLE_DATES = ['2026-02-30', '2026-13-01T00:00:00Z', '0000-00-00T00:00:00Z', '2026-11-31T25:61:00Z', 'tomorrow'];
const MONEY = [
  { amountMinor: -100, currency: 'EUR' }, { amountMinor: 0.5, currency: 'EUR' }, { amountMinor: 1e20, currency: 'EUR' },
  { amountMinor: 100, currency: 'XXX' }, { amountMinor: 100, currency: 'eur' }, { amountMinor: '100', currency: 'EUR' },
];

const isMoney = (schema: JsonSchema | undefined) => Boolean(schema?.properties?.amountMinor && schema.properties.currency);
const isDate = (name: string, schema: JsonSchema | undefined) =>
  schema?.format === 'date' || schema?.format === 'date-time' || /(At|Date|From|Until|Start|End)$/.test(name);

/** What one field may be broken into, for its schema and name. */
function brokenValues(name: string, schema: JsonSchema | undefined): [string, unknown][] {
  const values: [string, unknown][] = [['null', null], ['a number for anything', 12345], ['an object for anything', { nested: true }], ['an array for anything', [1, 'two']], ['huge text', HUGE]];
  values.push(...WEIRD_TEXT.map((text, i): [string, unknown] => [`odd text ${i}`, text]));
  values.push(...WEIRD_NUMBERS.map((n): [string, unknown] => [`number ${n}`, n]));
  if (isMoney(schema)) values.push(...MONEY.map((money): [string, unknown] => [`money ${JSON.stringify(money)}`, money]));
  if (isDate(name, schema)) values.push(...IMPOSSIBLE_DATES.map((date): [string, unknown] => [`date ${date}`, date]));
  return values;
}

/** Every hostile case for a route; `plausible` is a body of the right shape. */
export function fuzzCases(route: WriteRoute, seed = 1): FuzzCase[] {
  const plausible = createGeneratorSync({ seed, alwaysFakeOptionals: true }).generate(route.schema as Parameters<typeof generateSync>[0]) as Record<string, unknown>;
  const cases: FuzzCase[] = [
    { route, label: 'plausible', body: () => JSON.stringify(plausible) },
    { route, label: 'empty object', body: () => '{}' },
    { route, label: 'null', body: () => 'null' },
    { route, label: 'an array', body: () => '[]' },
    { route, label: 'not JSON', body: () => '{"a":' },
    { route, label: 'nested 10,000 deep', body: () => `{"x":${deep(10_000)}}` },
    { route, label: 'a prototype key', body: () => '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}' },
  ];
  if (plausible && typeof plausible === 'object' && !Array.isArray(plausible)) {
    for (const [name, fieldSchema] of Object.entries(route.schema.properties ?? {})) {
      if (route.schema.required?.includes(name)) {
        const { [name]: _dropped, ...missing } = plausible;
        cases.push({ route, label: `${name} missing`, body: () => JSON.stringify(missing) });
      }
      for (const [label, value] of brokenValues(name, fieldSchema)) {
        cases.push({ route, label: `${name}: ${label}`, body: () => JSON.stringify({ ...plausible, [name]: value }) });
      }
      cases.push({ route, label: `${name} nested 40 deep`, body: () => JSON.stringify({ ...plausible, [name]: JSON.parse(deep(40)) }) });
      cases.push({ route, label: `${name} nested 10,000 deep`, body: () => JSON.stringify({ ...plausible, [name]: null }).replace(`"${name}":null`, `"${name}":${deep(10_000)}`) });
    }
  }
  return cases;
}

/** A repeatable sample of `count` of the items for a seed, so a bounded run tries a different but reproducible subset. */
export const sample = <T>(items: T[], count: number, seed: number): T[] =>
  fc.sample(fc.shuffledSubarray(items, { minLength: Math.min(count, items.length), maxLength: Math.min(count, items.length) }), { seed, numRuns: 1 })[0]!;

export interface FuzzTarget {
  apiUrl: string;
  /** a bearer token of a user who may write everything (so a body is judged on its content, not on its author) */
  token: string;
  allItems(): Promise<Record<string, unknown>[]>;
  untilIdle(): Promise<void>;
}

export interface FuzzOutcome {
  requests: number;
  accepted: number;
  /** cases answered 5xx, or whose connection broke */
  serverErrors: { case: string; status: number; body: string }[];
  /** cases refused (4xx) after which the table had changed */
  partialWrites: { case: string; status: number; changed: string[] }[];
}

const itemKey = (item: Record<string, unknown>) => `${String(item.pk)} | ${String(item.sk)}`;
const snapshot = async (target: FuzzTarget) => new Map((await target.allItems()).map((item) => [itemKey(item), JSON.stringify(item)]));
const changedBetween = (before: Map<string, string>, after: Map<string, string>) =>
  [...new Set([...before.keys(), ...after.keys()])].filter((key) => before.get(key) !== after.get(key));

/** Real ids for the path's parameters, so a body reaches the code past "no such record". */
async function pathFor(route: WriteRoute, target: FuzzTarget): Promise<string> {
  let path = route.path.replace('{action}', 'submit').replace('{taskId}', 'task-1').replace('{token}', 'not-a-token');
  const collection = /^(\/[a-z-]+(?:\/sequences)?)\/\{id\}/.exec(path)?.[1];
  if (collection) {
    const listed = await fetch(`${target.apiUrl}${collection}`, { headers: { authorization: `Bearer ${target.token}` } });
    const items = listed.ok ? ((await listed.json()) as { items?: Record<string, unknown>[] }).items ?? [] : [];
    const first = items[0];
    const id = first ? String(first.id ?? first.sequenceId ?? first.policyId ?? first.requestId ?? 'no-such-id') : 'no-such-id';
    path = path.replace('{id}', encodeURIComponent(id));
  }
  return path;
}

/**
 * Sends each case and checks what a caller must be able to rely on: never a 5xx (or a dropped
 * connection), and a refused request leaves the table as it was (checked once the runtime is idle,
 * so an effect started before the refusal would show).
 */
export async function runFuzz(target: FuzzTarget, cases: FuzzCase[]): Promise<FuzzOutcome> {
  const outcome: FuzzOutcome = { requests: 0, accepted: 0, serverErrors: [], partialWrites: [] };
  const paths = new Map<WriteRoute, string>();
  await target.untilIdle();
  let before = await snapshot(target);
  for (const fuzzCase of cases) {
    const name = `${fuzzCase.route.method} ${fuzzCase.route.path}: ${fuzzCase.label}`;
    if (!paths.has(fuzzCase.route)) paths.set(fuzzCase.route, await pathFor(fuzzCase.route, target));
    outcome.requests++;
    let status = 0;
    let body: string;
    try {
      const response = await fetch(`${target.apiUrl}${paths.get(fuzzCase.route)}`, {
        method: fuzzCase.route.method,
        headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
        body: fuzzCase.body(),
      });
      status = response.status;
      body = (await response.text()).slice(0, 300);
    } catch (error) {
      body = (error as Error).message;
    }
    if (status === 0 || status >= 500) outcome.serverErrors.push({ case: name, status, body });
    await target.untilIdle();
    const after = await snapshot(target);
    if (status >= 400 && status < 500) {
      const changed = changedBetween(before, after);
      if (changed.length > 0) outcome.partialWrites.push({ case: name, status, changed });
    } else if (status >= 200 && status < 300) {
      outcome.accepted++;
    }
    before = after;
  }
  return outcome;
}
