// Runs one benchmark of bench/run.mjs on its own, passing the command line on (`--quick`, `--out`,
// `--no-build`, `--cpu-prof`). Without `--out` its report goes to the system's temporary folder, as
// for any partial run: bench/RESULTS.md holds full runs.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function runOnly(benchmarkId) {
  const run = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'run.mjs');
  const result = spawnSync(process.execPath, [run, `--only=${benchmarkId}`, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
