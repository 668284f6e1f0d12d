import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './synth';

const run = promisify(execFile);

export const CONSOLE_DIST = path.join(PROJECT_ROOT, 'console', 'dist');
const HASH_FILE = '.tradeflow-source-hash';

/** Everything the console's build is made from: when none of it changed, console/dist is reused. */
function sourceHash(): string {
  const hash = createHash('sha256');
  const files = [path.join(PROJECT_ROOT, 'console'), path.join(PROJECT_ROOT, 'schemas')]
    .flatMap((dir) => readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && !path.join(entry.parentPath, entry.name).startsWith(CONSOLE_DIST))
      .map((entry) => path.join(entry.parentPath, entry.name)))
    .concat([path.join(PROJECT_ROOT, 'package-lock.json')])
    .sort();
  for (const file of files) hash.update(path.relative(PROJECT_ROOT, file)).update(readFileSync(file));
  return hash.digest('hex');
}

/** Builds the web console into console/dist with Vite unless it already holds the build of these sources. */
export async function buildConsole(log: (line: string) => void = () => {}): Promise<{ reused: boolean; dir: string }> {
  const hash = sourceHash();
  const hashFile = path.join(CONSOLE_DIST, HASH_FILE);
  if (existsSync(hashFile) && readFileSync(hashFile, 'utf8') === hash) return { reused: true, dir: CONSOLE_DIST };
  log('building the web console (console/dist)...');
  // In a process of its own: a build holds a few hundred MB that the runtime would keep resident after it.
  // A production build whoever calls (vitest sets NODE_ENV=test, which Vite would honour: React's development build).
  const vite = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  await run(process.execPath, [vite, 'build', '--config', path.join(PROJECT_ROOT, 'console', 'vite.config.ts'), '--mode', 'production', '--logLevel', 'warn'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  writeFileSync(hashFile, hash);
  return { reused: false, dir: CONSOLE_DIST };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildConsole(console.log).then(
    ({ reused }) => console.log(reused ? 'console/dist is up to date' : 'console/dist built'),
    (error: Error) => { console.error(error.message); process.exit(1); },
  );
}
