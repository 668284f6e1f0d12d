/**
 * The one JSONPath of the local runtime: EventBridge's InputPath and InputPathsMap, and Step Functions'
 * paths (where `$$` reads the context object instead of the input). After `$` or `$$`: `.name` (names
 * may hold dashes, slashes, ...), `['name']` / `["name"]`, `[n]` (negative counts from the end), `[*]`,
 * `.*` and `[start:end]`. A path with a wildcard or a slice is indefinite: it selects a list. Filters
 * and `..` are not supported.
 */
export type JsonPathSegment =
  | { kind: 'name'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'slice'; start?: number; end?: number };

export interface JsonPath {
  /** `$$`: the path reads the context object */
  context: boolean;
  segments: JsonPathSegment[];
  /** only names and indexes: the path selects one value, not a list */
  definite: boolean;
}

export class JsonPathError extends Error {
  constructor(
    readonly path: string,
    why: string,
  ) {
    super(`Invalid JSONPath '${path}': ${why}`);
    this.name = 'JsonPathError';
  }
}

const parsed = new Map<string, JsonPath>();

export function parseJsonPath(path: string): JsonPath {
  const cached = parsed.get(path);
  if (cached) return cached;
  if (!path.startsWith('$')) throw new JsonPathError(path, "it must start with '$'");
  const context = path.startsWith('$$');
  const segments: JsonPathSegment[] = [];
  let i = context ? 2 : 1;
  while (i < path.length) {
    if (path.startsWith('..', i)) throw new JsonPathError(path, "'..' is not supported locally");
    if (path[i] === '.') {
      const match = /^[^.[\]]+/.exec(path.slice(i + 1));
      if (!match) throw new JsonPathError(path, `expected a name at ${i + 1}`);
      segments.push(match[0] === '*' ? { kind: 'wildcard' } : { kind: 'name', name: match[0] });
      i += 1 + match[0].length;
    } else if (path[i] === '[') {
      const close = closingBracket(path, i);
      if (close < 0) throw new JsonPathError(path, `unclosed '[' at ${i}`);
      segments.push(bracket(path, path.slice(i + 1, close).trim()));
      i = close + 1;
    } else {
      throw new JsonPathError(path, `unexpected '${path[i]}' at ${i}`);
    }
  }
  const result = { context, segments, definite: segments.every((s) => s.kind === 'name' || s.kind === 'index') };
  parsed.set(path, result);
  return result;
}

function closingBracket(path: string, open: number): number {
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

function bracket(path: string, inner: string): JsonPathSegment {
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
  throw new JsonPathError(path, `'[${inner}]' is not supported locally`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function step(values: unknown[], segment: JsonPathSegment): unknown[] {
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

/**
 * What `path` selects in `document` (or in `context` for a `$$` path): a definite path's value, or
 * undefined when it reaches nothing; an indefinite path's list of what it reached (maybe empty).
 */
export function evaluateJsonPath(path: string, document: unknown, context?: unknown): unknown {
  const { context: fromContext, segments, definite } = parseJsonPath(path);
  if (fromContext && context === undefined) throw new JsonPathError(path, "'$$' reads a context object, and there is none here");
  let values = [fromContext ? context : document];
  for (const segment of segments) values = step(values, segment);
  return definite ? values[0] : values;
}
