/**
 * Route keys and route selection as API Gateway HTTP APIs do them: the most specific path wins
 * (literal segment over `{param}` over `{greedy+}`, compared left to right), then an explicit method over
 * `ANY`, and `$default` catches whatever nothing else matched.
 */

export type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

export interface RoutePattern {
  routeKey: string;
  /** 'GET', 'POST', ..., 'ANY', or '$default' */
  method: string;
  segments: Segment[];
}

export interface RouteMatch<R extends RoutePattern> {
  route: R;
  pathParameters: Record<string, string>;
}

export function parseRouteKey(routeKey: string): { method: string; segments: Segment[] } {
  if (routeKey === '$default') return { method: '$default', segments: [] };
  const match = /^([A-Z]+) (\/\S*)$/.exec(routeKey);
  if (!match) throw new Error(`invalid route key "${routeKey}": expected "METHOD /path" or "$default"`);
  const [, method = '', path = ''] = match;
  const parts = path === '/' ? [] : path.slice(1).split('/');
  const segments = parts.map((part, index): Segment => {
    const variable = /^\{([^{}]+?)(\+?)\}$/.exec(part);
    if (!variable) return { kind: 'literal', value: part };
    const [, name = '', greedy] = variable;
    if (greedy && index !== parts.length - 1) throw new Error(`invalid route key "${routeKey}": {${name}+} must be the last segment`);
    return { kind: greedy ? 'greedy' : 'param', name };
  });
  return { method, segments };
}

export function matchRoute<R extends RoutePattern>(routes: readonly R[], method: string, rawPath: string): RouteMatch<R> | undefined {
  const requestSegments = rawPath === '/' ? [] : rawPath.replace(/^\//, '').split('/');
  let best: RouteMatch<R> | undefined;
  for (const route of routes) {
    if (route.method === '$default' || (route.method !== 'ANY' && route.method !== method)) continue;
    const pathParameters = matchSegments(route.segments, requestSegments);
    if (pathParameters && (!best || compareSpecificity(route, best.route) > 0)) best = { route, pathParameters };
  }
  if (best) return best;
  const fallback = routes.find((route) => route.method === '$default');
  return fallback && { route: fallback, pathParameters: {} };
}

function matchSegments(pattern: Segment[], request: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [index, segment] of pattern.entries()) {
    const value = request[index];
    if (segment.kind === 'greedy') {
      const rest = request.slice(index);
      if (rest.length === 0 || rest.every((part) => part === '')) return undefined;
      params[segment.name] = rest.map(decodeSegment).join('/');
      return params;
    }
    if (value === undefined) return undefined;
    if (segment.kind === 'literal') {
      if (decodeSegment(value) !== segment.value) return undefined;
    } else {
      if (value === '') return undefined;
      params[segment.name] = decodeSegment(value);
    }
  }
  return pattern.length === request.length ? params : undefined;
}

const RANK = { literal: 2, param: 1, greedy: 0 } as const;
const rank = (segment: Segment | undefined) => (segment ? RANK[segment.kind] : -1);

/** > 0 when `a` is more specific than `b`. */
function compareSpecificity(a: RoutePattern, b: RoutePattern): number {
  const length = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const difference = rank(a.segments[i]) - rank(b.segments[i]);
    if (difference !== 0) return difference;
  }
  return Number(a.method !== 'ANY') - Number(b.method !== 'ANY');
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
