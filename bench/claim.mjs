#!/usr/bin/env node
// `npm run bench:claim`: the officers' claim-next benchmark on its own — claims per second through
// POST /api/v1/officer/queue/claim-next with 50 officers at once, every claimed case checked for a
// double claim, against the same UPDATE … FOR UPDATE SKIP LOCKED statement run by pgbench on the same
// database in the same run (benchmarks/05-claim-next.mjs). `npm run bench` runs it with the others and
// records it in bench/RESULTS.md.
import { runOnly } from './lib/run-only.mjs';

runOnly('claim-next');
