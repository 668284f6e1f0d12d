import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../local/synth';
import { CACHE_DIR, type FunctionBundle } from './assembly';
import { fixed1, median, pad, padStart, progress, report } from './support';

/**
 * What a function's own code costs at a cold start: the import time of its bundle in fresh Node processes
 * with a Lambda's environment, against a baseline bundle that holds only the AWS SDK clients that bundle
 * imports (so the overhead is what our code and its other dependencies add on top of the SDK, which
 * Lambda provides anyway); and which packages a bundle is made of.
 */

/** The banner every handler bundle carries (see infra/constructs/crm-function.ts); baselines get it too. */
const REQUIRE_BANNER = "import { createRequire as __createRequire } from 'module'; const require = __createRequire(import.meta.url);";

const kb = (bytes: number) => bytes / 1024;

/** Which packages a function's bundle is made of: rebuilt from its source with the deploy settings and a metafile. */
export async function composition(name: string, top = 8): Promise<string[]> {
  const entry = path.join(PROJECT_ROOT, 'functions', `${name}.ts`);
  if (!existsSync(entry)) return [`(no source at functions/${name}.ts)`];
  mkdirSync(CACHE_DIR, { recursive: true });
  const outDir = mkdtempSync(path.join(CACHE_DIR, 'meta-'));
  try {
    const result = await build({
      entryPoints: [entry], outfile: path.join(outDir, 'index.mjs'), bundle: true, platform: 'node', format: 'esm',
      target: 'node22', minify: true, external: ['@aws-sdk/*'], mainFields: ['module', 'main'],
      banner: { js: REQUIRE_BANNER }, metafile: true, logLevel: 'silent', absWorkingDir: PROJECT_ROOT,
    });
    const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
    if (!output) return ['(no output in metafile)'];
    const byPackage = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const at = input.lastIndexOf('node_modules/');
      const parts = (at >= 0 ? input.slice(at + 'node_modules/'.length) : input).split('/');
      const pkg = at >= 0 ? parts.slice(0, parts[0]!.startsWith('@') ? 2 : 1).join('/') : `${parts[0]}/ (ours)`;
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
    }
    return [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([pkg, bytes]) => `${padStart(fixed1(kb(bytes)), 7)} KB  ${pkg}`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** A bundle holding only the AWS SDK clients a function uses, built like the function; cached by content. */
async function baselineBundle(sdkImports: Map<string, Set<string>>): Promise<{ file: string; label: string }> {
  const packages = [...sdkImports.keys()].sort();
  const lines: string[] = [];
  const constructed = new Map<string, string>(); // client class name -> variable
  packages.forEach((pkg, i) => lines.push(`import * as m${i} from ${JSON.stringify(pkg)};`));
  lines.push(`globalThis.__benchTouched = [${packages.map((_, i) => `m${i}`).join(', ')}].map((m) => Object.keys(m).length);`);
  // plain service clients first (new XClient({})), then document clients wrapping them (XDocumentClient.from)
  packages.forEach((pkg, i) => {
    for (const name of [...sdkImports.get(pkg)!].sort()) {
      if (!/^[A-Z][\w$]*Client$/.test(name) || name.endsWith('DocumentClient')) continue;
      const variable = `c${constructed.size}`;
      lines.push(`const ${variable} = new m${i}[${JSON.stringify(name)}]({});`);
      constructed.set(name, variable);
    }
  });
  packages.forEach((pkg, i) => {
    for (const name of [...sdkImports.get(pkg)!].sort()) {
      if (!name.endsWith('DocumentClient')) continue;
      const base = constructed.get(name.replace('DocumentClient', 'Client'));
      if (base) lines.push(`globalThis.__benchDocument = m${i}[${JSON.stringify(name)}].from(${base});`);
    }
  });
  if (constructed.size > 0) lines.push(`globalThis.__benchClients = [${[...constructed.values()].join(', ')}];`);
  if (packages.length === 0) lines.push('export {};');
  const contents = lines.join('\n');
  const dir = path.join(CACHE_DIR, `baseline-${createHash('sha256').update(contents).digest('hex').slice(0, 12)}`);
  const file = path.join(dir, 'index.mjs');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'entry.mjs'), `${contents}\n`);
    await build({
      entryPoints: [path.join(dir, 'entry.mjs')], outfile: file, bundle: true, platform: 'node', format: 'esm',
      target: 'node22', minify: true, external: ['@aws-sdk/*'], banner: { js: REQUIRE_BANNER }, logLevel: 'warning',
    });
  }
  const label = packages.length === 0 ? 'empty bundle' : [...constructed.keys()].concat(
    packages.flatMap((pkg) => [...sdkImports.get(pkg)!].filter((n) => n.endsWith('DocumentClient'))),
  ).join(' + ') || packages.join(' + ');
  return { file, label };
}

interface ImportTime {
  /** from `import()` to its settling */
  wallMs: number;
  /** what the main thread ran meanwhile (/proc/self/schedstat); NaN where /proc does not say */
  cpuMs: number;
}

/** One import of a bundle in a fresh node process with the given environment. */
function importTime(file: string, env: Record<string, string>): Promise<ImportTime> {
  const script = "import { readFileSync } from 'node:fs';"
    + "const ran = () => { try { return Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[0]); } catch { return NaN; } };"
    + `const c = ran(); const t = process.hrtime.bigint(); await import(${JSON.stringify(pathToFileURL(file).href)});`
    + 'const w = Number(process.hrtime.bigint() - t) / 1e6; console.log(w, (ran() - c) / 1e6);';
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { env, cwd: path.dirname(file), timeout: 60_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`import of ${file} failed: ${error.message}\n${stderr.slice(-2000)}`));
        const [wallMs, cpuMs] = (stdout.trim().split('\n').pop() ?? '').split(' ').map(Number);
        if (wallMs === undefined || !Number.isFinite(wallMs)) return reject(new Error(`import of ${file} printed no time: ${stdout.slice(-500)}`));
        resolve({ wallMs, cpuMs: cpuMs ?? Number.NaN });
      });
  });
}

export interface ImportResult {
  name: string;
  /** medians of the measure used (main-thread CPU time where /proc has it, else wall time) */
  handlerMs: number;
  baselineMs: number;
  overheadPct: number;
  /** half the spread between the quartiles of the function's runs, as a share of its median (how steady it was) */
  spreadPct: number;
  /** wall-time medians, for context */
  handlerWallMs: number;
  baselineWallMs: number;
  baseline: string;
  usesSdk: boolean;
}

/** A quartile of a sample (nearest rank). */
const quartile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const spread = (times: number[]) => (quartile(times, 0.75) - quartile(times, 0.25)) / 2 / median(times);

/** What the import measurement may take: rounds until `runs`, or until `budgetMs` has passed after `minRuns`. */
export interface ImportRuns {
  runs: number;
  minRuns: number;
  budgetMs: number;
}

/**
 * Median import times of each bundle and its baseline in fresh node processes. Round by round, every
 * function gets one pair, function and baseline alternating in order (ABBA), so a change in the machine's
 * load falls on all alike, and a round cut short by the time budget leaves every function with as many
 * runs; one unrecorded pair each first warms the page cache. The overhead is taken from the main thread's
 * CPU time (what the import costs on an idle core: on a shared machine the wall time also holds the waits
 * for a core and swings ±20-30 % run to run); wall times are shown beside it. Prints a line per function.
 */
export async function measureImports(bundles: FunctionBundle[], limits: ImportRuns): Promise<ImportResult[]> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const subjects = [];
  for (const b of bundles) {
    const baseline = await baselineBundle(b.sdkImports);
    await importTime(b.file, b.env);
    await importTime(baseline.file, b.env);
    subjects.push({ bundle: b, baseline, handlerTimes: [] as ImportTime[], baselineTimes: [] as ImportTime[] });
  }
  const started = performance.now();
  let rounds = 0;
  while (rounds < limits.runs && (rounds < limits.minRuns || performance.now() - started < limits.budgetMs)) {
    for (const { bundle, baseline, handlerTimes, baselineTimes } of subjects) {
      const pair = [
        async () => handlerTimes.push(await importTime(bundle.file, bundle.env)),
        async () => baselineTimes.push(await importTime(baseline.file, bundle.env)),
      ];
      for (const measure of rounds % 2 === 0 ? pair : pair.reverse()) await measure();
    }
    rounds += 1;
    progress(`imports: round ${rounds} of at most ${limits.runs} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }

  const cpu = subjects.every((s) => [...s.handlerTimes, ...s.baselineTimes].every((t) => Number.isFinite(t.cpuMs)));
  report(`import time per function: median of ${rounds} fresh node processes each${rounds < limits.runs ? ` (${limits.runs} asked; the time budget of ${(limits.budgetMs / 1000).toFixed(0)} s ended it)` : ''},`);
  report('in a Lambda environment with NODE_OPTIONS from the template; function and baseline alternating (ABBA);');
  report('baseline = a bundle of only the AWS SDK clients that function imports');
  report(`overhead from ${cpu ? "the main thread's CPU time (/proc/self/schedstat)" : 'wall time (no /proc/self/schedstat here)'}; ± is half the interquartile range`);
  report('of the noisier of the two, as a share of its median');
  report(`${pad('function', 28)} ${padStart(cpu ? 'function cpu' : 'function', 12)} ${padStart('baseline', 9)} ${padStart('overhead', 9)} ${padStart('±', 6)}`
    + `   ${padStart('wall: function', 14)} ${padStart('baseline', 9)}   baseline holds`);
  const measured = (times: ImportTime[]) => times.map((t) => (cpu ? t.cpuMs : t.wallMs));
  const ms = (value: number, width: number) => `${padStart(fixed1(value), width)} ms`;
  return subjects.map(({ bundle, baseline, handlerTimes, baselineTimes }) => {
    const handlerMs = median(measured(handlerTimes));
    const baselineMs = median(measured(baselineTimes));
    const result: ImportResult = {
      name: bundle.name, handlerMs, baselineMs, overheadPct: ((handlerMs - baselineMs) / baselineMs) * 100,
      spreadPct: Math.max(spread(measured(handlerTimes)), spread(measured(baselineTimes))) * 100,
      handlerWallMs: median(handlerTimes.map((t) => t.wallMs)), baselineWallMs: median(baselineTimes.map((t) => t.wallMs)),
      baseline: baseline.label, usesSdk: bundle.sdkImports.size > 0,
    };
    report(`${pad(bundle.name, 28)} ${ms(handlerMs, 9)} ${ms(baselineMs, 6)} ${padStart(fixed1(result.overheadPct), 7)} % ${padStart(fixed1(result.spreadPct), 4)} %`
      + `   ${ms(result.handlerWallMs, 11)} ${ms(result.baselineWallMs, 6)}   ${baseline.label}${result.usesSdk ? '' : ' (node startup floor; not in the max)'}`);
    return result;
  });
}
