import { BENCHMARKS } from './benchmarks';
import { progress } from './support';

/**
 * `npm run bench` runs every benchmark; `npm run bench -- <name> [<name>...]` runs the named ones.
 * An unknown name lists the benchmarks and exits 1. A benchmark that throws is reported and the
 * others still run; the exit code is then 1. Benchmarks report figures, they never judge them.
 */
async function main(): Promise<number> {
  const names = process.argv.slice(2).filter((arg) => arg !== '--');
  const unknown = names.filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}\n`);
    process.stderr.write('benchmarks:\n');
    for (const b of BENCHMARKS) process.stderr.write(`  ${b.name}  ${b.description}\n`);
    return 1;
  }
  const selected = names.length > 0 ? BENCHMARKS.filter((b) => names.includes(b.name)) : BENCHMARKS;
  let failed = 0;
  for (const benchmark of selected) {
    const started = Date.now();
    process.stdout.write(`# ${benchmark.name}: ${benchmark.description}\n`);
    try {
      await benchmark.run();
      progress(`${benchmark.name} finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (error) {
      failed += 1;
      process.stderr.write(`benchmark ${benchmark.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
