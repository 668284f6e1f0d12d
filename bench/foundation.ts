import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startLocalRuntime, type LocalRuntime } from '../local/runtime';
import { seedDemoData } from '../local/seed/demo-data';
import { DEFAULT_CDK_OUT, PROJECT_ROOT, synthesize } from '../local/synth';
import { RECORD_RESOURCES, ROUTES, type RouteSpec } from '../schemas/api/routes';
import { figure, fixed1, median, pad, padStart, progress, report, type Benchmark } from './support';

/**
 * The foundation benchmark: what every handler costs before it does any work, and what one API read
 * costs in DynamoDB requests.
 *
 *  a. bundle size of each handler's index.mjs (as deployed: minified, AWS SDK external);
 *  b. import time of each bundle in fresh Node processes with a Lambda's environment, against a
 *     baseline bundle that holds only the AWS SDK clients that handler uses (so the overhead is what
 *     our code and its other dependencies add on top of the SDK, which Lambda provides anyway);
 *  c. DynamoDB requests per read route, counted at the local edge, against the demo data.
 */

const TARGET_BUNDLE_KB = 400;
const TARGET_OVERHEAD_PCT = 25;
const TARGET_REQUESTS_PER_READ = 1;
const CACHE_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'tradeflow-bench');
/** The banner every handler bundle carries (see infra/constructs/crm-function.ts); baselines get it too. */
const REQUIRE_BANNER = "import { createRequire as __createRequire } from 'module'; const require = __createRequire(import.meta.url);";

interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

interface HandlerBundle {
  handler: string;
  logicalId: string;
  file: string;
  bytes: number;
  env: Record<string, string>;
  /** AWS SDK packages the bundle imports, with the names it imports from each */
  sdkImports: Map<string, Set<string>>;
}

const normalize = (text: string) => text.replace(/[^A-Za-z0-9]/g, '').toLowerCase();

/** The route handler a function serves: from its construct path when synth kept it, else its logical id. */
function handlerName(logicalId: string, resource: TemplateResource, handlers: string[]): string {
  const cdkPath = resource.Metadata?.['aws:cdk:path'];
  if (typeof cdkPath === 'string') {
    const segment = /\/Http\/([^/]+)\/Function\/Resource$/.exec(cdkPath)?.[1];
    const byPath = segment && handlers.find((h) => `Api-${h.split('/')[0]}` === segment);
    if (byPath) return byPath;
  }
  const stem = /^(.*)Function[0-9A-F]{8}$/.exec(logicalId)?.[1] ?? logicalId;
  const byId = handlers.find((h) => normalize(`Http${h}`) === normalize(stem));
  return byId ?? logicalId;
}

/** A template value as a string the way a deployed function would see it (refs become placeholder names). */
function envValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'Ref' in value) return `bench-${String((value as { Ref: unknown }).Ref)}`;
  return JSON.stringify(value);
}

/** `import{A as b,C}from"@aws-sdk/x"`, `import * as m from`, `import("…")`, `require("…")` in a minified bundle. */
export function sdkImportsOf(source: string): Map<string, Set<string>> {
  const imports = new Map<string, Set<string>>();
  const add = (pkg: string, names: string[]) => {
    const set = imports.get(pkg) ?? new Set<string>();
    for (const name of names) set.add(name);
    imports.set(pkg, set);
  };
  const staticImport = /import\s*((?:[\w$]+\s*,\s*)?\{[^}]*\}|\*\s*as\s+[\w$]+|[\w$]+)\s*from\s*["'](@aws-sdk\/[^"']+)["']/g;
  for (const match of source.matchAll(staticImport)) {
    const clause = match[1]!;
    const named = /\{([^}]*)\}/.exec(clause)?.[1];
    const names = named
      ? named.split(',').map((part) => part.trim().split(/\s+as\s+/)[0]!.trim()).filter(Boolean)
      : [];
    add(match[2]!, names);
  }
  for (const match of source.matchAll(/(?:\bimport|\brequire)\(\s*["'](@aws-sdk\/[^"']+)["']\s*\)/g)) add(match[1]!, []);
  return imports;
}

function loadHandlers(cdkOut: string): HandlerBundle[] {
  const template = JSON.parse(readFileSync(path.join(cdkOut, 'Tradeflow.template.json'), 'utf8')) as {
    Resources: Record<string, TemplateResource>;
  };
  const routeHandlers = [...new Set(ROUTES.map((r) => `${r.operation.split('/')[0]}/api`))];
  const bundles: HandlerBundle[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (typeof assetPath !== 'string') continue; // inline code (custom resources), not one of ours
    const file = path.join(cdkOut, assetPath, 'index.mjs');
    if (!existsSync(file)) continue;
    const properties = resource.Properties ?? {};
    const variables = ((properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables) ?? {};
    const runtime = String(properties.Runtime ?? 'nodejs22.x');
    const name = handlerName(logicalId, resource, routeHandlers);
    const tracing = (properties.TracingConfig as { Mode?: string } | undefined)?.Mode === 'Active';
    // What Lambda itself puts in a function's environment (and the local runtime mirrors), then the template's.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      LAMBDA_TASK_ROOT: path.dirname(file),
      AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: `Tradeflow-${logicalId}`,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(properties.MemorySize ?? 128),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/Tradeflow-${logicalId}`,
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]bench',
      _HANDLER: String(properties.Handler ?? 'index.handler'),
      AWS_ACCESS_KEY_ID: 'AKIDBENCHMARK',
      AWS_SECRET_ACCESS_KEY: 'bench-secret',
      AWS_SESSION_TOKEN: 'bench-session',
      ...(tracing
        ? { AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR', AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000', _AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129', _AWS_XRAY_DAEMON_PORT: '2000' }
        : {}),
      ...Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, envValue(v)])),
    };
    bundles.push({ handler: name, logicalId, file, bytes: statSync(file).size, env, sdkImports: sdkImportsOf(readFileSync(file, 'utf8')) });
  }
  return bundles.sort((a, b) => a.handler.localeCompare(b.handler));
}

const kb = (bytes: number) => bytes / 1024;

/** Which packages a handler's bundle is made of: rebuilt from source with the deploy settings and a metafile. */
async function composition(handler: string, top = 8): Promise<string[]> {
  const entry = path.join(PROJECT_ROOT, 'functions', `${handler}.ts`);
  if (!existsSync(entry)) return [`(no source at functions/${handler}.ts)`];
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

// ---------------------------------------------------------------------------------------------- a.

async function measureBundles(bundles: HandlerBundle[]): Promise<void> {
  report('bundle size of index.mjs per handler (minified, AWS SDK external; 1 KB = 1024 B)');
  for (const b of bundles) {
    const sdk = [...b.sdkImports.keys()].join(', ') || 'no AWS SDK';
    report(`${pad(b.handler, 34)} ${padStart(fixed1(kb(b.bytes)), 7)} KB   ${sdk}`);
  }
  const largest = bundles.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  figure('bundle-max-kb', fixed1(kb(largest.bytes)), 'KB');
  report(`target: <= ${TARGET_BUNDLE_KB} KB per bundle -> ${kb(largest.bytes) <= TARGET_BUNDLE_KB ? 'met' : 'MISSED'} (largest: ${largest.handler})`);
  report(`what ${largest.handler} is made of (esbuild metafile, top packages by output bytes):`);
  for (const line of await composition(largest.handler)) report(`    ${line}`);
  report();
}

// ---------------------------------------------------------------------------------------------- b.

/** A bundle holding only the AWS SDK clients a handler uses, built like the handler; cached by content. */
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

/** Milliseconds from `import()` to its settling, in a fresh node process with the given environment. */
function importMs(file: string, env: Record<string, string>): Promise<number> {
  const script = `const t=process.hrtime.bigint(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { env, cwd: path.dirname(file), timeout: 60_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`import of ${file} failed: ${error.message}\n${stderr.slice(-2000)}`));
        const last = stdout.trim().split('\n').pop() ?? '';
        const ms = Number(last);
        if (!Number.isFinite(ms)) return reject(new Error(`import of ${file} printed no time: ${stdout.slice(-500)}`));
        resolve(ms);
      });
  });
}

interface ImportResult {
  handler: string;
  handlerMs: number;
  baselineMs: number;
  overheadPct: number;
  baseline: string;
  usesSdk: boolean;
}

async function measureImports(bundles: HandlerBundle[], runs: number): Promise<ImportResult[]> {
  mkdirSync(CACHE_DIR, { recursive: true });
  report(`import time per handler: median of ${runs} fresh node processes each (Lambda environment, NODE_OPTIONS from the template),`);
  report('handler and baseline runs alternating (ABBA); baseline = a bundle of only the AWS SDK clients that handler uses');
  report(`${pad('handler', 34)} ${padStart('handler', 9)} ${padStart('baseline', 9)} ${padStart('overhead', 9)}   baseline holds`);
  const results: ImportResult[] = [];
  for (const [index, b] of bundles.entries()) {
    const baseline = await baselineBundle(b.sdkImports);
    const handlerTimes: number[] = [];
    const baselineTimes: number[] = [];
    // one unrecorded pair warms the page cache for both files
    await importMs(b.file, b.env);
    await importMs(baseline.file, b.env);
    for (let run = 0; run < runs; run++) {
      if (run % 2 === 0) {
        handlerTimes.push(await importMs(b.file, b.env));
        baselineTimes.push(await importMs(baseline.file, b.env));
      } else {
        baselineTimes.push(await importMs(baseline.file, b.env));
        handlerTimes.push(await importMs(b.file, b.env));
      }
    }
    const handlerMs = median(handlerTimes);
    const baselineMs = median(baselineTimes);
    const result: ImportResult = {
      handler: b.handler, handlerMs, baselineMs, overheadPct: ((handlerMs - baselineMs) / baselineMs) * 100,
      baseline: baseline.label, usesSdk: b.sdkImports.size > 0,
    };
    results.push(result);
    progress(`imports ${index + 1}/${bundles.length}: ${b.handler}`);
    report(`${pad(b.handler, 34)} ${padStart(fixed1(handlerMs), 6)} ms ${padStart(fixed1(baselineMs), 6)} ms ${padStart(fixed1(result.overheadPct), 7)} %   ${baseline.label}${result.usesSdk ? '' : ' (node startup floor; not in the max)'}`);
  }
  const withSdk = results.filter((r) => r.usesSdk);
  const withoutSdk = results.filter((r) => !r.usesSdk);
  const worst = withSdk.reduce<ImportResult | undefined>((a, r) => (!a || r.overheadPct > a.overheadPct ? r : a), undefined);
  const slowest = results.reduce((a, r) => (r.handlerMs > a.handlerMs ? r : a));
  if (worst) figure('import-overhead-pct-max', fixed1(worst.overheadPct), '%');
  report(`target: <= ${TARGET_OVERHEAD_PCT} % over the SDK-only baseline -> ${worst && worst.overheadPct <= TARGET_OVERHEAD_PCT ? 'met' : 'MISSED'}`
    + `${worst ? ` (worst: ${worst.handler}, ${fixed1(worst.handlerMs)} ms vs ${fixed1(worst.baselineMs)} ms)` : ''}`);
  for (const r of withoutSdk) {
    report(`not in the max (no AWS SDK import, baseline is an empty bundle): ${r.handler} +${fixed1(r.handlerMs - r.baselineMs)} ms, ${fixed1(r.overheadPct)} % over the node startup floor`);
  }
  figure('import-ms-median-max', fixed1(slowest.handlerMs), 'ms');
  report(`(slowest median import of all ${results.length} handlers: ${slowest.handler})`);
  if (worst) {
    report(`what ${worst.handler} is made of (esbuild metafile, top packages by output bytes):`);
    for (const line of await composition(worst.handler)) report(`    ${line}`);
  }
  report();
  return results;
}

// ---------------------------------------------------------------------------------------------- c.

const totalOf = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

function diffOf(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const diff: Record<string, number> = {};
  for (const [op, n] of Object.entries(after)) if (n - (before[op] ?? 0) > 0) diff[op] = n - (before[op] ?? 0);
  return diff;
}

interface Call {
  status: number;
  body: unknown;
  text: string;
  requests: number;
  operations: Record<string, number>;
}

async function counted(runtime: LocalRuntime, token: string, urlPath: string): Promise<Call> {
  const before = runtime.edgeRequestCounts();
  const response = await fetch(`${runtime.apiUrl}${urlPath}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  const after = runtime.edgeRequestCounts();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text, requests: totalOf(after) - totalOf(before), operations: diffOf(before, after) };
}

const opsText = (ops: Record<string, number>) => Object.entries(ops).map(([op, n]) => `${op} ${n}`).join(', ') || 'none';

async function measureReads(cdkOut: string): Promise<void> {
  const readRoutes = ROUTES.filter((r) => r.method === 'GET' && r.auth === 'jwt')
    .sort((a, b) => Number(a.path.includes('{')) - Number(b.path.includes('{')));
  progress('starting the local runtime (in memory, free ports)...');
  const runtime = await startLocalRuntime({ cdkOut, ports: { api: 0, edge: 0, dynamodb: 0 }, log: progress });
  try {
    progress('loading the demo data...');
    await seedDemoData(runtime, runtime.dynamoDbEndpoint, runtime.tableName, LOCAL_REGION, LOCAL_CREDENTIALS);
    const token = await runtime.tokenFor('admin');
    report('DynamoDB requests per API read (admin; counted at the edge; a first, cold call of the same request precedes each measured call)');
    report(`${pad('request', 62)} status  requests  operations (cold call)`);
    const ids = new Map<string, string>(); // first path segment -> an id from its list
    const measured: { label: string; requests: number }[] = [];
    const errors: string[] = [];
    const measure = async (label: string, urlPath: string): Promise<Call> => {
      const cold = await counted(runtime, token, urlPath);
      const call = await counted(runtime, token, urlPath);
      if (call.status !== 200) {
        errors.push(label);
        report(`ERROR ${pad(label, 56)} ${call.status}: ${call.text.slice(0, 300)}`);
      } else {
        measured.push({ label, requests: call.requests });
        report(`${pad(label, 62)} ${padStart(String(call.status), 6)}  ${padStart(String(call.requests), 8)}  ${opsText(call.operations)}`
          + ` (cold: ${cold.requests}${cold.status !== 200 ? `, status ${cold.status}` : ''})`);
      }
      return call;
    };
    for (const route of readRoutes as RouteSpec[]) {
      const segment = route.path.split('/')[1] ?? '';
      if (!route.path.includes('{')) {
        const call = await measure(`GET ${route.path}`, route.path);
        const items = (call.body as { items?: Record<string, unknown>[] } | undefined)?.items ?? [];
        const id = items.find((item) => typeof item.id === 'string')?.id;
        if (typeof id === 'string') ids.set(segment, id);
        // every list filter is one index: measure each with a value the demo data has
        const resource = RECORD_RESOURCES.find((r) => `/${r.def.plural}` === route.path);
        for (const filter of resource?.filters ?? []) {
          const value = items.map((item) => item[filter]).find((v) => typeof v === 'string');
          if (typeof value !== 'string') {
            report(`${pad(`GET ${route.path}?${filter}=…`, 62)} skipped: no item of the first page has a ${filter}`);
            continue;
          }
          await measure(`GET ${route.path}?${filter}=${value}`, `${route.path}?${filter}=${encodeURIComponent(value)}`);
        }
        continue;
      }
      const id = ids.get(segment);
      if (!id) {
        errors.push(`GET ${route.path}`);
        report(`ERROR GET ${route.path}: no ${segment} id (its list returned none)`);
        continue;
      }
      await measure(`GET ${route.path}`.replace('{id}', id), route.path.replace('{id}', encodeURIComponent(id)));
    }
    const most = measured.reduce<{ label: string; requests: number } | undefined>((a, m) => (!a || m.requests > a.requests ? m : a), undefined);
    if (most) figure('ddb-requests-per-read-max', most.requests, most.requests === 1 ? 'request' : 'requests');
    report(`target: ${TARGET_REQUESTS_PER_READ} DynamoDB request per read -> ${most && most.requests <= TARGET_REQUESTS_PER_READ ? 'met' : 'MISSED'}`
      + `${most ? ` (most: ${most.label}, ${most.requests})` : ''}; ${measured.length} reads measured, ${errors.length} errors`);
    if (errors.length > 0) report(`errors (not in the figure): ${errors.join('; ')}`);
  } finally {
    progress('stopping the local runtime...');
    await runtime.stop();
  }
}

// ------------------------------------------------------------------------------------------------

/**
 * Synthesizes (or reuses) cdk.out and measures a private copy of it: a synth that someone else starts
 * meanwhile replaces cdk.out's asset folders, which would pull the files out from under a long run.
 * The copy stays inside the project (node_modules/.cache), so the bundles' `@aws-sdk/*` still resolve.
 */
async function snapshotAssembly(): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const { reused } = await synthesize(DEFAULT_CDK_OUT, progress);
    progress(reused ? 'cdk.out is up to date' : 'synthesized cdk.out');
    mkdirSync(CACHE_DIR, { recursive: true });
    const copy = mkdtempSync(path.join(CACHE_DIR, 'cdk.out-'));
    try {
      cpSync(DEFAULT_CDK_OUT, copy, { recursive: true });
      if (existsSync(path.join(copy, 'Tradeflow.template.json'))) return copy;
      throw new Error('cdk.out had no template');
    } catch (error) {
      rmSync(copy, { recursive: true, force: true });
      if (attempt >= 3) throw error;
      progress(`cdk.out changed while being copied (${error instanceof Error ? error.message : String(error)}); again`);
    }
  }
}

export const foundation: Benchmark = {
  name: 'foundation',
  description: 'handler bundle size, import overhead over the AWS SDK, DynamoDB requests per API read',
  async run() {
    const runs = Math.max(1, Number.parseInt(process.env.BENCH_RUNS ?? '15', 10) || 15);
    const cdkOut = await snapshotAssembly();
    try {
      const bundles = loadHandlers(cdkOut);
      if (bundles.length === 0) throw new Error(`no bundled functions in ${cdkOut}`);
      progress(`${bundles.length} handler bundles`);
      await measureBundles(bundles);
      await measureImports(bundles, runs);
      await measureReads(cdkOut);
      report(`targets: bundle <= ${TARGET_BUNDLE_KB} KB, import overhead <= ${TARGET_OVERHEAD_PCT} %, ${TARGET_REQUESTS_PER_READ} DynamoDB request per read`);
    } finally {
      rmSync(cdkOut, { recursive: true, force: true });
    }
  },
};
