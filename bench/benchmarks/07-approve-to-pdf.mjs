// Approve → PDF stored: officers approve eVisas through the API at 10 a second (claim-next, then
// approve); for each, the time from sending the approval to its generated_document row (the PDF
// stored and the case ISSUED, by the worker, through outbox → relay → BullMQ). No baseline: the goal
// is p95 < 2 s at that rate.
import { performance } from 'node:perf_hooks';
import { submittedReferences } from '../lib/evisa-flow.mjs';
import { claimAndApprove } from '../lib/review-flow.mjs';
import { waitFor } from './06-pdf-rendering.mjs';

const RATE = 10;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export default {
  id: 'approve-to-pdf',
  title: 'Approve → PDF stored, at 10 approvals/s',
  goal: { p95Below: 2000 },
  async run(ctx) {
    const fixtures = await ctx.fixtures();
    const seconds = ctx.quick ? 3 : 10;
    const count = RATE * seconds;
    await submittedReferences(ctx, count + 20);
    const officers = await fixtures.officersWithTokens(RATE, { postCode: fixtures.evisaPost });
    await ctx.untilIdle();
    const approvals = [];
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const due = started + (i * 1000) / RATE;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      approvals.push(claimAndApprove(ctx.apiUrl, officers[i % officers.length].token));
    }
    const approved = await Promise.all(approvals);
    const offeredRate = count / ((performance.now() - started) / 1000);
    const ids = approved.map((a) => a.caseId);
    const rows = await waitFor(
      async () => {
        const found = await ctx.sql(`SELECT case_id, created_at FROM generated_document WHERE case_id = ANY($1)`, [ids]);
        return found.length === ids.length ? found : null;
      },
      600_000,
      'every approved eVisa to be stored',
    );
    const storedAt = new Map(rows.map((r) => [r.case_id, r.created_at.getTime()]));
    const latencies = approved.map((a) => storedAt.get(a.caseId) - a.approvedAt).sort((a, b) => a - b);
    const figure = {
      label: `ms from approval to stored PDF (${count} approvals at ${offeredRate.toFixed(1)}/s)`,
      value: percentile(latencies, 95),
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      histogram: [1, 10, 25, 50, 75, 90, 95, 99, 100].map((p) => [`p${p}`, percentile(latencies, p)]),
    };
    return {
      figure,
      notes: `${count} approvals at ${offeredRate.toFixed(1)}/s; approval → stored PDF p50 ${figure.p50} ms, p95 ${figure.p95} ms, max ${latencies.at(-1)} ms`,
      command: `${count} × (POST /api/v1/officer/queue/claim-next, POST /api/v1/officer/cases/:id/actions {action: approve}) started every ${1000 / RATE} ms by ${officers.length} officers; latency = generated_document.created_at − approval sent`,
    };
  },
};
