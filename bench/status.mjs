#!/usr/bin/env node
// `node bench/status.mjs [-- --quick] [-- --out <dir>]`: the citizen status look-up benchmark on its own —
// look-ups per second through POST /api/v1/status, and p95 at half of that peak, against `pgbench -S`
// on the same database in the same run (benchmarks/04-status-check.mjs). `npm run bench` runs it
// with the others and records it in bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const run = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run.mjs');
const result = spawnSync(process.execPath, [run, '--only=status-check', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
