import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadCloudAssembly } from '../local/assembly/cloud-assembly';
import { DEFAULT_CDK_OUT, PROJECT_ROOT, synthesize } from '../local/synth';
import { progress } from './support';

/**
 * The synthesized Tradeflow stack as the foundation benchmark reads it: its resources (and its nested
 * stacks'), the functions behind the HTTP API, and each function's bundle with the environment a deployed
 * function would see. Only the templates and the bundles are read, never the catalogue or infra code, so
 * the same reading works on any commit's cdk.out.
 */

export const CACHE_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'tradeflow-bench');
export const TEMPLATE_FILE = 'Tradeflow.template.json';

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

export interface Template {
  Resources: Record<string, TemplateResource>;
}

export interface FunctionBundle {
  /** the function's source under functions/ (without .ts) when one matches its logical id, else the id's stem */
  name: string;
  logicalId: string;
  /** behind an HTTP API integration */
  api: boolean;
  file: string;
  bytes: number;
  env: Record<string, string>;
  /** AWS SDK packages the bundle imports, with the names it imports from each */
  sdkImports: Map<string, Set<string>>;
}

export const readTemplate = (cdkOut: string) => JSON.parse(readFileSync(path.join(cdkOut, TEMPLATE_FILE), 'utf8')) as Template;

export interface StackTemplates {
  /** the stack's own template (what its budget counts) */
  parent: Template;
  /** each nested stack's own template, by its logical id in the parent */
  nested: { logicalId: string; template: Template }[];
  /** the parent with its nested stacks' resources merged in, as the local runtime reads it */
  merged: Template;
}

/** The Tradeflow stack's templates: its own, each nested stack's, and all of them merged (local/assembly). */
export function readStackTemplates(cdkOut: string): StackTemplates {
  const stack = loadCloudAssembly(cdkOut).stacks.find((s) => path.basename(s.templateFile) === TEMPLATE_FILE);
  if (!stack) throw new Error(`no ${TEMPLATE_FILE} in ${cdkOut}`);
  const asTemplate = (resources: Record<string, TemplateResource> | undefined): Template => ({ Resources: resources ?? {} });
  return {
    parent: readTemplate(cdkOut),
    nested: stack.nestedStacks.map((n) => ({ logicalId: n.logicalId, template: asTemplate(n.template.Resources) })),
    merged: asTemplate(stack.resources),
  };
}

/**
 * The functions behind the HTTP API: every Lambda function that an `AWS::ApiGatewayV2::Integration`'s
 * IntegrationUri names (by `Fn::GetAtt` or `Ref`, however deep in a `Fn::Join`).
 */
export function apiFunctionIds(template: Template): Set<string> {
  const isFunction = (id: unknown): id is string =>
    typeof id === 'string' && template.Resources[id]?.Type === 'AWS::Lambda::Function';
  const ids = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    const named = Array.isArray(record['Fn::GetAtt']) ? (record['Fn::GetAtt'] as unknown[])[0] : record.Ref;
    if (isFunction(named)) ids.add(named);
    Object.values(record).forEach(visit);
  };
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type === 'AWS::ApiGatewayV2::Integration') visit(resource.Properties?.IntegrationUri);
  }
  return ids;
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

const normalize = (text: string) => text.replace(/[^A-Za-z0-9]/g, '').toLowerCase();

/**
 * The source file a function was bundled from, matched by its logical id: `HttpApirecordsFunction…` is
 * functions/records/api.ts, `HttpaccountsgetaccountFunction…` functions/accounts/get-account.ts,
 * `NurtureRunStepFunction…` functions/nurture/run-step.ts. Undefined when none matches.
 */
export function sourceOf(logicalId: string, sources: string[]): string | undefined {
  const stem = /^(.*?)Function(?:[0-9A-F]{8})?$/.exec(logicalId)?.[1] ?? logicalId;
  const candidates = [stem, stem.replace(/^HttpApi/, ''), stem.replace(/^Http/, '')].map(normalize);
  const byKey = new Map(sources.map((s) => [normalize(s), s]));
  for (const candidate of candidates) {
    const source = byKey.get(candidate) ?? byKey.get(`${candidate}api`) ?? byKey.get(`${candidate}handler`);
    if (source) return source;
  }
  return undefined;
}

function functionSources(): string[] {
  const root = path.join(PROJECT_ROOT, 'functions');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).replace(/\.ts$/, ''));
}

/** A template value as a string the way a deployed function would see it (refs become placeholder names). */
function envValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'Ref' in value) return `bench-${String((value as { Ref: unknown }).Ref)}`;
  return JSON.stringify(value);
}

/** What Lambda itself puts in a function's environment (and the local runtime mirrors), then the template's. */
function lambdaEnvironment(logicalId: string, properties: Record<string, unknown>, file: string): Record<string, string> {
  const variables = ((properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables) ?? {};
  const runtime = String(properties.Runtime ?? 'nodejs22.x');
  const tracing = (properties.TracingConfig as { Mode?: string } | undefined)?.Mode === 'Active';
  return {
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
}

/** Every function of ours in the assembly (a bundled index.mjs; inline custom-resource code is not ours), by name. */
export function loadBundles(cdkOut: string, template: Template): FunctionBundle[] {
  const api = apiFunctionIds(template);
  const sources = functionSources();
  // a nested stack's resources are merged under ids prefixed with the nested stack's; names go by their own
  const nestedStacks = Object.keys(template.Resources).filter((id) => template.Resources[id]!.Type === 'AWS::CloudFormation::Stack');
  const ownId = (id: string) => id.slice(nestedStacks.find((prefix) => id.startsWith(prefix) && id !== prefix)?.length ?? 0);
  const bundles: FunctionBundle[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (typeof assetPath !== 'string') continue;
    const file = path.join(cdkOut, assetPath, 'index.mjs');
    if (!existsSync(file)) continue;
    bundles.push({
      name: sourceOf(ownId(logicalId), sources) ?? ownId(logicalId),
      logicalId,
      api: api.has(logicalId),
      file,
      bytes: statSync(file).size,
      env: lambdaEnvironment(logicalId, resource.Properties ?? {}, file),
      sdkImports: sdkImportsOf(readFileSync(file, 'utf8')),
    });
  }
  return bundles.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Synthesizes (or reuses) cdk.out and returns a private copy of it: a synth that someone else starts
 * meanwhile replaces cdk.out's asset folders, which would pull the files out from under a long run.
 * The copy stays inside the project (node_modules/.cache), so the bundles' `@aws-sdk/*` still resolve.
 */
export async function snapshotAssembly(): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const { reused } = await synthesize(DEFAULT_CDK_OUT, progress);
    progress(reused ? 'cdk.out is up to date' : 'synthesized cdk.out');
    mkdirSync(CACHE_DIR, { recursive: true });
    const copy = mkdtempSync(path.join(CACHE_DIR, 'cdk.out-'));
    try {
      cpSync(DEFAULT_CDK_OUT, copy, { recursive: true });
      if (existsSync(path.join(copy, TEMPLATE_FILE))) return copy;
      throw new Error('cdk.out had no template');
    } catch (error) {
      rmSync(copy, { recursive: true, force: true });
      if (attempt >= 3) throw error;
      progress(`cdk.out changed while being copied (${error instanceof Error ? error.message : String(error)}); again`);
    }
  }
}
