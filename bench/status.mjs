#!/usr/bin/env node
// `npm run bench:status`: the citizen status look-up benchmark on its own — look-ups per second
// through POST /api/v1/status, and p95 at half of that peak, against `pgbench -S` on the same
// database in the same run (benchmarks/04-status-check.mjs). `npm run bench` runs it with the others
// and records it in bench/RESULTS.md.
import { runOnly } from './lib/run-only.mjs';

runOnly('status-check');
