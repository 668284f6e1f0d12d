/**
 * What every benchmark shares: the figure line format, progress output and small statistics.
 * Figures go to stdout as `figure <name>: <value> <unit>`, each on a line of its own; tables of
 * per-item results go to stdout too (indented, never starting with "figure"); progress goes to stderr.
 */

export interface Benchmark {
  name: string;
  description: string;
  run(): Promise<void>;
}

/** One figure, on a line of its own: `figure bundle-max-kb: 312.4 KB`. */
export function figure(name: string, value: number | string, unit: string): void {
  process.stdout.write(`figure ${name}: ${value} ${unit}\n`);
}

/** A result line that is not a figure (table rows, targets, notes). */
export function report(line = ''): void {
  process.stdout.write(line === '' ? '\n' : `  ${line}\n`);
}

/** Progress and diagnostics: stderr, so `npm run bench | grep ^figure` sees figures only. */
export function progress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export const round1 = (value: number) => Math.round(value * 10) / 10;

/** A fixed one-decimal rendering (`12.0`, not `12`), so columns and figures read alike. */
export const fixed1 = (value: number) => round1(value).toFixed(1);

export const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));
export const padStart = (text: string, width: number) => (text.length >= width ? text : ' '.repeat(width - text.length) + text);
