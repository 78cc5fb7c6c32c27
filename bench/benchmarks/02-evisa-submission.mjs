// eVisa draft creation and submission (see lib/evisa-flow.mjs for exactly what one request does)
// against the database's raw limit for the simplest write: pgbench running a single-row INSERT with
// as many clients as the API has database connections. Then the same sequence at half the peak
// rate, as an open-loop load (requests sent on a steady schedule), where the p95 must stay under 50 ms.
import { submissionDriver } from '../lib/evisa-flow.mjs';

const INSERT_SCRIPT = `INSERT INTO bench_insert (payload) VALUES (repeat('x', 200));\n`;

export default {
  id: 'evisa-submission',
  title: 'eVisa draft creation + submission vs pgbench single-row INSERT',
  goal: { ratioAtLeast: 0.15, p95Below: 50 },
  async run(ctx) {
    await ctx.sql(
      `CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
    );
    const driver = submissionDriver(ctx);
    const clients = 20;
    const { figure, baseline } = await ctx.alternate(
      () => driver.run(ctx.apiUrl),
      () => ctx.pgbench({ script: INSERT_SCRIPT, clients }),
    );
    const half = await driver.runAt(ctx.apiUrl, Math.max(1, Math.floor(figure.rps / 2)));
    return {
      figure: { label: 'API transactions/s (draft + submit)', value: figure.rps, ...figure },
      baseline: { label: 'pgbench INSERT tps', value: baseline.tps, ...baseline },
      p95AtHalfPeak: half.p95,
      notes: `p95 at half of peak (${Math.floor(figure.rps / 2)} req/s): ${half.p95} ms (p50 ${half.p50}, p99 ${half.p99})`,
      command: `autocannon -c ${ctx.connections} -d ${ctx.duration} POST /api/v1/evisa/drafts + POST /api/v1/evisa/draft/submit (alternating per connection, prepared drafts), then the same as an open-loop load of ${Math.floor(figure.rps / 2)} req/s (bench/lib/measure.mjs paced); baseline ${baseline.command} (script.sql: ${INSERT_SCRIPT.trim()}); ${ctx.rounds} alternating rounds`,
    };
  },
};
