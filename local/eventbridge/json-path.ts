/**
 * The JSONPath subset EventBridge evaluates in InputPath and InputPathsMap: `$`, dot notation (names
 * may hold dashes, slashes, ...), `['name']`, array indices `[0]` and wildcards `[*]` / `.*`.
 * A path with a wildcard gives the list of what it reached; a path that reaches nothing, undefined.
 */

type Step = { name: string } | { index: number } | { wildcard: true };

const STEP = /^(?:\.([^.[\]]+)|\[(\d+)\]|\[\*\]|\['([^']*)'\]|\["([^"]*)"\])/;

export function parseJsonPath(path: string): Step[] {
  if (!path.startsWith('$')) throw new Error(`JSON path ${JSON.stringify(path)} must start with $`);
  const steps: Step[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const match = STEP.exec(rest);
    if (!match) throw new Error(`JSON path ${JSON.stringify(path)} is not supported at ${JSON.stringify(rest)}`);
    const [whole, dotted, index, single, double] = match;
    if (dotted === '*' || whole === '[*]') steps.push({ wildcard: true });
    else if (index !== undefined) steps.push({ index: Number(index) });
    else steps.push({ name: (dotted ?? single ?? double)! });
    rest = rest.slice(whole.length);
  }
  return steps;
}

export function evaluateJsonPath(path: string, document: unknown): unknown {
  const steps = parseJsonPath(path);
  let values: unknown[] = [document];
  let many = false;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of values) {
      if (value === null || typeof value !== 'object') continue;
      if ('wildcard' in step) next.push(...(Array.isArray(value) ? value : Object.values(value)));
      else if ('index' in step) {
        if (Array.isArray(value) && step.index < value.length) next.push(value[step.index]);
      } else if (!Array.isArray(value) && Object.hasOwn(value, step.name)) {
        next.push((value as Record<string, unknown>)[step.name]);
      }
    }
    if ('wildcard' in step) many = true;
    values = next;
  }
  return many ? values : values[0];
}
