import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_CDK_OUT = path.join(PROJECT_ROOT, 'cdk.out');
const HASH_FILE = '.tradeflow-source-hash';

/** Everything the cloud assembly is made from: when none of it changed, cdk.out is reused. */
function sourceHash(): string {
  const hash = createHash('sha256');
  // the console too: the stack deploys its build (the app builds console/dist, which is left out here)
  const consoleDist = path.join(PROJECT_ROOT, 'console', 'dist');
  const files = ['infra', 'functions', 'schemas', 'workflows', 'console']
    .filter((dir) => existsSync(path.join(PROJECT_ROOT, dir)))
    .flatMap((dir) => readdirSync(path.join(PROJECT_ROOT, dir), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.startsWith(consoleDist + path.sep))
    .concat(['package-lock.json', 'cdk.json'].map((f) => path.join(PROJECT_ROOT, f)))
    .sort();
  for (const file of files) hash.update(path.relative(PROJECT_ROOT, file)).update(readFileSync(file));
  return hash.digest('hex');
}

/**
 * Synthesizes the CDK app into `outDir` unless it already holds the assembly of these sources. Runs the
 * app directly (no CDK CLI: offline, no credentials) with policy validation off: cdk-nag runs in the
 * infra tests and on `cdk synth`. Writes to a sibling folder first, so a reader never sees half an assembly.
 */
export async function synthesize(outDir = DEFAULT_CDK_OUT, log: (line: string) => void = () => {}): Promise<{ reused: boolean }> {
  const hash = sourceHash();
  const hashFile = path.join(outDir, HASH_FILE);
  if (existsSync(hashFile) && readFileSync(hashFile, 'utf8') === hash) return { reused: true };
  const staging = `${outDir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  log('synthesizing the CDK app (cdk.out)...');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'infra/app.ts')], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CDK_OUTDIR: staging, CDK_VALIDATION: 'false', CDK_DISABLE_VERSION_CHECK: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-8000); });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`synth failed (exit ${code}):\n${stderr}`))));
  });
  writeFileSync(path.join(staging, HASH_FILE), hash);
  rmSync(outDir, { recursive: true, force: true });
  renameSync(staging, outDir);
  return { reused: false };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  synthesize(DEFAULT_CDK_OUT, console.log).then(
    ({ reused }) => console.log(reused ? 'cdk.out is up to date' : `synthesized cdk.out in ${((Date.now() - started) / 1000).toFixed(1)} s`),
    (error: Error) => { console.error(error.message); process.exit(1); },
  );
}
